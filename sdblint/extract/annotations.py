"""What annotations say about a value: its types (for typing receivers) and what a framework's
check of a parameter constrains it to (a `Literal`, a pattern, bounds).

What extraction must know of Python before any catalog is loaded (see :mod:`.syntax`).
"""
from __future__ import annotations

import libcst as cst

from .syntax import dotted, string_value

UNION_ANNOTATIONS = frozenset({"Optional", "Union"})
WRAPPER_ANNOTATIONS = frozenset({"Annotated", "Final", "ClassVar", "Required", "NotRequired", "ReadOnly"})
CALLABLE_ANNOTATION = "Callable"
CONTAINER_ANNOTATIONS = frozenset({     # `list[Step]` holds a `Step`, for field types
    "list", "List", "Sequence", "tuple", "Tuple", "set", "Set", "frozenset",
    "FrozenSet", "Iterable", "Iterator",
})
# pydantic's constraint helpers, as an annotation's metadata (`Annotated[str, Field(pattern=P)]`),
# an annotation of their own (`constr(pattern=P)`, `conint(ge=1, le=9)`) or a parameter's default
# (`x: str = Field(pattern=P)`): what a framework's signature check enforces besides the type.
CONSTRAINT_CALLS = frozenset({"Field", "StringConstraints", "constr", "conint", "confloat", "condecimal"})
PATTERN_KEYWORDS = ("pattern", "regex")
LOWER_BOUNDS, UPPER_BOUNDS = ("ge", "gt"), ("le", "lt")

def annotation_kind(node) -> str:
    """What an annotation says a value is: "literal" (`Literal[...]`), or the dotted types it may
    be, joined by "|" (`Optional[X]`, `X | None`, `Union[X, Y]`, `"X"`, `Annotated[X, ...]`, the
    element of `list[X]`); "->R" for a callable that returns an `R` (`Callable[..., R]`)."""
    if isinstance(node, cst.SimpleString):
        try:
            return annotation_kind(cst.parse_expression(node.evaluated_value))
        except (cst.ParserSyntaxError, TypeError):
            return ""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return join_types(annotation_kind(node.left), annotation_kind(node.right))
    if isinstance(node, cst.Subscript):
        base = (dotted(node.value) or "").split(".")[-1]
        items = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
        if base == "Literal":
            return "literal"
        if base in UNION_ANNOTATIONS:
            return join_types(*(annotation_kind(i) for i in items))
        if base in WRAPPER_ANNOTATIONS and items:
            return annotation_kind(items[0])
        if base == CALLABLE_ANNOTATION and len(items) == 2:
            returns = annotation_kind(items[1])
            return "" if not returns or returns == "literal" else "|".join("->" + t for t in returns.split("|"))
        if base in CONTAINER_ANNOTATIONS and items:
            return annotation_kind(items[0])
    name = dotted(node) or ""
    return "" if name == "None" else name


def annotation_constraint(annotation, default) -> str:
    """What a parameter's annotation or default constrains its value to, besides its type:
    "literal" (`Literal[...]`), "pattern:P" (a regular expression it must match) or "bounded" (a
    number with a lower and an upper bound); "" for nothing more than a type."""
    if isinstance(annotation, cst.Subscript):
        base = (dotted(annotation.value) or "").split(".")[-1]
        items = [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)]
        if base == "Literal":
            return "literal"
        if base == "Annotated":
            return next(filter(None, (call_constraint(i) for i in items[1:])), "")
    return call_constraint(annotation) or call_constraint(default)


def call_constraint(node) -> str:
    if not isinstance(node, cst.Call) or (dotted(node.func) or "").split(".")[-1] not in CONSTRAINT_CALLS:
        return ""
    keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    pattern = next((string_value(keywords[k]) for k in PATTERN_KEYWORDS if k in keywords), None)
    if pattern:
        return f"pattern:{pattern}"
    if any(k in keywords for k in LOWER_BOUNDS) and any(k in keywords for k in UPPER_BOUNDS):
        return "bounded"
    return ""


def join_types(*kinds: str) -> str:
    """The union of annotation kinds; "literal" only if every part is one (or `None`)."""
    types = [t for k in kinds for t in k.split("|") if t and t != "literal"]
    if not types and "literal" in kinds:
        return "literal"
    return "|".join(dict.fromkeys(types))
