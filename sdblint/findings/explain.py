"""The explanation of a finding: the path from the proposer to the sink, one step per hop."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..flow.propagate import State
from ..nodes import NodeKind, class_parts, ref, scope_module
from .model import Step

if TYPE_CHECKING:   # annotations only: the graph (networkx, libcst) loads when a run analyses
    from ..flow.graph import FlowGraph

RETURNED = "returned by"


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
    previous = ""
    for s in chain:
        for step in describe(fg, s.node, previous):
            if steps and (steps[-1].path, steps[-1].line) == (step.path, step.line):
                # The statement says more than the call inside it; a return keeps what it returns.
                last = steps[-1].note
                if last.startswith("model output"):
                    note = f"model output: {step.note}"
                elif step.note.startswith(RETURNED):
                    note = f"{step.note}: {last}"
                else:
                    note = step.note
                steps[-1] = Step(step.path, step.line, note)
                continue
            steps.append(step)
        previous = s.node
    return steps


def describe(fg: FlowGraph, node: str, previous: str) -> list[Step]:
    """The steps that show how the value got from ``previous`` to ``node``: the call site that
    passes it, the return that hands it back, the store that writes it."""
    p = fg.project
    if node in fg.sources:
        src = fg.sources[node]
        return [Step(src.path, src.line, "model output")]
    where = ref(node)
    if where.kind is NodeKind.DEF and not where.is_param:
        d = p.defs.get(node)
        if d:
            return [Step(p.modules[scope_module(d.scope)].path, d.line, d.note or d.name)]
    if where.is_param:
        function, index = p.params.get(node, (None, 0))
        if function:
            name = function.params[index].name
            path = p.modules[scope_module(function.key)].path
            call = fg.binding_call(previous, node)
            passed = [Step(p.call_module[call.id].path, call.loc.line, f"passed as `{name}`: {call.text[:100]}")] if call else []
            return passed + [Step(path, function.loc.line, f"parameter `{name}` of {function.qualname}()")]
    if where.kind is NodeKind.RETURN:
        f = p.functions.get(where.scope)
        if f:
            line = next((r.line for r in f.returns if r.src == previous), f.loc.line)
            return [Step(p.modules[scope_module(f.key)].path, line, f"{RETURNED} {f.qualname}()")]
    if where.kind is NodeKind.ATTR:
        stores = p.stores.get(node)
        if stores:
            store = next((s for s in stores if any(f.src == previous for f in s.flows)), stores[0])
            return [Step(p.modules[where.module].path, store.line,
                         store.note or f"{class_parts(where.class_key)[1]}.{where.name}")]
    if where.kind is NodeKind.CALL:
        call = p.calls.get(node)
        if call:
            return [Step(p.call_module[call.id].path, call.loc.line, call.text[:120])]
    return []
