"""Small operations on flow tuples shared by the walker's parts."""
from __future__ import annotations

from dataclasses import replace

from ..facts import Flow


def derive(flows) -> tuple[Flow, ...]:
    """The flows of a value computed from ``flows``: no longer the same object, and each flow once
    (`a + a + ... + a` reads one definition many times; a flow listed twice adds nothing)."""
    return tuple(dict.fromkeys(f if f.alias is None else replace(f, alias=None) for f in flows))
