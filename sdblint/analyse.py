"""From propagated states to findings: adequacy per sink, verifier status, explanation."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .catalog import Catalog
from .facts import ModuleFacts
from .graph import MARKERS, FlowGraph, SinkSite
from .project import Project
from .patterns import PatternHit, infer_patterns, load_patterns, pattern_for
from .propagate import State, propagate
from .ruledocs import RuleDoc


@dataclass(frozen=True)
class Step:
    path: str
    line: int
    note: str


@dataclass(frozen=True)
class SourceRef:
    path: str
    line: int
    callee: str
    label: str


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    sink_callee: str
    sink_category: str
    sources: tuple[SourceRef, ...]
    flow: tuple[Step, ...]
    verifier_status: str
    verifier_detail: str
    verifier_location: str
    pattern_id: str
    pattern_weakness: str
    fingerprint: str
    stmt_lines: tuple[int, int]


def check_graph(fg: FlowGraph, rules: dict[str, RuleDoc]) -> tuple[list[Finding], list[PatternHit]]:
    per_node, parents = propagate(fg)
    hits = infer_patterns(fg, per_node)
    catalog = fg.catalog
    findings: list[Finding] = []
    reported: set[tuple[str, str]] = set()
    for site in sorted(fg.sinks, key=lambda s: (s.call.id, s.role != "callee", s.node)):
        states = per_node.get(site.node)
        if not states:
            continue
        if site.role == "arguments" and not per_node.get(f"{site.call.id}:dispatch:callee"):
            continue   # the model did not pick this callable: an internal dispatch, not a tool call
        category = catalog.categories[site.category]
        adequate = ((category.arguments_adequate if site.role == "arguments" else category.adequate)
                    | set(site.extra_adequate)) - set(site.not_adequate)
        failing = [s for s in states if not any(t[0] in adequate and trusted(t, per_node) for t in s.tags)]
        if not failing:
            continue
        if (site.call.id, category.code) in reported:
            continue
        reported.add((site.call.id, category.code))
        witness = min(failing, key=lambda s: (len([t for t in s.tags if t[0] not in MARKERS]), len(s.tags), sorted(s.tags)))
        findings.append(make_finding(fg, site, witness, failing, parents, per_node, rules[category.code], adequate, hits))
    return findings, hits


def chain_of(state: State, parents) -> list[State]:
    """The states from the proposer to ``state``."""
    chain = []
    current: State | None = state
    while current is not None:
        chain.append(current)
        parent = parents.get(current)
        current = parent[0] if parent else None
    chain.reverse()
    return chain


def trusted(tag, per_node) -> bool:
    """An allow-list whose container holds model output does not count."""
    if tag[0] == "allowlist" and tag[2].startswith("in:"):
        return not any(node in per_node for node in tag[2][3:].split(","))
    return True


def explain(fg: FlowGraph, chain: list[State]) -> list[Step]:
    steps: list[Step] = []
    for s in chain:
        step = describe(fg, s.node)
        if step is None:
            continue
        if steps and (steps[-1].path, steps[-1].line) == (step.path, step.line):
            # The statement says more than the call inside it.
            prefix = "model output: " if steps[-1].note.startswith("model output") else ""
            steps[-1] = Step(step.path, step.line, prefix + step.note)
            continue
        steps.append(step)
    return steps


def describe(fg: FlowGraph, node: str) -> Step | None:
    p = fg.project
    if node in fg.sources:
        src = fg.sources[node]
        return Step(src.path, src.line, "model output")
    kind = node[0]
    if kind == "n" and not node.endswith("#p"):
        d = p.defs.get(node)
        if d:
            return Step(p.modules[d.scope.split("::")[0]].path, d.line, d.note or d.name)
    if kind == "n":
        function, index = p.params.get(node, (None, 0))
        if function:
            return Step(p.modules[function.key.split("::")[0]].path, function.loc.line,
                        f"parameter `{function.params[index].name}` of {function.qualname}()")
    if kind == "r":
        f = p.functions.get(node[2:])
        if f:
            return Step(p.modules[f.key.split("::")[0]].path, f.loc.line, f"returned by {f.qualname}()")
    if kind == "a":
        _, module, qual, attr = node.split(":", 3)
        stores = p.stores.get(node)
        if stores:
            return Step(p.modules[module].path, stores[0].line, stores[0].note or f"{qual}.{attr}")
    if kind == "c" and ":" in node[2:] and node.count(":") == 2:
        call = p.calls.get(node)
        if call:
            return Step(p.call_module[call.id].path, call.loc.line, call.text[:120])
    return None


STATUS_TEXT = {
    "missing": "without a verifier",
    "parse-only": "after parsing only (parsing is not verifying)",
    "name-only": "through a 'verifier' that cannot reject",
    "discarded": "while the validated value is discarded",
    "not-guarding": "with a check that does not guard it",
    "after-sink": "with a check only after the action",
    "inadequate": "with a verifier that is not adequate for this sink",
}


def verifier_status(fg: FlowGraph, site: SinkSite, state: State, adequate, per_node) -> tuple[str, str, str]:
    verified = [t for t in state.tags if t[0] not in MARKERS]
    untrusted = [t for t in verified if not trusted(t, per_node)]
    if untrusted:
        return "inadequate", "the allow-list is built from model output", untrusted[0][1]
    if verified:
        tag = sorted(verified)[0]
        kinds = ", ".join(sorted({t[0] for t in verified}))
        return "inadequate", f"{kinds} is not enough here; needs one of: {', '.join(sorted(adequate))}", tag[1]
    markers = {t[0]: t for t in sorted(state.tags)}
    if "discarded" in markers:
        t = markers["discarded"]
        return "discarded", f"the result of {t[2]} is not used", t[1]
    if "name-only" in markers:
        t = markers["name-only"]
        return "name-only", f"{t[2]}() cannot reject its input", t[1]
    call = site.call
    line = call.loc.line
    module = fg.project.call_module[call.id]
    keys = set(site.keys)
    for check in fg.project.modules[module.module].checks:
        if check.scope != call.scope or check.line == line:
            continue
        relevant = any(k == c or k.startswith(c + ".") or c.startswith(k + ".") for k in keys for c in check.keys)
        effects = fg.guard_effects((check.guard,), call.scope) if relevant or "*" in check.keys else ()
        where = f"{module.path}:{check.line}"
        effects = [e for e in effects if e[0] not in MARKERS and (relevant or e[0] == "human")]
        if not effects:
            continue
        if check.line > line:
            return "after-sink", f"{effects[0][0]} check comes after the action", where
        return "not-guarding", f"{effects[0][0]} check does not dominate the action or does not reject", where
    for other in fg.project.calls_by_scope.get(call.scope, ()):
        res = fg.resolutions[other.id]
        if res.verifier and res.verifier[0] == "human" and other.loc.line != line:
            where = f"{module.path}:{other.loc.line}"
            if other.loc.line > line:
                return "after-sink", f"the approval ({other.callee_text}) comes after the action", where
            return "discarded", f"the answer of {other.callee_text}() does not guard the action", where
    if "parse" in markers:
        return "parse-only", "parsed but never validated", markers["parse"][1]
    return "missing", "no verifier on this path", ""


def make_finding(fg: FlowGraph, site: SinkSite, state: State, failing, parents, per_node, rule: RuleDoc,
                 adequate, hits) -> Finding:
    p = fg.project
    call = site.call
    module = p.call_module[call.id]
    chain = chain_of(state, parents)
    steps = explain(fg, chain)
    steps.append(Step(module.path, call.loc.line, f"reaches {site.callee}" + (" (arguments)" if site.role == "arguments" else "")))
    # The proposers at the root of the unverified flows that reach this sink.
    roots = {chain_of(s, parents)[0].node for s in failing}
    sources = sorted(
        {SourceRef(x.path, x.line, x.callee, x.label) for x in (fg.sources[r] for r in roots if r in fg.sources)},
        key=lambda s: (s.path, s.line, s.callee),
    )
    status, detail, where = verifier_status(fg, site, state, adequate, per_node)
    first = fg.sources.get(chain[0].node)
    if first is None:
        origin = "a model"
    else:
        name = first.callee if first.callee.startswith(first.label.split("<")[0]) else f"{first.label} {first.callee}"
        origin = f"{name} ({first.path}:{first.line})"
    if site.role == "callee":
        what = f"picks the callable `{site.callee}`"
    elif site.role == "arguments":
        what = f"supplies the arguments of dispatched `{site.callee}`"
    else:
        what = f"reaches {site.callee}"
    message = f"model output from {origin} {what} {STATUS_TEXT[status]}"
    along = [call.scope] + [fg.node_scope.get(s.node, "") for s in reversed(chain)]
    hit = pattern_for(hits, list(dict.fromkeys(x for x in along if x)), module.module)
    pattern_id, weakness = (hit.id, hit.weaknesses[0]) if hit else ("direct", load_patterns()[1])
    fingerprint = hashlib.sha256(
        "|".join([rule.code, module.path, site.callee, call.text, call.scope]).encode()
    ).hexdigest()[:20]
    return Finding(
        code=rule.code, name=rule.name, severity=rule.severity, path=module.path,
        line=call.loc.line, column=call.loc.column, end_line=call.loc.end_line, end_column=call.loc.end_column,
        message=message, sink_callee=site.callee, sink_category=site.category, sources=tuple(sources),
        flow=tuple(steps), verifier_status=status, verifier_detail=detail, verifier_location=where,
        pattern_id=pattern_id, pattern_weakness=weakness, fingerprint=fingerprint, stmt_lines=call.stmt_lines,
    )


def analyse(modules: list[ModuleFacts], catalog: Catalog, rules: dict[str, RuleDoc]) -> tuple[list[Finding], list[PatternHit]]:
    project = Project(modules, catalog.schema_bases, catalog.enum_bases, catalog.composers)
    fg = FlowGraph(project, catalog).build()
    return check_graph(fg, rules)
