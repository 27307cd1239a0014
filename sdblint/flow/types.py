"""The flow graph's typed values: effects, edges, sources, sink sites, call resolutions."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from ..catalog import Recorder, Sink
from ..facts import Call
from ..kinds import Marker, VerifierKind


class Effect(NamedTuple):
    """What crossing an edge proves about a value: a verifier kind, or a marker that explains
    why a check does not count. ``where`` is "path:line" of the check.

    A named tuple, not a dataclass: effects are hashed and compared millions of times (every
    propagation state is a set of them), and a tuple does both in C."""

    kind: VerifierKind | Marker
    where: str
    detail: str = ""                 # the verifier's callee, the schema class, the allow-list's name
    container: tuple[str, ...] = ()  # membership allow-lists: the nodes the container is built from

    @property
    def is_marker(self) -> bool:
        return isinstance(self.kind, Marker)


class EdgeKind(str, Enum):
    FLOW = "flow"        # inside a function, or through the heap (attributes, globals)
    CALL = "call"        # an argument into a parameter
    RETURN = "return"    # a return value out to every caller
    SUMMARY = "summary"  # an argument to the call's result, through a function that returns it


@dataclass(frozen=True, slots=True)
class Edge:
    """The data of one graph edge (stored as the ``edge`` attribute of a networkx edge). Equal
    edges are one object (see ``FlowGraph.edge_data``): most carry no effect and no attribute."""

    kind: EdgeKind
    effects: tuple[Effect, ...] = ()
    attr: str = ""       # attributes read on the source value, dotted (Literal/Enum model fields)
    store: str = ""      # the field of the target the source value is put in (`Job(cmd=text)`, `d["k"] = v`)
    whole: bool = False  # the attribute read runs a property of the source's class, which may read any field


@dataclass(frozen=True, slots=True)
class FieldRead:
    """A read of one field of what a project function returns (`a, n = f(x)`, `f(x)["url"]`), at a
    call whose result is that function's: where it goes, so that the call's own arguments can be
    summarised into that field only."""

    key: str              # the field: a dict key or a tuple position
    target: str           # the node that reads it
    scope: str
    extra: tuple[Effect, ...]
    store: str
    guards: tuple         # the checks on the read (Guard values)


class Origin(str, Enum):
    """Where a source's value comes from."""
    MODEL = "model"   # model output: a model call's result, or text a model library hands to project code
    TOOL = "tool"     # an argument the model chose for a tool entry point


@dataclass(frozen=True, slots=True)
class Source:
    node: str
    label: str           # the catalog entry's label: a proposer's family, a tool framework
    callee: str
    path: str
    line: int
    effects: tuple[Effect, ...]
    origin: Origin


class SinkRole(str, Enum):
    VALUE = "value"              # the value reaches the sink argument
    CALLEE = "callee"            # a model-chosen callable
    ARGUMENTS = "arguments"      # the arguments of a dispatched tool
    AGENT = "agent"              # an agent built to run its model's code


@dataclass(frozen=True, slots=True)
class SinkSite:
    node: str
    call: Call
    category: str
    callee: str
    role: SinkRole
    keys: tuple[str, ...]
    extra_adequate: tuple[str, ...] = ()
    not_adequate: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProposerUse:
    label: str
    path: str            # the callee path that matched


@dataclass(frozen=True, slots=True)
class VerifierUse:
    kind: VerifierKind
    returns: str         # "value", "guard" or "predicate"
    path: str            # the callee path that matched
    schema: str = ""     # the schema class, when the receiver is one


@dataclass(frozen=True, slots=True)
class Resolution:
    """What one call is, once the project and the catalog have been consulted."""

    paths: tuple[str, ...]
    proposer: ProposerUse | None = None
    sinks: tuple[tuple[Sink, str], ...] = ()
    verifier: VerifierUse | None = None
    parser: bool = False
    sandboxed: bool = False
    functions: tuple[str, ...] = ()
    # A catalogued sink the tree itself implements: the project functions the call also runs (the
    # flow goes on into them), though the call stays a sink and is no check of its arguments.
    implemented_by: tuple[str, ...] = ()
    constructor: str | None = None                # class key
    recorder: Recorder | None = None              # the call records its arguments (only targets are payloads)
