"""Taint propagation over the flow graph.

A state is (node, descended, tags). ``tags`` are the verification effects collected on the
way from the proposer. Paths are kept realisable with the usual ascend-then-descend rule:
a value may leave a function through ``return`` edges to every caller only while it has
not entered a function through a parameter; once it has, it comes back out through the
``summary`` edge of that very call site instead.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .graph import FlowGraph, Tag

MAX_STATES_PER_NODE = 8


@dataclass(frozen=True)
class State:
    node: str
    descended: bool
    tags: frozenset


def _step(fg: FlowGraph, state: State, data: dict, target: str) -> State | None:
    kind = data["kind"]
    if kind == "return" and state.descended:
        return None
    descended = state.descended or kind == "call"
    if target.startswith(("a:", "g:")):
        descended = False
    tags = set(state.tags)
    tags.update(data["effects"])
    if data["attr"]:
        for tag in state.tags:
            if tag[0] == "schema" and tag[2]:
                tags.discard(tag)
                tags.update(field_tags(fg, tag, data["attr"].split(".")))
    return State(target, descended, frozenset(tags))


def field_tags(fg: FlowGraph, tag, attrs: list[str]) -> set:
    """Reading `plan.steps[0].verb` off a validated model: a Literal/Enum field is an allow-list,
    a nested model keeps the schema check for its own fields."""
    model = tag[2]
    for attr in attrs:
        if fg.project.field_is_closed(model, attr):
            return {tag, ("allowlist", tag[1], f"{model.split(':')[-1]}.{attr}")}
        inner = fg.project.field_model(model, attr)
        if inner is None:
            break
        model = inner
    return {("schema", tag[1], model)}


def propagate(fg: FlowGraph) -> tuple[dict[str, list[State]], dict[State, tuple[State, dict] | None]]:
    """Every state that reaches each node, and a parent pointer per state for the path."""
    graph = fg.graph
    parents: dict[State, tuple[State, dict] | None] = {}
    per_node: dict[str, list[State]] = {}
    queue: deque[State] = deque()
    for source in sorted(fg.sources.values(), key=lambda s: (s.path, s.line, s.node)):
        start = State(source.node, False, frozenset(source.effects))
        if start not in parents:
            parents[start] = None
            per_node.setdefault(start.node, []).append(start)
            queue.append(start)
    while queue:
        state = queue.popleft()
        if state.node not in graph:
            continue
        for _, target, data in graph.out_edges(state.node, data=True):
            new = _step(fg, state, data, target)
            if new is None or new in parents:
                continue
            seen = per_node.setdefault(target, [])
            if len(seen) >= MAX_STATES_PER_NODE:
                continue
            parents[new] = (state, data)
            seen.append(new)
            queue.append(new)
    return per_node, parents


def reachable_effects(fg: FlowGraph, start: str, target: str, scope: str) -> list[tuple[Tag, ...]]:
    """Distinct tag sets with which ``start`` reaches ``target`` inside one function."""
    graph = fg.graph
    if start not in graph or target not in graph or not graph.in_degree(target):
        return []   # nothing flows out of the parameter, or the function returns nothing
    seen: set[tuple[str, frozenset]] = set()
    per_node: dict[str, int] = {}
    found: set[frozenset] = set()
    queue = deque([(start, frozenset())])
    while queue:
        node, tags = queue.popleft()
        if node == target:
            found.add(tags)
            continue
        for _, nxt, data in graph.out_edges(node, data=True):
            if data["kind"] not in ("flow", "summary"):
                continue
            if nxt != target and fg.node_scope.get(nxt) != scope:
                continue
            key = (nxt, tags | frozenset(data["effects"]))
            if key in seen or per_node.get(nxt, 0) >= MAX_STATES_PER_NODE:
                continue
            seen.add(key)
            per_node[nxt] = per_node.get(nxt, 0) + 1
            queue.append(key)
    return [tuple(sorted(t)) for t in sorted(found, key=lambda t: sorted(t))]
