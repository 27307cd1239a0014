"""SDB101-SDB110: model output reaches a side-effecting sink without an adequate verifier.

What it does: follows every proposer's output through the flow graph to the sinks of the
catalog (shell, code, SQL, files, network, messages, dispatch, cloud, state, markup) and
reports each sink call that an unverified path reaches, one finding per call and rule.
The rule documentation per code is in ``rules/rules.toml``; the categories and what is
adequate for each in ``rules/sinks.toml``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..catalog import builtin_catalog
from ..findings.explain import chain_of, explain
from ..findings.model import Finding, SourceRef, Step
from ..findings.per_source import failing_per_source
from ..findings.status import is_verified, verifier_status
from ..flow.edges import DISPATCH
from ..flow.propagate import State
from ..flow.types import SinkRole, SinkSite
from ..limits import MAX_FLOWS_PER_FINDING
from ..nodes import scope_qualname, sink_node
from ..runtime_patterns import direct_weakness, pattern_for
from .base import Analysis
from .docs import RuleDoc

if TYPE_CHECKING:   # annotations only: the graph (networkx, libcst) loads when a run analyses
    from ..flow.graph import FlowGraph

# What an agent built to act on its model's text does with it, by the sink category of its tools.
AGENT_ACTIONS = {
    "code": "runs code written by its model", "shell": "runs shell commands written by its model",
    "sql": "runs SQL written by its model", "network": "sends requests to addresses chosen by its model",
}


class UnverifiedAction:
    name = "unverified-action"
    codes = tuple(sorted({c.code for c in builtin_catalog().categories.values()}))

    def run(self, analysis: Analysis, failures) -> list[Finding]:
        fg = analysis.graph
        per_node, parents = analysis.propagation.per_node, analysis.propagation.parents
        catalog = fg.catalog
        findings: list[Finding] = []
        reported: set[tuple[str, str]] = set()
        for site in sorted(fg.sinks, key=lambda s: (s.call.id, s.role is not SinkRole.CALLEE, s.node)):
            states = per_node.get(site.node)
            if not states:
                continue
            if site.role is SinkRole.ARGUMENTS and not per_node.get(sink_node(site.call.id, DISPATCH, SinkRole.CALLEE.value)):
                continue   # the model did not pick this callable: an internal dispatch, not a tool call
            category = catalog.categories[site.category]
            adequate = ((category.arguments_adequate if site.role is SinkRole.ARGUMENTS else category.adequate)
                        | set(site.extra_adequate)) - set(site.not_adequate)
            failing = [s for s in states if not is_verified(s.tags, adequate, per_node, catalog)]
            if not failing or (site.call.id, category.code) in reported:
                continue
            reported.add((site.call.id, category.code))
            module = fg.project.call_module[site.call.id]
            with failures.contain(f"check {category.code}", module.path, site.call.loc.line, site.call.text[:80]):
                chains = source_chains(fg, site, failing, parents, per_node,
                                       lambda tags: not is_verified(tags, adequate, per_node, catalog))
                findings.append(make_finding(fg, site, chains, per_node, analysis.rules[category.code], adequate,
                                             analysis.patterns))
        return findings


def rank(chain: list[State]) -> tuple:
    """The flow a reviewer reads first: the fewest checks, then the fewest hops."""
    end = chain[-1]
    return len([t for t in end.tags if not t.is_marker]), len(end.tags), len(chain), sorted(end.tags)


def source_chains(fg: FlowGraph, site: SinkSite, failing, parents, per_node, fails) -> list[list[State]]:
    """The best unverified path from each source that reaches the sink, the best first: those
    propagation kept, and those of the sources whose states it merged with another source's."""
    best: dict[str, list[State]] = {}
    found = [chain_of(s, parents) for s in failing]
    searched = failing_per_source(fg, site.node, per_node, fails)
    for chain in found + [c for chains in (searched or {}).values() for c in chains]:
        root = chain[0].node
        if root not in best or rank(chain) < rank(best[root]):
            best[root] = chain
    return sorted(best.values(), key=lambda chain: (rank(chain), chain[0].node))


def make_finding(fg: FlowGraph, site: SinkSite, chains: list[list[State]], per_node, rule: RuleDoc,
                 adequate, hits) -> Finding:
    p = fg.project
    call = site.call
    module = p.call_module[call.id]
    chain = chains[0]
    state = chain[-1]
    reaches = Step(module.path, call.loc.line, f"reaches {site.callee}" + (" (arguments)" if site.role is SinkRole.ARGUMENTS else ""))
    if len(chains) > MAX_FLOWS_PER_FINDING:
        p.limits.hit("MAX_FLOWS_PER_FINDING", len(chains) - MAX_FLOWS_PER_FINDING)
    flows = tuple(tuple(explain(fg, c)) + (reaches,) for c in chains[:MAX_FLOWS_PER_FINDING])
    # The sources at the root of the unverified flows that reach this sink.
    sources = sorted(
        {SourceRef(x.path, x.line, x.callee, x.label) for x in (fg.sources[c[0].node] for c in chains if c[0].node in fg.sources)},
        key=lambda s: (s.path, s.line, s.callee),
    )
    status, detail, where, wording = verifier_status(fg, site, state, adequate, per_node)
    first = fg.sources.get(chain[0].node)
    if first is None:
        origin = "a model"
    else:
        name = first.callee if first.callee.startswith(first.label.split("<")[0]) else f"{first.label} {first.callee}"
        origin = f"{name} ({first.path}:{first.line})"
    if site.role is SinkRole.CALLEE:
        what = f"picks the callable `{site.callee}`"
    elif site.role is SinkRole.ARGUMENTS:
        what = f"supplies the arguments of dispatched `{site.callee}`"
    else:
        what = f"reaches {site.callee}"
    message = f"model output from {origin} {what} {wording}"
    if site.role is SinkRole.AGENT:
        model = f" (`{first.callee}`)" if first else ""
        action = AGENT_ACTIONS.get(site.category, "acts on what its model writes")
        message = f"`{site.callee}` builds an agent that {action}{model} in-process {wording}"
    along = [call.scope] + [fg.node_scope.get(s.node, "") for s in reversed(chain)]
    hit = pattern_for(hits, list(dict.fromkeys(x for x in along if x)), module.module)
    pattern_id, weakness = (hit.id, hit.weaknesses[0]) if hit else ("direct", direct_weakness())
    return Finding(
        code=rule.code, name=rule.name, severity=rule.severity, path=module.path,
        line=call.loc.line, column=call.loc.column, end_line=call.loc.end_line, end_column=call.loc.end_column,
        message=message, sink_callee=site.callee, sink_category=site.category, sources=tuple(sources),
        flows=flows, verifier_status=status.value, verifier_detail=detail, verifier_location=where,
        pattern_id=pattern_id, pattern_weakness=weakness, stmt_lines=call.stmt_lines,
        call_text=call.text, scope_name=scope_qualname(call.scope),
    )
