"""One flow per source: the path from each model call or tool entry point that reaches a sink
without an adequate verifier.

Propagation keeps one state per node and set of checks, whichever source got there first, so a sink
reached from several sources remembers the path of one. For a reported sink this search walks back
to the values that reach it and then forward from each source among them, with propagation's own
steps but each source kept apart, so every source gets its own path. It is bounded by
``MAX_FLOW_SEARCH_NODES`` and ``MAX_FLOW_SEARCH_STATES`` (counted when hit): past them a finding
keeps the flows propagation found.
"""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from ..flow.propagate import State, step
from ..limits import MAX_FLOW_SEARCH_NODES, MAX_FLOW_SEARCH_STATES, MAX_STATES_PER_NODE

if TYPE_CHECKING:   # annotations only: the graph (networkx, libcst) loads when a run analyses
    from ..flow.graph import FlowGraph


def reaching(fg: FlowGraph, sink: str, per_node) -> set[str] | None:
    """The values model output reaches that flow on to ``sink`` (None: more than the search takes)."""
    predecessors = fg.graph._pred
    seen = {sink}
    todo = [sink]
    while todo:
        for node in predecessors.get(todo.pop(), ()):
            if node not in seen and node in per_node:
                if len(seen) >= MAX_FLOW_SEARCH_NODES:
                    fg.project.limits.hit("MAX_FLOW_SEARCH_NODES")
                    return None
                seen.add(node)
                todo.append(node)
    return seen


def failing_per_source(fg: FlowGraph, sink: str, per_node, fails) -> dict[str, list[list[State]]] | None:
    """Source node -> the paths (proposer first) on which it reaches ``sink`` and ``fails(tags)``;
    None when the search would be larger than its limits."""
    allowed = reaching(fg, sink, per_node)
    if allowed is None:
        return None
    starts = sorted(node for node in allowed if node in fg.sources)
    if len(starts) < 2:
        return {}   # one source: propagation's own path is its path
    successors = fg.successors
    parents: dict[tuple[str, State], tuple[str, State] | None] = {}
    counts: dict[tuple[str, str], int] = {}
    queue: deque[tuple[str, State]] = deque()
    for source in starts:
        start = (source, State(source, False, frozenset(fg.sources[source].effects)))
        parents[start] = None
        queue.append(start)
    found: dict[str, list[tuple[str, State]]] = {}
    while queue:
        source, state = queue.popleft()
        for target, parallel in successors[state.node].items():
            if target not in allowed:
                continue
            for data in parallel.values():
                new = step(fg, state, data["edge"], target)
                key = (source, new) if new is not None else None
                if key is None or key in parents or counts.get((source, target), 0) >= MAX_STATES_PER_NODE:
                    continue
                if len(parents) >= MAX_FLOW_SEARCH_STATES:
                    fg.project.limits.hit("MAX_FLOW_SEARCH_STATES")
                    return None
                parents[key] = (source, state)
                counts[(source, target)] = counts.get((source, target), 0) + 1
                if target == sink:
                    if fails(new.tags):
                        found.setdefault(source, []).append(key)
                else:
                    queue.append(key)
    return {source: [chain(key, parents) for key in ends] for source, ends in found.items()}


def chain(key: tuple[str, State], parents) -> list[State]:
    out = []
    current: tuple[str, State] | None = key
    while current is not None:
        out.append(current[1])
        current = parents[current]
    out.reverse()
    return out
