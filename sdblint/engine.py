"""The pipeline: discover -> extract (parallel, cached) -> graph -> analyse -> select."""
from __future__ import annotations

import hashlib
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from . import extract as extract_package
from . import facts as facts_module
from .analyse import Finding, analyse
from .catalog import builtin_catalog
from .config import Settings
from .discover import discover
from .extract import extract_bytes
from .facts import ModuleFacts, ParseError
from .patterns import PatternHit
from .ruledocs import load_rules
from .selection import Selection

PARALLEL_THRESHOLD = 64
# Cached facts are only as good as the code that extracted them.
EXTRACTOR_DIGEST = hashlib.sha256(
    __version__.encode() + Path(facts_module.__file__).read_bytes()
    + b"".join(p.read_bytes() for p in sorted(Path(extract_package.__file__).parent.glob("*.py")))
).hexdigest()


@dataclass(frozen=True)
class RunResult:
    files: int
    findings: tuple[Finding, ...]
    errors: tuple[ParseError, ...]
    modules: tuple[ModuleFacts, ...]
    patterns: tuple[PatternHit, ...] = ()
    sources: dict[str, Path] | None = None    # reported path -> file, for code frames


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def cache_file(cache_dir: str | None, rel: str, data: bytes) -> Path | None:
    if not cache_dir:
        return None
    key = hashlib.sha256(f"{EXTRACTOR_DIGEST}\0{rel}\0".encode() + data).hexdigest()
    return Path(cache_dir, key[:2], key + ".pickle")


def load_cached(cached: Path | None) -> ModuleFacts | ParseError | None:
    if cached is None or not cached.is_file():
        return None
    try:
        return pickle.loads(cached.read_bytes())
    except Exception:  # a corrupt cache entry is recomputed, never fatal
        return None


def _extract_file(job: tuple[str, str, str | None]) -> ModuleFacts | ParseError:
    path, rel, cache_dir = job
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return ParseError(rel, f"cannot read file: {exc.strerror}")
    cached = cache_file(cache_dir, rel, data)
    result = extract_bytes(rel, data)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(cached)
    return result


def extract_all(files: list[Path], root: Path, cache_dir: Path | None) -> list[ModuleFacts | ParseError]:
    """Facts per file: from the cache where the content is unchanged, else extracted in parallel."""
    results: list[ModuleFacts | ParseError | None] = []
    misses: list[tuple[int, tuple[str, str, str | None]]] = []
    for index, f in enumerate(files):
        rel = relative(f, root)
        job = (str(f), rel, str(cache_dir) if cache_dir else None)
        hit = None
        if cache_dir:
            try:
                hit = load_cached(cache_file(job[2], rel, f.read_bytes()))
            except OSError:
                hit = None
        results.append(hit)
        if hit is None:
            misses.append((index, job))
    workers = min(os.cpu_count() or 1, 8)
    jobs = [job for _, job in misses]
    if len(jobs) < PARALLEL_THRESHOLD or workers < 2:
        fresh = [_extract_file(j) for j in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            fresh = list(pool.map(_extract_file, jobs, chunksize=16))
    for (index, _), result in zip(misses, fresh):
        results[index] = result
    return results


def run(paths: list[Path], settings: Settings, select=None, ignore=None, extend_select=None,
        cache_dir: Path | None = None) -> RunResult:
    rules = load_rules()
    known = sorted(rules)
    selection = Selection.build(known, settings, select, extend_select, ignore)
    catalog = builtin_catalog().with_extensions(settings.extensions)
    files = discover(paths, settings.root, settings.exclude + settings.extend_exclude)
    results = extract_all(files, settings.root, cache_dir)
    modules = [r for r in results if isinstance(r, ModuleFacts)]
    errors = tuple(sorted((r for r in results if isinstance(r, ParseError)), key=lambda e: e.path))
    findings, patterns = analyse(modules, catalog, rules)
    suppressions = {m.path: dict(m.suppressions) for m in modules}
    kept = [f for f in findings if selection.reports(f.code, f.path, f.stmt_lines, suppressions.get(f.path, {}))]
    kept.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    sources = {relative(f, settings.root): f for f in files}
    return RunResult(len(files), tuple(kept), errors, tuple(modules), tuple(patterns), sources)
