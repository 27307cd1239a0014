"""The facts cache: one entry per file, keyed by everything the facts depend on.

The folder lies in the checked project, so its entries are read as untrusted input (see
:mod:`sdblint.cache_entries`): sealed with the user's key, typed JSON checked field by field
against the facts' types, and for the file they claim to be for. An entry that fails any check is
discarded and the file extracted again, as if it had never been cached."""
from __future__ import annotations

import hashlib
from pathlib import Path

from .. import __version__
from .. import cache_entries
from .. import facts as facts_module
from .. import typed_json
from ..atomic import replace_file
from ..cache_entries import sealed, unsealed
from ..facts import ModuleFacts, ParseError

# Bumped when the meaning of the catalog's schema changes what extraction must record.
FACTS_SCHEMA_VERSION = "2"
# The default cache folder, beside the project's config (like ruff's `.ruff_cache`).
DEFAULT_CACHE_DIR = ".sdblint_cache"
GITIGNORE = "# Created by sdblint: the cache is never committed.\n*\n"
# What one file's extraction gives, and so what an entry holds.
Extracted = ModuleFacts | ParseError
ENTRY_SUFFIX = ".json"


def encoded(result: Extracted) -> bytes:
    return typed_json.dumps(result, Extracted)


def decoded(payload: bytes) -> Extracted:
    """The result ``payload`` holds; :class:`~sdblint.typed_json.InvalidEntry` if it holds anything else."""
    return typed_json.loads(payload, Extracted)


def extractor_digest(package: Path = Path(__file__).resolve().parent) -> str:
    """Cached facts are only as good as the code that extracted them: the version, the facts
    model, the format they are written in and every module of the extraction package."""
    code = b"".join(p.name.encode() + p.read_bytes() for p in sorted(package.glob("*.py")))
    model = b"".join(Path(m.__file__).read_bytes() for m in (facts_module, typed_json, cache_entries))
    return hashlib.sha256(f"{__version__}\0{FACTS_SCHEMA_VERSION}\0".encode() + model + code).hexdigest()


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
        # surrogateescape: a file name that is not UTF-8 keys by its own bytes
        key = hashlib.sha256(f"{self.digest}\0{rel}\0{content}".encode("utf-8", "surrogateescape")).hexdigest()
        return self.directory / key[:2] / f"{key}{ENTRY_SUFFIX}"

    def load(self, rel: str, content: str) -> Extracted | None:
        """The cached result for the file, or None: absent, unreadable, or not a result for this very
        file (a damaged or planted entry), which is then extracted again."""
        try:
            result = decoded(unsealed(self.entry(rel, content).read_bytes()))
        except (OSError, typed_json.InvalidEntry):
            return None
        return result if result.path == rel and not (isinstance(result, ParseError) and result.transient) else None

    def store(self, rel: str, content: str, payload: bytes) -> None:
        """Keep ``payload``, the :func:`encoded` result for the file's content."""
        path = self.entry(rel, content)
        try:
            if not self._prepared:
                prepare_folder(self.directory)
                self._prepared = True
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, sealed(payload))
        except OSError:
            pass   # a read-only or full cache directory costs speed, not the run
