"""The run cache: a whole run's results, reused when nothing they depend on changed.

A warm run with no change reads and hashes the files and answers from here, without parsing,
unpickling facts or building the graph. The key covers every input of the analysis: sdblint's
version and the code of the whole package, the shipped catalogs, the settings (the config's
rules, catalog extensions, excludes), the rule selection, and every checked file's path and
content. One entry is kept per project root and settings, so the folder does not grow with the
project's history; a run with a file that ran out of time is never stored (the next run may
have the time).
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import __version__
from .catalog.loader import rules_folder
from .extract.cache import prepare_folder

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

    findings: tuple
    errors: tuple
    patterns: tuple
    limits: dict[str, int]


class RunCache:
    def __init__(self, directory: Path, settings_text: str):
        self.folder = Path(directory) / RESULTS_FOLDER
        self.settings_text = settings_text
        slot = hashlib.sha256(f"{analysis_digest()}\0{settings_text}".encode()).hexdigest()
        self.path = self.folder / f"{slot[:32]}.pickle"

    def key(self, inputs: list[tuple[str, bytes]], unreadable) -> str:
        digest = hashlib.sha256(f"{analysis_digest()}\0{self.settings_text}\0".encode())
        for rel, data in inputs:
            digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
        for error in unreadable:
            digest.update(f"\0unreadable\0{error.path}\0{error.message}".encode())
        return digest.hexdigest()

    def load(self, key: str) -> CachedRun | None:
        try:
            stored_key, run = pickle.loads(self.path.read_bytes())
        except Exception:   # absent, corrupt or from an older layout: recomputed, never fatal
            return None
        return run if stored_key == key else None

    def store(self, key: str, run: CachedRun) -> None:
        try:
            prepare_folder(self.folder.parent)
            self.folder.mkdir(exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps((key, run), protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(self.path)
        except OSError:
            pass   # a read-only or full cache folder costs speed, not the run
