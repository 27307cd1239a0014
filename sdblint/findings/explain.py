"""The explanation of a finding: the path from the proposer to the sink, one step per hop."""
from __future__ import annotations

from ..flow.graph import FlowGraph
from ..flow.propagate import State
from ..nodes import NodeKind, class_parts, ref, scope_module
from .model import Step


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
    where = ref(node)
    if where.kind is NodeKind.DEF and not where.is_param:
        d = p.defs.get(node)
        if d:
            return Step(p.modules[scope_module(d.scope)].path, d.line, d.note or d.name)
    if where.is_param:
        function, index = p.params.get(node, (None, 0))
        if function:
            return Step(p.modules[scope_module(function.key)].path, function.loc.line,
                        f"parameter `{function.params[index].name}` of {function.qualname}()")
    if where.kind is NodeKind.RETURN:
        f = p.functions.get(where.scope)
        if f:
            return Step(p.modules[scope_module(f.key)].path, f.loc.line, f"returned by {f.qualname}()")
    if where.kind is NodeKind.ATTR:
        stores = p.stores.get(node)
        if stores:
            return Step(p.modules[where.module].path, stores[0].line,
                        stores[0].note or f"{class_parts(where.class_key)[1]}.{where.name}")
    if where.kind is NodeKind.CALL:
        call = p.calls.get(node)
        if call:
            return Step(p.call_module[call.id].path, call.loc.line, call.text[:120])
    return None
