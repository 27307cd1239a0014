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


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FactsCache:
    def __init__(self, directory: Path, digest: str | None = None):
        self.directory = Path(directory)
        self.digest = digest or extractor_digest()
        self._prepared = False

    def entry(self, rel: str, content: str) -> Path:
        """Where the result for the file at ``rel`` whose :func:`content_digest` is ``content`` is kept."""
        key = hashlib.sha256(f"{self.digest}\0{rel}\0{content}".encode()).hexdigest()
        return self.directory / key[:2] / f"{key}.pickle"

    def load(self, rel: str, content: str):
        try:
            return pickle.loads(self.entry(rel, content).read_bytes())
        except Exception:  # absent, or a corrupt entry: extracted again, never fatal
            return None

    def store(self, rel: str, content: str, payload: bytes) -> None:
        """Keep ``payload``, the pickled result for the file's content."""
        path = self.entry(rel, content)
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
