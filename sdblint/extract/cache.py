"""The facts cache: one pickle per file, keyed by everything the facts depend on."""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from .. import __version__
from .. import facts as facts_module

# Bumped when the meaning of the catalog's schema changes what extraction must record.
FACTS_SCHEMA_VERSION = "2"
# The default cache folder, beside the project's config (like ruff's `.ruff_cache`).
DEFAULT_CACHE_DIR = ".sdblint_cache"
GITIGNORE = "# Created by sdblint: the cache is never committed.\n*\n"


def extractor_digest(package: Path = Path(__file__).resolve().parent) -> str:
    """Cached facts are only as good as the code that extracted them: the version, the facts
    model and every module of the extraction package."""
    code = b"".join(p.name.encode() + p.read_bytes() for p in sorted(package.glob("*.py")))
    return hashlib.sha256(
        f"{__version__}\0{FACTS_SCHEMA_VERSION}\0".encode() + Path(facts_module.__file__).read_bytes() + code
    ).hexdigest()


def prepare_folder(directory: Path) -> None:
    """The cache folder, with a `.gitignore` of its own so that it never shows in `git status`."""
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / ".gitignore"
    if not marker.exists():
        marker.write_text(GITIGNORE, encoding="utf-8")


class FactsCache:
    def __init__(self, directory: Path, digest: str | None = None):
        self.directory = Path(directory)
        self.digest = digest or extractor_digest()
        self._prepared = False

    def entry(self, rel: str, data: bytes) -> Path:
        key = hashlib.sha256(f"{self.digest}\0{rel}\0".encode() + data).hexdigest()
        return self.directory / key[:2] / f"{key}.pickle"

    def load(self, rel: str, data: bytes):
        path = self.entry(rel, data)
        try:
            return pickle.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except Exception:  # a corrupt entry is recomputed, never fatal
            return None

    def store(self, rel: str, data: bytes, payload: bytes) -> None:
        """Keep ``payload``, the pickled result for ``data``."""
        path = self.entry(rel, data)
        try:
            if not self._prepared:
                prepare_folder(self.directory)
                self._prepared = True
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(payload)
            tmp.replace(path)
        except OSError:
            pass   # a read-only or full cache directory costs speed, not the run
