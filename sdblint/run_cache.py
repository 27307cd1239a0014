"""The run cache: a whole run's results, reused when nothing they depend on changed.

A warm run with no change reads and hashes the files and answers from here, without parsing,
reading facts or building the graph; a run whose changed files kept their facts extracts
only those files, then answers from here too. The key covers every input of the analysis: sdblint's
version and the code of the whole package, the shipped catalogs, the settings (the config's
rules, catalog extensions, excludes), the rule selection, and every checked file's path and
content. One entry is kept per project root and settings, so the folder does not grow with the
project's history; a run with a file that ran out of time is never stored (the next run may
have the time).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import __version__, typed_json
from .catalog.loader import rules_folder
from .config.selection import Waived
from .atomic import replace_file
from .cache_entries import sealed, unsealed
from .extract.cache import ENTRY_SUFFIX, FactsCache, content_digest, prepare_folder
from .facts import ParseError
from .findings.model import Finding
from .flow.coverage import Coverage
from .runtime_patterns import PatternHit

RESULTS_FOLDER = "results"


@lru_cache(maxsize=1)
def analysis_digest() -> str:
    """sdblint's version, the source of every module of the package and every shipped `rules/*.toml`."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for entry in sorted((e for e in rules_folder().iterdir() if e.name.endswith(".toml")), key=lambda e: e.name):
        digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class CachedRun:
    """What a report needs from a run that the files alone do not say."""

    findings: tuple[Finding, ...]
    errors: tuple[ParseError, ...]
    patterns: tuple[PatternHit, ...]
    limits: dict[str, int]
    bare_suppressions: tuple[tuple[str, int, str], ...] = ()
    coverage: Coverage = Coverage()
    suppressed: tuple[Waived, ...] = ()   # the findings suppression comments hid, with the comment


@dataclass(frozen=True)
class StoredRun:
    """A run's results with the key of what they were computed from and each file's content digest."""

    inputs_key: str
    contents: dict[str, str]   # path -> content digest
    run: CachedRun

    def changed(self, contents: list[tuple[str, str]]) -> list[int]:
        """Positions of the files whose content this run did not see."""
        return [i for i, (rel, digest) in enumerate(contents) if self.contents.get(rel) != digest]


def content_digests(inputs: list[tuple[str, bytes]]) -> list[tuple[str, str]]:
    return [(rel, content_digest(data)) for rel, data in inputs]


class RunCache:
    def __init__(self, directory: Path, settings_text: str):
        self.folder = Path(directory) / RESULTS_FOLDER
        self.settings_text = settings_text
        slot = hashlib.sha256(f"{analysis_digest()}\0{settings_text}".encode()).hexdigest()
        self.path = self.folder / f"{slot[:32]}{ENTRY_SUFFIX}"

    def key(self, contents: list[tuple[str, str]], unreadable) -> str:
        digest = hashlib.sha256(f"{analysis_digest()}\0{self.settings_text}\0".encode())
        for rel, content in contents:
            digest.update(f"{rel}\0{content}\0".encode("utf-8", "surrogateescape"))   # a file name's own bytes
        for error in unreadable:
            digest.update(f"\0unreadable\0{error.path}\0{error.message}".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def facts_unchanged(self, previous: StoredRun, contents: list[tuple[str, str]], unreadable,
                        changed: list[int], results: list, facts: FactsCache) -> bool:
        """Early cutoff: whether ``previous`` saw this very project but for edits that left the
        facts as they were. The analysis reads nothing but the facts, so such an edit (a
        comment, a blank line at the end) changes no result. Each changed file's new ``results``
        are compared with the facts cached for its earlier content; with those contents put
        back, the key must be the stored one (no file added or gone, the same settings)."""
        as_before = list(contents)
        for position, result in zip(changed, results):
            rel = contents[position][0]
            earlier = previous.contents.get(rel)
            if earlier is None or facts.load(rel, earlier) != result:
                return False
            as_before[position] = (rel, earlier)
        return self.key(as_before, unreadable) == previous.inputs_key

    def load(self) -> StoredRun | None:
        """The stored run, or None: absent, damaged or of another shape (read as typed JSON, like
        the facts: see :mod:`sdblint.extract.cache`), and then recomputed."""
        try:
            return typed_json.loads(unsealed(self.path.read_bytes()), StoredRun)
        except (OSError, typed_json.InvalidEntry):
            return None

    def store(self, stored: StoredRun) -> None:
        try:
            prepare_folder(self.folder.parent)
            self.folder.mkdir(exist_ok=True)
            replace_file(self.path, sealed(typed_json.dumps(stored, StoredRun)))
        except OSError:
            pass   # a read-only or full cache folder costs speed, not the run
