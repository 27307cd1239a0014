"""How a check and a read name the same value: dotted texts, with a field read by `get` as its subscript."""
from __future__ import annotations

import libcst as cst

from .syntax import LOOKUP_METHODS, dotted, is_constant, string_value
from .values import position


def value_key(node: cst.BaseExpression, memo: dict[int, str | None] | None = None) -> str | None:
    """The dotted text of the value an expression reads: :func:`~sdblint.extract.syntax.dotted`, and
    `d.get("k")` (with no default or a constant one) as the field `d["k"]` it reads, so that a check
    on either narrows both."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in LOOKUP_METHODS \
            and 1 <= len(node.args) <= 2 and not any(a.keyword or a.star for a in node.args) \
            and all(is_constant(a.value) for a in node.args[1:]):
        base, key = dotted(node.func.value, memo), string_value(node.args[0].value)
        return f"{base}[{key!r}]" if base and key is not None else None
    return dotted(node, memo)


def constant_key(node: cst.Subscript) -> str | None:
    """The key of `d["url"]`, when it is a constant identifier-like string."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    key = string_value(node.slice[0].slice.value)
    return key if key and key.isidentifier() else None


def position_key(node: cst.Subscript) -> str | None:
    """The field `t[1]` reads of a tuple (see :func:`~sdblint.extract.values.position`)."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    index = node.slice[0].slice.value
    return position(int(index.value, 0)) if isinstance(index, cst.Integer) else None
