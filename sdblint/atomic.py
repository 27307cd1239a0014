"""Replacing a file whole or not at all: the one way sdblint writes a file that something reads
back (a cache entry, a checked file under `--add-noqa`)."""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def replace_file(path: Path, data: bytes, durable: bool = False) -> None:
    """``path`` holds ``data``, or (on any failure: a full disk, `ulimit -f`, a signal) still holds
    what it held: ``data`` is written to a new file beside it, then renamed over it, and the new
    file never outlives a failed write. ``durable`` (a user's file): the data reaches the disk
    before the rename, the file keeps its permissions (and owner), and the rename reaches the disk too."""
    descriptor, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        if durable:
            _keep_owner_and_mode(Path(tmp), path.stat())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        _sync_folder(path.parent)


def _keep_owner_and_mode(tmp: Path, was: os.stat_result) -> None:
    """The new file gets the old one's permissions, and its owner where this process may give it
    (root editing another user's file); elsewhere it is this process's, as any edit makes it."""
    with contextlib.suppress(PermissionError, AttributeError):   # AttributeError: no chown (Windows)
        os.chown(tmp, was.st_uid, was.st_gid)
    os.chmod(tmp, stat.S_IMODE(was.st_mode))


def _sync_folder(folder: Path) -> None:
    """The rename on disk (POSIX: a folder is synced through a descriptor of its own)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return   # a platform without folder descriptors (Windows): the rename is as durable as it gets
    try:
        os.fsync(descriptor)
    except OSError:
        pass   # some file systems refuse to sync a folder; the data itself is on disk
    finally:
        os.close(descriptor)
