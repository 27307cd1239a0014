"""The one orchestrator: paths or in-memory sources in, a plain :class:`Result` out.

    discover -> extract (parallel, cached) -> project index -> flow graph -> propagate
             -> runtime patterns -> checks (registry) -> fingerprints -> selection

The CLI, the tests and the language server call only :func:`run` and :func:`run_sources`.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Catalog, builtin_catalog
from .checks import (
    INTERNAL_ERROR,
    REGISTRY,
    UNUSED_SUPPRESSION,
    Analysis,
    RuleDoc,
    load_rules,
    placeholder_waivers,
    rule_codes,
    unused_suppressions,
)
from .config.selection import Selection, Waived
from .config.hierarchy import Scope, all_extensions, inside, nested_scopes, scope_of
from .config.settings import Settings
from .discover import discover, matches_any, printable, read_source
from .extract import DEFAULT_FILE_TIMEOUT
from .extract.cache import FactsCache
from .facts import ModuleFacts, ParseError
from .failures import Failures, InternalError
from .findings.fingerprint import anchored_path, with_fingerprints
from .findings.model import Finding
from .flow.coverage import Coverage, coverage_of
from .limits import MAX_FILE_BYTES, LimitHits
from .run_cache import CachedRun, RunCache, StoredRun, content_digests
from .runtime_patterns import PatternHit, infer_patterns


@dataclass(frozen=True)
class Options:
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    cache_dir: Path | None = None
    jobs: int | None = None                       # worker processes; None: one per core
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT
    progress: Callable[[int, int], None] | None = None   # (files extracted so far, files to extract)
    # Asked as each phase starts; True ends the run with Cancelled (an editor's buffer changed meanwhile).
    cancelled: Callable[[], bool] | None = None
    # (a temporary folder this run analyses, the name it stands for): the run cache files the results
    # under that name, so that a git revision analysed again in a new temporary worktree is answered
    # from the cache, in one slot of its own however many temporary folders there were.
    stands_for: tuple[Path, str] | None = None


@dataclass(frozen=True)
class Stats:
    files: int
    extracted: int
    cached: int
    limits: dict[str, int] = field(default_factory=dict)
    timings: tuple[tuple[str, float], ...] = ()   # seconds per phase, in pipeline order (never in JSON)
    reused: str = ""                              # why the results came from the run cache, if they did


class Cancelled(Exception):
    """A run stopped between two phases because nobody wants its result any more."""


class Timings:
    """Wall time per pipeline phase, for `--verbose`; the point where a run is cancelled."""

    def __init__(self, cancelled: Callable[[], bool] | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self.cancelled = cancelled

    @property
    def phases(self) -> list[tuple[str, float]]:
        return list(self.seconds.items())

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time spent in ``name``; a phase entered twice (extraction before and after the early cutoff) adds up."""
        if self.cancelled is not None and self.cancelled():
            raise Cancelled(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


@dataclass(frozen=True)
class Result:
    files: int
    findings: tuple[Finding, ...]
    errors: tuple[ParseError, ...]
    modules: tuple[ModuleFacts, ...]
    patterns: tuple[PatternHit, ...]
    stats: Stats
    sources: dict[str, Path] = field(default_factory=dict)   # reported path -> file, for code frames
    gate: tuple[tuple[str, int], ...] = ()   # what the gate (baseline, diff, given files) left out, counted
    suppressed: tuple[Waived, ...] = ()      # findings a suppression comment hid (for SARIF's `suppressions`)
    compared: bool = False                   # whether the gate compared with a baseline or a git revision
    unchanged: tuple[Finding, ...] = ()      # findings left out because the baseline or the revision had them
    scopes: tuple[Scope, ...] = ()           # nested configs and their folders (a monorepo's services)
    bare_suppressions: tuple[tuple[str, int, str], ...] = ()   # (path, line, code): a `# noqa` naming no code
    coverage: Coverage = Coverage()          # the model calls, tool entry points and sinks recognised


def relative(path: Path, root: Path) -> str:
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):   # a symlink loop (RuntimeError before Python 3.13): its folder, and its name
        resolved = path.parent.resolve() / path.name
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def run(paths: list[Path], settings: Settings, options: Options = Options(),
        buffers: dict[Path, bytes] | None = None) -> Result:
    """Check the Python files under ``paths`` (read from disk, never imported or run). ``buffers``
    holds text that stands in for files (standard input, an editor's unsaved buffer): its own
    content is checked instead of the file's, whether or not the file exists on disk."""
    timings = Timings(options.cancelled)
    buffers = {path.resolve(): data for path, data in (buffers or {}).items()}
    with timings.phase("discover"):
        found = discover(paths, settings.root, settings.exclude + settings.extend_exclude)
        files = [*found.files, *sorted(p for p in buffers if not p.exists())]   # a new file, not saved yet
        scopes = nested_scopes(files, settings)
        if scopes:   # a file under a nested config is excluded by that config's globs too
            files = [f for f in files if not excluded_by_scope(relative(f, settings.root), scopes)]
    inputs = []
    unreadable = [ParseError(printable(relative(path, settings.root)), why) for path, why in found.problems]
    with timings.phase("read"):
        for f in files:
            rel = relative(f, settings.root)
            try:
                resolved = f.resolve()
                inputs.append((rel, buffers[resolved] if resolved in buffers else read_source(f, MAX_FILE_BYTES)))
            except OSError as exc:
                unreadable.append(ParseError(rel, f"cannot read file: {exc.strerror}"))

    sources = {relative(f, settings.root): f for f in files}

    def anchor(rel: str) -> str:
        file = sources.get(rel, settings.root / rel).resolve()
        return anchored_path(file.parts, lambda folder: Path(*folder, "__init__.py").is_file())

    return _check(inputs, unreadable, anchor, settings, options, sources, timings, scopes)


def run_sources(sources: dict[str, str], settings: Settings, options: Options = Options()) -> Result:
    """Check in-memory sources (relative path -> text), e.g. an editor's unsaved buffers."""
    inits = {tuple(rel.split("/")[:-1]) for rel in sources if rel.rsplit("/", 1)[-1] == "__init__.py"}
    inputs = [(rel, text.encode("utf-8")) for rel, text in sorted(sources.items())]
    return _check(inputs, [], lambda rel: anchored_path(tuple(rel.split("/")), inits.__contains__), settings, options, {})


def selection_for(settings: Settings, options: Options, rules: dict[str, RuleDoc],
                  scopes: tuple[Scope, ...] = ()) -> Selection:
    """The rules a run reports: the config's selection (each nested config's for its files), the
    command line's, and opt-in rules only when named."""
    def build(s: Settings) -> Selection:
        return Selection.build(list(rule_codes()), s, options.select, options.extend_select, options.ignore,
                               opt_in=frozenset(code for code, doc in rules.items() if doc.opt_in))
    return build(settings).scoped((scope.folder, build(scope.settings)) for scope in scopes)


def excluded_by_scope(rel: str, scopes: tuple[Scope, ...]) -> bool:
    scope = scope_of(rel, scopes)
    return scope is not None and matches_any(inside(rel, scope), scope.settings.exclude + scope.settings.extend_exclude)


def _check(inputs, unreadable, anchor, settings: Settings, options: Options, sources,
           timings: Timings | None = None, scopes: tuple[Scope, ...] = ()) -> Result:
    timings = timings or Timings(options.cancelled)
    rules = load_rules()
    selection = selection_for(settings, options, rules, scopes)
    catalog = builtin_catalog().with_extensions(all_extensions(settings, scopes))
    files = len(inputs) + len(unreadable)
    settings_text = repr((settings, scopes, options.select, options.extend_select, options.ignore))
    if options.stands_for is not None:
        settings_text = settings_text.replace(str(options.stands_for[0]), options.stands_for[1])
    run_cache = RunCache(options.cache_dir, settings_text) if options.cache_dir else None
    cache = FactsCache(options.cache_dir) if options.cache_dir else None
    with timings.phase("reuse"):
        contents = content_digests(inputs) if run_cache else []
        inputs_key = run_cache.key(contents, unreadable) if run_cache else ""
        previous = run_cache.load() if run_cache else None

    def answer_from(stored: StoredRun, reason: str, extracted: int) -> Result:
        stats = Stats(files, extracted, len(inputs) - extracted, stored.run.limits, tuple(timings.phases), reused=reason)
        return Result(files, stored.run.findings, stored.run.errors, (), stored.run.patterns, stats, sources,
                      bare_suppressions=stored.run.bare_suppressions, coverage=stored.run.coverage,
                      suppressed=stored.run.suppressed, scopes=scopes)

    if previous is not None and previous.inputs_key == inputs_key:
        return answer_from(previous, "no file, setting or sdblint code changed", 0)
    # The parser (libcst) and the graph (networkx) load only now that the run cache could not answer
    # (a warm `check` never needs them); the walker before extraction's worker processes fork, so
    # that they inherit it instead of each importing it.
    from .extract import walker  # noqa: F401
    from .extract.runner import extract_all, merged

    limits = LimitHits()
    # The facts and the graph live until the end of the run and what they are made of holds no
    # cycles worth collecting, so the cycle collector would only walk millions of live objects
    # again and again: while facts are decoded (from the cache or from the workers; two thirds
    # of a warm load) and through the analysis (a fifth of its time on the bench corpus).
    gc.disable()
    try:
        with timings.phase("parse/extract"):
            changed = previous.changed(contents) if previous is not None else []
            fresh = extract_all([inputs[i] for i in changed], cache, options.jobs, options.file_timeout, options.progress,
                                [contents[i][1] for i in changed] if contents else None)
        if previous is not None and run_cache.facts_unchanged(previous, contents, unreadable, changed, fresh.results, cache):
            run_cache.store(StoredRun(inputs_key, dict(contents), previous.run))
            return answer_from(previous, "the changed files' facts are as they were", fresh.extracted)
        with timings.phase("parse/extract"):
            done = set(changed)
            rest = [i for i in range(len(inputs)) if i not in done]
            extraction = merged([(changed, fresh), (rest, extract_all([inputs[i] for i in rest], cache, options.jobs,
                                                                      options.file_timeout, options.progress,
                                                                      [contents[i][1] for i in rest] if contents else None))])
        oversized = sum(len(data) > MAX_FILE_BYTES for _, data in inputs)
        if oversized:
            limits.hit("MAX_FILE_BYTES", oversized)
        modules = [r for r in extraction.results if isinstance(r, ModuleFacts)]
        # The reasons of the waivers, for SDB900, are read now: only files with a waiver.
        waived_files = {m.path for m in modules if m.suppressions} if UNUSED_SUPPRESSION in selection.all_codes else set()
        waiver_sources = {rel: data for rel, data in inputs if rel in waived_files}
        inputs.clear()   # the files' bytes are done with (tens of MB on a large project): not kept through the analysis
        errors = tuple(sorted([*unreadable, *(r for r in extraction.results if isinstance(r, ParseError))],
                              key=lambda e: e.path))
        gc.freeze()
        findings, patterns, coverage = analyse(modules, catalog, rules, limits, timings)
    finally:
        gc.enable()
        gc.unfreeze()
    with timings.phase("report"):
        kept, bare, waived = reported(findings, modules, selection, rules, waiver_sources)
        fingerprinted = tuple(with_fingerprints(kept, anchor))
        # Fingerprinted apart, so that a waived finding never shifts the occurrence index of a reported
        # one; a finding's statement and code decide which comment waived it.
        comment = {(w.finding.path, w.finding.stmt_lines, w.finding.code): (w.line, w.code) for w in waived}
        suppressed = tuple(Waived(f, *comment[f.path, f.stmt_lines, f.code])
                           for f in with_fingerprints([w.finding for w in waived], anchor))
    if run_cache is not None and not any(e.transient for e in errors):
        run_cache.store(StoredRun(inputs_key, dict(contents), CachedRun(fingerprinted, errors, tuple(patterns),
                                                                         limits.as_dict(), bare, coverage, suppressed)))
    stats = Stats(files, extraction.extracted, extraction.cached, limits.as_dict(), tuple(timings.phases))
    return Result(files, fingerprinted, errors, tuple(modules), tuple(patterns), stats, sources, bare_suppressions=bare,
                  coverage=coverage, suppressed=suppressed, scopes=scopes)


def reported(findings: list[Finding], modules: list[ModuleFacts], selection: Selection,
             rules: dict[str, RuleDoc], waiver_sources: dict[str, bytes]) -> tuple[list[Finding], tuple[tuple[str, int, str], ...], list[Waived]]:
    """The findings the selection and the suppression comments leave, the unused suppressions and
    those whose reason is still the placeholder (read from ``waiver_sources``) among them when SDB900 is on, (path, line, code) of each reported finding whose statement
    carries a bare `# noqa` (which names no code, so it suppressed nothing), and the findings the
    comments hid."""
    suppressions = {m.path: dict(m.suppressions) for m in modules if m.suppressions}
    kept, waived = selection.apply(findings, suppressions)
    if UNUSED_SUPPRESSION in selection.all_codes:
        used = {(w.finding.path, w.line, w.code) for w in waived}
        unused = unused_suppressions(suppressions, used, selection, rule_codes(), rules[UNUSED_SUPPRESSION])
        unused += placeholder_waivers(waiver_sources, suppressions, rules[UNUSED_SUPPRESSION])
        unused_kept, unused_waived = selection.apply(unused, suppressions)
        kept += unused_kept
        waived += unused_waived
    bare_lines = {m.path: set(m.bare_suppressions) for m in modules if m.bare_suppressions}
    bare = tuple(sorted((f.path, n, f.code) for f in kept for n in range(f.stmt_lines[0], f.stmt_lines[1] + 1)
                        if n in bare_lines.get(f.path, ())))
    return kept, bare, waived


def analyse(modules: list[ModuleFacts], catalog: Catalog, rules: dict[str, RuleDoc], limits: LimitHits,
            timings: Timings | None = None) -> tuple[list[Finding], list[PatternHit], Coverage]:
    """Every check over the project, and what it recognised; a failing unit becomes an SDB999
    finding, never a lost run."""
    from .flow.graph import FlowGraph
    from .flow.propagate import propagate
    from .project import Project

    timings = timings or Timings()
    failures = Failures()
    with timings.phase("index"):
        project = Project(modules, catalog, limits=limits, failures=failures)
    with timings.phase("graph"):
        graph = FlowGraph.of(project, catalog, failures)
    coverage = Coverage()
    with failures.contain("coverage", "", 0):
        coverage = coverage_of(graph)
    with timings.phase("propagate"):
        propagation = propagate(graph)
    patterns: list[PatternHit] = []
    with timings.phase("patterns"), failures.contain("runtime patterns", "", 0):
        patterns = infer_patterns(graph, propagation.per_node)
    analysis = Analysis(graph, propagation, tuple(patterns), rules)
    findings: list[Finding] = []
    with timings.phase("checks"):
        for check in REGISTRY:
            with failures.contain(f"check {check.name}", "", 0):
                findings.extend(check.run(analysis, failures))
    return findings + [internal_error(e, rules[INTERNAL_ERROR]) for e in failures.items], patterns, coverage


def internal_error(error: InternalError, rule: RuleDoc) -> Finding:
    where = f" on `{error.unit}`" if error.unit else ""
    return Finding.at_line(
        rule.code, rule.name, rule.severity, error.path, error.line or 1,
        f"internal error in stage {error.stage}{where} ({error.exception}); the rest of the run is "
        "reported. Please report this with the code at this line", identity=error.exception, scope=error.stage)
