"""`--diff REV`: the lines added or changed since a git revision, for reporting only new flows.

A flow is new when any step of it is on such a line: flows are not local, and filtering by the sink's
line alone misses a new model call feeding an old sink (the reason ruff declined changed-lines mode,
astral-sh/ruff#2472). git is run read-only, as a subprocess; nothing is fetched.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from ..config.errors import ConfigError

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
WHOLE_FILE = None   # a file that did not exist at REV: every line is new


def git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)


def changed_lines(root: Path, rev: str) -> dict[str, set[int] | None]:
    """Root-relative path -> new-side lines added or changed since ``rev`` (``None``: the whole file)."""
    if git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise ConfigError("--diff", rev, f"a git revision, but {root} is not in a git work tree")
    if git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode != 0:
        raise ConfigError("--diff", rev, "a revision in this clone (in a shallow clone, fetch it first: "
                                         f"`git fetch --depth=1 origin {rev}`)")
    diff = git(root, "diff", "--relative", "--no-color", "--no-ext-diff", "--unified=0", rev, "--", ".")
    if diff.returncode != 0:
        raise ConfigError("--diff", rev, f"a revision git can diff against ({diff.stderr.strip()})")
    changed = parse(diff.stdout)
    untracked = git(root, "ls-files", "--others", "--exclude-standard")
    changed.update((path, WHOLE_FILE) for path in untracked.stdout.splitlines() if path)
    return changed


def parse(diff: str) -> dict[str, set[int] | None]:
    """The new-side lines of a ``git diff --unified=0``. A deletion marks the lines either side of
    it, so that removing a check between two steps of a flow counts as a change there."""
    changed: dict[str, set[int] | None] = {}
    path = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            path = None if line == "+++ /dev/null" else line[4:].removeprefix("b/")
            if path is not None:
                changed.setdefault(path, set())
        elif path is not None and (hunk := HUNK.match(line)):
            start, count = int(hunk.group(1)), int(hunk.group(2) if hunk.group(2) is not None else 1)
            lines = changed[path]
            if lines is not WHOLE_FILE:
                lines.update(range(start, start + count) if count else (start, start + 1))
    return changed
