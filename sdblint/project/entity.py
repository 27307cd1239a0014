"""What a symbol is, as the project index answers it."""
from __future__ import annotations

import re
from dataclasses import dataclass

_CALL_ARGS = re.compile(r"\((?:'[^']*'|@[^)]*)\)")


def display_path(path: str) -> str:
    """A callee path for people: call arguments elided."""
    return _CALL_ARGS.sub("()", path)


@dataclass(frozen=True)
class Entity:
    """What a symbol is: a project function or class, a module, or an external dotted name."""

    kind: str       # "func", "class", "module", "value", "external"
    key: str        # function key, "mod:Class", module name, "" for values, dotted path for externals
    nodes: tuple[str, ...] = ()   # definition nodes for "value"


