"""The project as it was at a git revision: a temporary `git worktree` of it, removed afterwards.

`check --diff REV` analyses the same paths there, with the same settings and the same facts cache
(facts are keyed by path and content, so every file unchanged since REV is read from the cache),
and a finding is new when REV had no finding with its fingerprint. git writes the worktree's
bookkeeping under `.git/worktrees/` and `worktree remove` takes it away again; no hook runs.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..config.errors import ConfigError
from .diff import git, require_revision


@contextmanager
def checkout(root: Path, rev: str) -> Iterator[Path]:
    """The folder that stands for ``root`` in a temporary worktree of ``rev`` (it may be missing
    there: the project did not exist yet at ``rev``)."""
    require_revision(root, rev)
    top = git(root, "rev-parse", "--show-toplevel").stdout.decode("utf-8", "surrogateescape").strip()
    inside = root.resolve().relative_to(Path(top).resolve())
    folder = Path(tempfile.mkdtemp(prefix="sdblint-rev-"))
    tree = folder / "tree"
    try:
        added = git(root, "worktree", "add", "--detach", "--quiet", str(tree), f"{rev}^{{commit}}")
        if added.returncode != 0:
            raise ConfigError("--diff", rev, "a revision git can check out in a temporary worktree "
                                             f"({added.stderr.decode(errors='replace').strip()})")
        yield tree / inside
    finally:
        if tree.exists():
            git(root, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(folder, ignore_errors=True)
        git(root, "worktree", "prune")
