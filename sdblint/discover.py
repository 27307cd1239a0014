"""Which files to check: walk the given paths, skip what a project never wants linted."""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path

ALWAYS_SKIPPED = {
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "node_modules", "__pycache__",
    "build", "dist", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".sdblint_cache", "site-packages", ".eggs",
}


class GitIgnore:
    """The subset of .gitignore semantics that matters for skipping files: globs,
    directory-only patterns, anchored patterns and negation, per directory."""

    def __init__(self):
        self.rules: list[tuple[Path, str, bool, bool, bool]] = []   # base, glob, negate, dir_only, anchored

    def load(self, directory: Path) -> None:
        path = directory / ".gitignore"
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            line = line[1:] if negate else line
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            self.rules.append((directory, line.lstrip("/"), negate, dir_only, anchored))

    def ignored(self, path: Path, is_dir: bool) -> bool:
        result = False
        for base, glob, negate, dir_only, anchored in self.rules:
            if dir_only and not is_dir:
                continue
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            target = rel if anchored else path.name
            if fnmatch.fnmatchcase(target, glob) or (anchored and fnmatch.fnmatchcase(rel, glob + "/*")):
                result = not negate
        return result


def matches_any(rel: str, patterns: tuple[str, ...]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(
        fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) or rel.startswith(p.rstrip("/") + "/")
        for p in patterns
    )


def discover(paths: list[Path], root: Path, exclude: tuple[str, ...] = ()) -> list[Path]:
    """Python files under ``paths``, sorted, each once (a file given and also found under a given
    folder counts once); symlink loops terminate."""
    found: dict[Path, Path] = {}   # resolved -> as found
    ignore = GitIgnore()
    for parent in [root, *root.parents][::-1]:
        if (parent / ".git").exists() or parent == root:
            ignore.load(parent)
    visited: set[tuple[int, int]] = set()

    def rel(p: Path) -> str:
        try:
            return p.resolve().relative_to(root).as_posix()
        except ValueError:
            return p.as_posix()

    for start in paths:
        if start.is_file():
            found.setdefault(start.resolve(), start)
            continue
        for dirpath, dirnames, filenames in os.walk(start, followlinks=True):
            here = Path(dirpath)
            st = here.stat()
            if (st.st_dev, st.st_ino) in visited:
                dirnames[:] = []
                continue
            visited.add((st.st_dev, st.st_ino))
            if here != root:
                ignore.load(here)
            dirnames[:] = sorted(
                d for d in dirnames
                if d not in ALWAYS_SKIPPED and not d.endswith(".egg-info")
                and not (here / d / "pyvenv.cfg").exists()
                and not ignore.ignored(here / d, True)
                and not matches_any(rel(here / d), exclude)
            )
            for name in filenames:
                if not name.endswith((".py", ".pyi")) or name.endswith(".pyi"):
                    continue
                file = here / name
                if ignore.ignored(file, False) or matches_any(rel(file), exclude):
                    continue
                found.setdefault(file.resolve(), file)
    return sorted(found.values())
