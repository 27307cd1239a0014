"""Which files to check: walk the given paths, skip what a project never wants linted; and reading
them, which only a regular file ever is."""
from __future__ import annotations

import errno
import fnmatch
import os
import stat
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Discovery:
    files: tuple[Path, ...]                  # sorted, each once
    problems: tuple[tuple[Path, str], ...]   # a path that could not be walked or named, and why


def discover(paths: list[Path], root: Path, exclude: tuple[str, ...] = ()) -> Discovery:
    """Python files under ``paths``, sorted, each once (a file given and also found under a given
    folder counts once); symlink loops terminate. A folder that cannot be listed or entered, a file
    whose path cannot be resolved (a symlink to itself, a path longer than the OS allows) or whose
    name is not UTF-8 (no report could show it) is a problem, and the walk goes on."""
    found: dict[Path, Path] = {}   # resolved -> as found
    problems: dict[Path, str] = {}
    ignore = GitIgnore()
    for parent in [root, *root.parents][::-1]:
        if (parent / ".git").exists() or parent == root:
            ignore.load(parent)
    visited: set[tuple[int, int]] = set()

    def rel(p: Path) -> str:
        try:
            return p.resolve().relative_to(root).as_posix()
        except (ValueError, OSError, RuntimeError):
            return p.as_posix()

    def add(file: Path) -> None:
        try:
            found.setdefault(file.resolve(), file)
        except (OSError, RuntimeError) as exc:   # RuntimeError: a symlink loop, before Python 3.13
            problems.setdefault(file, reason(exc, "cannot resolve the path"))

    def walked(folder: Path, name: str) -> bool:
        if not utf8(name):
            problems.setdefault(folder / name, "not checked: the folder name is not valid UTF-8")
            return False
        return (name not in ALWAYS_SKIPPED and not name.endswith(".egg-info") and not is_virtualenv(folder / name)
                and not ignore.ignored(folder / name, True) and not matches_any(rel(folder / name), exclude))

    for start in paths:
        if not start.is_dir():
            if os.path.lexists(start):   # a file given explicitly, or a symlink to nowhere: reading it says why not
                add(start)
            continue
        for dirpath, dirnames, filenames in os.walk(start, followlinks=True,
                                                    onerror=lambda exc: problems.setdefault(Path(exc.filename),
                                                                                           reason(exc, "cannot list the folder"))):
            here = Path(dirpath)
            try:
                st = here.stat()
                os.stat(os.path.join(dirpath, os.curdir))   # a folder without execute permission lists but cannot be entered
            except OSError as exc:
                problems.setdefault(here, reason(exc, "cannot enter the folder"))
                dirnames[:] = []
                continue
            if (st.st_dev, st.st_ino) in visited:
                dirnames[:] = []
                continue
            visited.add((st.st_dev, st.st_ino))
            if here != root:
                ignore.load(here)
            dirnames[:] = sorted(d for d in dirnames if walked(here, d))
            for name in filenames:
                if not name.endswith(".py"):
                    continue
                file = here / name
                if not utf8(name):
                    problems.setdefault(file, "not checked: the file name is not valid UTF-8")
                elif not ignore.ignored(file, False) and not matches_any(rel(file), exclude):
                    add(file)
    return Discovery(tuple(sorted(found.values())), tuple(sorted(problems.items())))


def is_virtualenv(folder: Path) -> bool:
    try:
        return (folder / "pyvenv.cfg").exists()
    except OSError:   # a folder that cannot be entered: the walk reports it
        return False


def utf8(name: str) -> bool:
    """Whether a name read from the OS is UTF-8 (undecodable bytes come back as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(path: str) -> str:
    """A path as a report can show it: bytes that are not UTF-8 as `\\xe9`."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def reason(exc: OSError | RuntimeError, failed: str) -> str:
    if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
        return "not checked: a symlink loop"
    return f"not checked: {failed} ({exc.strerror or exc})"


# What a path named `*.py` can be besides a file; reading one would block (a FIFO), never end or
# fail (a device).
NOT_REGULAR = {stat.S_IFIFO: "a named pipe", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
               stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def read_source(path: Path, limit: int) -> bytes:
    """The file's bytes, at most ``limit`` + 1 of them (enough to tell that it is over the limit).
    Opened without blocking and checked to be a regular file before a byte is read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as file:
        kind = stat.S_IFMT(os.fstat(fd).st_mode)
        if kind != stat.S_IFREG:
            raise OSError(errno.EINVAL, f"not a regular file but {NOT_REGULAR.get(kind, 'a special file')}")
        return file.read(limit + 1)
