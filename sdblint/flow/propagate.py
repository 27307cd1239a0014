"""Taint propagation over the flow graph.

A state is (node, descended, tags). ``tags`` are the verification effects collected on the
way from the proposer. Paths are kept realisable with the usual ascend-then-descend rule:
a value may leave a function through ``return`` edges to every caller only while it has
not entered a function through a parameter; once it has, it comes back out through the
``summary`` edge of that very call site instead.

``field`` makes objects and dicts field-sensitive: a state with field ``reply`` says the model's
text is in attribute ``reply`` of the node's value, not the value itself (`Session(reply=text)`,
`d["reply"] = text`). The object travels whole through assignments, parameters and returns; reading
that field gives the text again, reading another one (`session.workdir`) gives nothing of it.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..kinds import Marker, VerifierKind
from ..limits import MAX_FIELD_DEPTH, MAX_STATES_PER_NODE
from ..nodes import NodeKind, kind_of
from .objects import field_tags
from .types import Edge, EdgeKind, Effect

if TYPE_CHECKING:
    from .graph import FlowGraph


@dataclass(frozen=True, slots=True)
class State:
    node: str
    descended: bool
    tags: frozenset[Effect]
    field: str = ""   # dotted: the field of the value that holds the model's text ("" the value itself)


def read_through(field: str, attr: str, whole: bool) -> tuple[str, str] | None:
    """Reading ``attr`` (dotted) off a value whose ``field`` holds the text: (the field of the result
    that still holds it, the attributes read on the text itself), or None when the read misses it.
    A dunder (`obj.__dict__`) or a property (``whole``: the first attribute runs one) reads the
    object whole."""
    held = field.split(".")
    read = attr.split(".")
    if whole:
        return "", ""
    while held and read:
        if read[0].startswith("__"):
            return "", ""
        if read[0] != held[0]:
            return None
        held, read = held[1:], read[1:]
    return ".".join(held), ".".join(read)


def stored_in(store: str, field: str) -> str:
    """The field path of a value put in field ``store`` of another, the value's own text being in ``field``."""
    return ".".join((store.split(".") + (field.split(".") if field else []))[:MAX_FIELD_DEPTH])


def step(fg: FlowGraph, state: State, edge: Edge, target: str) -> State | None:
    if edge.kind is EdgeKind.RETURN and state.descended:
        return None
    descended = state.descended or edge.kind is EdgeKind.CALL
    if kind_of(target) in (NodeKind.ATTR, NodeKind.GLOBAL):
        descended = False   # the heap is reached from every function: no call site to return to
    field, attr = state.field, edge.attr
    if field and attr:
        read = read_through(field, attr, edge.whole)
        if read is None:
            return None   # `session.workdir` off a session whose `reply` is the model's text
        field, attr = read
    if edge.store:
        field = stored_in(edge.store, field)
    if not edge.effects and not attr:
        return State(target, descended, state.tags, field)   # most edges prove nothing: the same tags
    metadata, content = fg.catalog.reads_field(attr) if attr else (False, False)
    if metadata:
        return None   # `resp.usage.total_tokens`: counts about the answer, not its text
    tags = set(state.tags)
    if content:
        tags = {t for t in tags if t.kind is not VerifierKind.TRANSCRIPT}   # `entry["content"]`: the text again
    if any(e.kind is Marker.PARSE for e in edge.effects):
        tags = {t for t in tags if t.kind is not VerifierKind.SERIALISED}   # `json.loads(doc)`: the values again
    tags.update(edge.effects)
    if attr:
        for tag in state.tags:
            # A schema check's detail is its model class, or only the verifier's callee when a
            # guard names no class (`validate(x)` inside a `try`): then no field is known.
            if tag.kind is VerifierKind.SCHEMA and tag.detail in fg.project.classes:
                tags.discard(tag)
                tags.update(field_tags(fg.project, tag, attr.split(".")))
    return State(target, descended, frozenset(tags), field)


@dataclass(frozen=True)
class Propagation:
    """Every state that reaches each node, and a parent pointer per state for the path."""

    per_node: dict[str, list[State]]
    parents: dict[State, tuple[State, Edge] | None]


def propagate(fg: FlowGraph) -> Propagation:
    """Every state that reaches each node, and a parent pointer per state for the path."""
    graph = fg.graph
    successors = fg.successors
    parents: dict[State, tuple[State, Edge] | None] = {}
    per_node: dict[str, list[State]] = {}
    queue: deque[State] = deque()
    for source in sorted(fg.sources.values(), key=lambda s: (s.path, s.line, s.node)):
        start = State(source.node, False, frozenset(source.effects))
        if start not in parents:
            parents[start] = None
            per_node.setdefault(start.node, []).append(start)
            queue.append(start)
    dropped = 0

    def expand(state: State) -> None:
        nonlocal dropped
        for target, parallel in successors[state.node].items():
            for data in parallel.values():
                edge = data["edge"]
                new = step(fg, state, edge, target)
                if new is None or new in parents:
                    continue
                seen = per_node.setdefault(target, [])
                if len(seen) >= MAX_STATES_PER_NODE:
                    dropped += 1
                    continue
                parents[new] = (state, edge)
                seen.append(new)
                queue.append(new)

    while queue:
        state = queue.popleft()
        if state.node in graph:
            try:
                expand(state)
            except Exception as exc:  # a failure on one node costs the flows through it, not the run
                fg.failures.record(exc, "propagate", *fg.where_node(state.node))
    if dropped:
        fg.project.limits.hit("MAX_STATES_PER_NODE", dropped)
    return Propagation(per_node, parents)
