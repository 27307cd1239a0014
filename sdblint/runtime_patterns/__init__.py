"""Which runtime pattern the code implies (DESIGN.md §1), from the signals in rules/patterns.toml."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..catalog import Pattern, compile_pattern, rules_folder
from ..kinds import VerifierKind
from ..nodes import return_node, scope_module, scope_qualname
from ..tomlcompat import tomllib

if TYPE_CHECKING:   # annotations only: the graph (networkx, libcst) loads when a run analyses
    from ..flow.graph import FlowGraph


@dataclass(frozen=True)
class PatternSpec:
    id: str
    concern: str
    calls: tuple[Pattern, ...]
    keywords: frozenset[str]
    decorators: tuple[Pattern, ...]
    model_in_loop: bool
    human: bool
    weaknesses: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    path: str
    line: int
    why: str


@dataclass(frozen=True)
class PatternHit:
    id: str
    scope: str              # "path::qualname"
    function: str           # function key, for matching findings
    module: str
    confidence: float
    evidence: tuple[Evidence, ...]
    weaknesses: tuple[str, ...]


@lru_cache(maxsize=1)
def load_patterns() -> tuple[tuple[PatternSpec, ...], str]:
    data = tomllib.loads(rules_folder().joinpath("patterns.toml").read_text(encoding="utf-8"))
    specs = tuple(
        PatternSpec(
            t["id"], t["concern"], tuple(compile_pattern(p) for p in t.get("calls", ())),
            frozenset(t.get("keywords", ())), tuple(compile_pattern(p) for p in t.get("decorators", ())),
            bool(t.get("model_in_loop", False)), bool(t.get("human", False)), tuple(t["weaknesses"]),
        )
        for t in data["pattern"]
    )
    return specs, data["direct"]["weakness"]


def infer_patterns(fg: FlowGraph, reached) -> list[PatternHit]:
    """Patterns per function of every module where model output flows (``reached``: tainted nodes)."""
    p = fg.project
    specs, _ = load_patterns()
    agentic = {s.path for s in fg.sources.values()} | {
        p.call_module[c].path for c in p.calls if c in reached
    }

    def proposes(call, res) -> bool:
        """A model call, or a call of a function whose own result is model output."""
        return call.id in fg.sources or any(
            not state.descended for k in res.functions for state in reached.get(return_node(k), ())
        )

    signals: dict[tuple[str, str], list[Evidence]] = {}

    def note(spec: PatternSpec, scope: str, path: str, line: int, why: str) -> None:
        found = signals.setdefault((spec.id, scope), [])
        if all((e.line, e.why) != (line, why) for e in found):
            found.append(Evidence(path, line, why))

    for call in p.calls.values():
        module = p.call_module[call.id]
        if module.path not in agentic:
            continue
        res = fg.resolutions[call.id]
        line = call.loc.line
        for spec in specs:
            if any(pt.matches(path) for path in res.paths for pt in spec.calls):
                note(spec, call.scope, module.path, line, f"calls {call.callee_text}")
            for a in call.args:
                if a.keyword in spec.keywords:
                    note(spec, call.scope, module.path, line, f"`{a.keyword}=` on {call.callee_text}")
            if spec.model_in_loop and call.in_loop and proposes(call, res):
                note(spec, call.scope, module.path, line, "model output is produced inside a loop")
            if spec.human and res.verifier and res.verifier.kind is VerifierKind.HUMAN:
                note(spec, call.scope, module.path, line, f"asks a human: {call.callee_text}")
    for f in p.functions.values():
        module = p.modules[scope_module(f.key)]
        if module.path not in agentic or not f.decorators:
            continue
        paths = {path for d in f.decorators if d for path in p.dotted_paths(module.module, d)}
        for spec in specs:
            if any(pt.matches(path) for path in paths for pt in spec.decorators):
                note(spec, f.key, module.path, f.loc.line, f"{f.qualname} is a handler ({', '.join(sorted(d for d in f.decorators if d))})")
    order = {spec.id: spec for spec in specs}
    hits = []
    for (pattern_id, scope), evidence in signals.items():
        module_name, qualname = scope_module(scope), scope_qualname(scope)
        path = p.modules[module_name].path
        confidence = round(min(0.95, 0.5 + 0.15 * (len(evidence) - 1)), 2)
        hits.append(PatternHit(pattern_id, f"{path}::{qualname}", scope, module_name, confidence,
                               tuple(sorted(evidence, key=lambda e: (e.line, e.why))), order[pattern_id].weaknesses))
    return sorted(hits, key=lambda h: (h.scope, h.id))


def pattern_for(hits: list[PatternHit], scopes: list[str], module: str) -> PatternHit | None:
    """The strongest pattern in the first of ``scopes`` that has one, else in ``module``."""
    for scope in scopes:
        here = [h for h in hits if h.function == scope]
        if here:
            return max(here, key=lambda h: (h.confidence, h.id))
    here = [h for h in hits if h.module == module]
    return max(here, key=lambda h: (h.confidence, h.id)) if here else None


def direct_weakness() -> str:
    """The weakness of code that matches no pattern: model output piped straight into an action."""
    return load_patterns()[1]
