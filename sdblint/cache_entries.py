"""How both caches seal an entry: with a key kept outside the project (entries are written whole
or not at all by :func:`sdblint.atomic.replace_file`).

The cache folder lies in the checked project (`.sdblint_cache/`), where a pull request can commit
files at the very names a run reads, since an entry's name is computable from the code and the
file. What is read there is therefore untrusted: an entry is typed JSON (:mod:`sdblint.typed_json`,
which cannot run code when read), and its first line is an HMAC-SHA256 of the rest under a key of
the user's, outside the project. An entry that someone else wrote, or that was damaged (a flipped
bit, a write cut short), fails the seal and is discarded before anything in it is read, so it can
neither run code nor stand in for the facts or the results of a file: the run is the one
`--no-cache` gives, and it writes the entry anew.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path

from .typed_json import InvalidEntry

SEAL = "sdblint-cache hmac-sha256"   # the first line of every entry, before the payload's HMAC
# The key: this variable's value when it is set (a CI secret, to share a cache between jobs), else
# a random key made once per user in the user's cache folder ($XDG_CACHE_HOME or ~/.cache).
KEY_VARIABLE = "SDBLINT_CACHE_KEY"
KEY_FILE = Path("sdblint") / "cache-key"
KEY_BYTES = 32


@lru_cache(maxsize=1)
def seal_key() -> bytes:
    given = os.environ.get(KEY_VARIABLE)
    if given:
        return os.fsencode(given)
    try:
        return _user_key(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / KEY_FILE)
    except (OSError, RuntimeError):   # no home, a read-only one: a key of this process's alone, so
        return secrets.token_bytes(KEY_BYTES)   # that entries from elsewhere are never trusted


def _user_key(path: Path) -> bytes:
    """The key in ``path``, made (readable by the user alone) if there is none yet. It is written
    whole under another name first and then linked into place, which fails if another run made
    one meanwhile: every run of the user's reads the same key, and never half of one."""
    try:
        key = path.read_bytes()
        if len(key) >= KEY_BYTES:
            return key
        path.unlink()   # not made by sdblint: made anew
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-key.")   # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
        os.link(tmp, path)
    except FileExistsError:   # another run made it first: that one is the key
        pass
    finally:
        os.unlink(tmp)
    return path.read_bytes()


def _mac(payload: bytes, key: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def sealed(payload: bytes, key: bytes | None = None) -> bytes:
    return f"{SEAL} {_mac(payload, key or seal_key())}\n".encode() + payload


def unsealed(data: bytes, key: bytes | None = None) -> bytes:
    """The payload of an entry :func:`sealed` under the key; :class:`InvalidEntry` if anyone else
    wrote it or it was damaged since."""
    head, _, payload = data.partition(b"\n")
    if not hmac.compare_digest(head, f"{SEAL} {_mac(payload, key or seal_key())}".encode()):
        raise InvalidEntry("not sealed by this user's key, or damaged since")
    return payload
