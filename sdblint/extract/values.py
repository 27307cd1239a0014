"""Small operations on flow tuples shared by the walker's parts."""
from __future__ import annotations

from dataclasses import replace

from ..facts import CONTAINS, ELEMENT, Flow, Guard

# A record of more fields than this (a big constant table) is no message: its values are not tagged.
RECORD_FIELDS_MAX = 12


def position(index: int) -> str:
    """The field name of a tuple's position: `t[1]`, and `n` of `a, n = f()`, read field `#1`."""
    return f"#{index}"


def positioned(flows, index: int) -> tuple[Flow, ...]:
    """The flows of position ``index`` of the tuples ``flows`` hold (`n` of `a, n = f()`)."""
    key = f"[{position(index)}]"
    return tuple(replace(f, attr=f"{f.attr}.{key}" if f.attr else key) for f in flows)


def derive(flows) -> tuple[Flow, ...]:
    """The flows of a value computed from ``flows``: no longer the same object, and each flow once
    (`a + a + ... + a` reads one definition many times; a flow listed twice adds nothing)."""
    return tuple(dict.fromkeys(f if f.alias is None else replace(f, alias=None) for f in flows))


def _with_alias(flows, segment: str) -> tuple[Flow, ...]:
    return tuple(dict.fromkeys(f if f.alias is None else replace(f, alias=f.alias + segment) for f in flows))


def contained(flows) -> tuple[Flow, ...]:
    """The flows of a container built from ``flows`` (a display, a comprehension): its elements are
    those values. A derived value, for everything but the types its elements keep."""
    return _with_alias(flows, CONTAINS)


def elements(flows) -> tuple[Flow, ...]:
    """The flows of one element of the containers ``flows`` hold (a loop target, an unpacked name)."""
    return _with_alias(flows, ELEMENT)


def concatenated(flows) -> tuple[Flow, ...]:
    """The flows of `a + b`: a container holding the elements of each operand that is one (for
    strings and numbers, a derived value: they have no elements). Taking the elements out and
    putting them back twice is doing it once, so `a + a + ... + a` keeps one short alias."""
    again = ELEMENT + CONTAINS
    return tuple(dict.fromkeys(f if f.alias is None or f.alias.endswith(again) else replace(f, alias=f.alias + again)
                               for f in flows))


def record_flows(fields: dict[str, tuple[Flow, ...]], line: int) -> list[Flow] | None:
    """The flows of the values of a record with constant keys (a dict display, a call's keywords),
    each remembering the key it is stored under and the record's keys, so that the catalog can tell
    a transcript entry (`{"role": "assistant", "content": text}`) from any other record; None for
    what is no record of a few fields."""
    if not 1 < len(fields) <= RECORD_FIELDS_MAX:
        return None
    keys = tuple(sorted(fields))
    return [replace(f, guards=f.guards + (Guard("field", line, mapping=key, container=keys),))
            for key in keys for f in fields[key]]
