"""Walk state inside one function: the definitions that reach a statement and the checks that hold there."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..facts import Flow, Guard
from .rejections import Shape


@dataclass
class State:
    defs: dict[str, frozenset[str]] = field(default_factory=dict)
    guards: dict[str, frozenset[Guard]] = field(default_factory=dict)  # key text -> guards
    exited: bool = False

    def copy(self) -> "State":
        return State(dict(self.defs), dict(self.guards), self.exited)

    def with_guards(self, extra: dict[str, frozenset[Guard]]) -> "State":
        new = self.copy()
        for key, guards in extra.items():
            new.guards[key] = new.guards.get(key, frozenset()) | guards
        return new


# The guard kind whose meaning depends on the call it names (see :class:`sdblint.facts.Guard`).
CALL_GUARD = "call"


def merge(states: list[State]) -> State:
    """Join the states at the end of branches; exited branches do not reach the join."""
    live = [s for s in states if not s.exited]
    if not live:
        out = states[0].copy() if states else State()
        out.exited = True
        return out
    defs: dict[str, frozenset[str]] = {}
    for s in live:
        for name, nodes in s.defs.items():
            defs[name] = defs.get(name, frozenset()) | nodes
    # A check holds after the join if every branch has a check of that kind on that value.
    guards: dict[str, frozenset[Guard]] = {}
    for key in set.intersection(*(set(s.guards) for s in live)):
        kinds = set.intersection(*({g.kind for g in s.guards[key]} for s in live)) - {CALL_GUARD}
        kept = frozenset(g for s in live for g in s.guards[key] if g.kind in kinds)
        # What a call proves is known only once the graph resolves it (`print(path)` in one branch
        # is no `commonpath` check in the other): a call's check survives only if every branch has it.
        kept |= frozenset.intersection(*(frozenset(g for g in s.guards[key] if g.kind == CALL_GUARD) for s in live))
        if kept:
            guards[key] = kept
    return State(defs, guards, False)


@dataclass(frozen=True)
class Branch:
    """An enclosing branch: the parameters its condition depends on ("*": any, as in `except`),
    and what kind of check a rejection under it is."""

    params: frozenset[str]
    shape: Shape = Shape.UNKNOWN


# A branch whose condition may depend on any parameter (an `except` handler).
ANY_PARAM_BRANCH = Branch(frozenset({"*"}))


@dataclass
class Scope:
    key: str                    # "<module>::<qualname>"
    class_name: str | None      # enclosing class qualname for methods and class bodies
    self_name: str | None
    is_class_body: bool = False
    returns: list[Flow] = field(default_factory=list)
    globals_declared: set[str] = field(default_factory=set)
    def_counts: dict[str, int] = field(default_factory=dict)
    param_nodes: dict[str, str] = field(default_factory=dict)   # parameter node -> name
    branches: list[Branch] = field(default_factory=list)
    raises_on: set[str] = field(default_factory=set)    # parameters a `raise` depends on
    rejects_on: set[str] = field(default_factory=set)   # parameters a `return None/False` depends on
    rejection_shapes: dict[str, set[Shape]] = field(default_factory=dict)   # parameter -> how each rejection decides
    is_predicate: bool = False  # returns a comparison, membership test or boolean
    returned_calls: list[str] = field(default_factory=list)   # calls whose result it returns as is
    return_texts: list[str] = field(default_factory=list)     # the constant text each return starts with
    returned_fields: list[dict] = field(default_factory=list)  # per return, its dict fields (None: not a dict)
    returned_texts: list[dict] = field(default_factory=list)   # per return, its dict fields' constant texts
    looped_chars: dict[str, str] = field(default_factory=dict)  # `for c in "<>/":` inside the loop: name -> the string

