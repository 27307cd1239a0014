"""What a symbol is, as the project index answers it."""
from __future__ import annotations

import re
from dataclasses import dataclass

_CALL_ARGS = re.compile(r"\((?:'[^']*'|@[^)]*)\)")
# `(ROOT / name).resolve()` with `ROOT = Path(...).resolve()`: the path repeats the call it keeps.
_REPEATED_CALL = re.compile(r"(\.\w+\(\))\1+")


def display_path(path: str) -> str:
    """A callee path for people: call arguments elided, an element read off a container written
    as `[]` (`get_installations()[].get_repo()`)."""
    return _REPEATED_CALL.sub(r"\1", _CALL_ARGS.sub("()", path)).replace(".[]", "[]")


def class_argument(class_key: str) -> str:
    """The call suffix of a call whose first argument is a project class (`parse(Plan)`):
    ``(@pkg:mod:Plan)``, with the module's dots written as colons so the path keeps its segments."""
    return f"(@{class_key.replace('.', ':')})"


def class_of_argument(text: str) -> str:
    """The class key back from :func:`class_argument`'s text (with or without the parentheses)."""
    module, _, qualname = text.strip("()").lstrip("@").rpartition(":")
    return f"{module.replace(':', '.')}:{qualname}"


@dataclass(frozen=True)
class Entity:
    """What a symbol is: a project function or class, a module, or an external dotted name."""

    kind: str       # "func", "class", "module", "value", "external"
    key: str        # function key, "mod:Class", module name, "" for values, dotted path for externals
    nodes: tuple[str, ...] = ()   # definition nodes for "value"


