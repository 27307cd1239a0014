"""`--diff REV`: what changed since a git revision, read from git run read-only as a subprocess.

Whether a flow is new is decided by analysing REV too (:mod:`.revision`) and comparing fingerprints,
as semgrep's `--baseline-commit` does: a flow is new when nothing at REV had its fingerprint, whatever
lines changed (adding an existing shell helper to the model's tool registry changes no step of the
flow). The changed lines read here only decide which new findings are shown first: those with a
step on a line added or changed since REV. Nothing is fetched.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from ..config.errors import ConfigError

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
WHOLE_FILE = None   # a file that did not exist at REV: every line is new
# git's C-style quoting of a path it cannot print as it is (a tab, a newline, a quote, a backslash;
# other bytes too when core.quotepath is on, which every call here turns off).
QUOTED_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", '"': '"', "\\": "\\"}
# The prefixes every diff here is asked for, whatever the user's diff.noprefix / diff.mnemonicPrefix say.
NEW_PREFIX = "b/"


def git(root: Path, *args: str) -> subprocess.CompletedProcess:
    """``git -C root ARGS`` with paths printed as they are (core.quotepath off) and no hook run."""
    try:
        return subprocess.run(["git", "-C", str(root), "-c", "core.quotepath=off", "-c", "core.hooksPath=/dev/null",
                               *args], capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise ConfigError("--diff", "git", "the git program on PATH (it was not found)") from exc


def text(done: subprocess.CompletedProcess) -> str:
    return done.stdout.decode("utf-8", "surrogateescape")


def require_revision(root: Path, rev: str) -> None:
    """A clear error unless ``root`` is in a git work tree that holds the commit ``rev``."""
    if git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise ConfigError("--diff", rev, f"a git revision, but {root} is not in a git work tree")
    if git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode != 0:
        raise ConfigError("--diff", rev, "a revision in this clone (in a shallow clone, fetch it first: "
                                         f"`git fetch --depth=1 origin {rev}`)")


def changed_lines(root: Path, rev: str) -> dict[str, set[int] | None]:
    """Root-relative path -> new-side lines added or changed since ``rev`` (``None``: the whole file)."""
    require_revision(root, rev)
    diff = git(root, "diff", "--relative", "--no-color", "--no-ext-diff", "--no-textconv", "--unified=0",
               "--src-prefix=a/", f"--dst-prefix={NEW_PREFIX}", rev, "--", ".")
    if diff.returncode != 0:
        raise ConfigError("--diff", rev, f"a revision git can diff against ({diff.stderr.decode(errors='replace').strip()})")
    changed = parse(text(diff))
    untracked = git(root, "ls-files", "-z", "--others", "--exclude-standard")
    changed.update((path, WHOLE_FILE) for path in text(untracked).split("\0") if path)
    return changed


def unquoted(path: str) -> str:
    """A path as git printed it, without git's C-style quotes (``"a\\tb.py"`` is ``a<TAB>b.py``)."""
    if not (len(path) > 1 and path.startswith('"') and path.endswith('"')):
        return path
    raw, i, body = bytearray(), 0, path[1:-1]
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            following = body[i + 1]
            if following in "01234567":
                raw.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            raw.extend(QUOTED_ESCAPES.get(following, following).encode())
            i += 2
            continue
        raw.extend(char.encode("utf-8", "surrogateescape"))
        i += 1
    return raw.decode("utf-8", "surrogateescape")


def parse(diff: str) -> dict[str, set[int] | None]:
    """The new-side lines of a ``git diff --unified=0``. A deletion marks the lines either side of
    it, so that removing a check between two steps of a flow counts as a change there."""
    changed: dict[str, set[int] | None] = {}
    path = None
    for line in diff.split("\n"):
        if line.startswith("+++ "):
            name = unquoted(line[4:].rstrip("\t"))   # git ends a name holding a space with a tab
            path = None if name == "/dev/null" else name.removeprefix(NEW_PREFIX)
            if path is not None:
                changed.setdefault(path, set())
        elif path is not None and (hunk := HUNK.match(line)):
            start, count = int(hunk.group(1)), int(hunk.group(2) if hunk.group(2) is not None else 1)
            lines = changed[path]
            if lines is not WHOLE_FILE:
                lines.update(range(start, start + count) if count else (start, start + 1))
    return changed
