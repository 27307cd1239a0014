"""What kind of check a rejecting branch is: an allow-list, a denylist, or an AST allow-list walk.

A `raise` (or a `return None`) under `if re.search(r"DROP|DELETE", sql):` rejects the values that
match something bad and lets everything else through: a denylist, which never verifies SQL, shell
or code text (a spelling it did not think of gets past). Under `if not isinstance(node, SAFE):`
inside `for node in ast.walk(tree):` it rejects every syntax node outside a fixed set: a
restricted expression language, which is adequate even for code execution. The graph reads these
shapes from the facts; nothing here knows the catalog.
"""
from __future__ import annotations

from enum import Enum

import libcst as cst

from .syntax import calls_in, dotted, is_constant

# Calls that are true when the value *contains* or *looks like* something (a search, a prefix, any
# of several): rejecting on them rejects what matches a list of bad things. By the callee's last
# segment, as `re.search`, `pattern.search` and `text.startswith` all read.
MATCH_CALLS = frozenset({"search", "match", "findall", "finditer", "startswith", "endswith", "__contains__", "count", "any"})
# `all(...)` is true when every part is fine: rejecting when it is false is an allow-list.
EVERY_CALLS = frozenset({"all"})
TYPE_TEST = "isinstance"
# Iterating these visits every syntax node of a parsed tree; these parse text into one.
AST_WALKS = frozenset({"ast.walk"})
AST_PARSES = frozenset({"ast.parse"})
# A subclass of these whose `visit` checks its node and goes on into the children sees every node of
# the tree it is asked to visit (`Checker().visit(tree)`), as an `ast.walk` loop does.
AST_VISITORS = frozenset({"ast.NodeVisitor", "ast.NodeTransformer"})
VISITOR_ENTRY = "visit"
VISIT_PREFIX = "visit_"
RECURSING_CALLS = frozenset({"visit", "generic_visit"})
# Syntax node types that hold no node a check could miss: their `visit_<T>` need not go on into
# children. Any other `visit_<T>` that does not leaves a subtree unchecked (`visit_Call` returning
# without `generic_visit` lets the call's arguments through).
AST_LEAVES = frozenset({
    "Constant", "Name", "Load", "Store", "Del", "Pass", "Break", "Continue", "Global", "Nonlocal",
    "Num", "Str", "Bytes", "NameConstant", "Ellipsis",
    "Add", "Sub", "Mult", "MatMult", "Div", "Mod", "Pow", "LShift", "RShift", "BitOr", "BitXor", "BitAnd",
    "FloorDiv", "And", "Or", "Invert", "Not", "UAdd", "USub", "Eq", "NotEq", "Lt", "LtE", "Gt", "GtE",
    "Is", "IsNot", "In", "NotIn",
})


class Shape(str, Enum):
    """How a branch that rejects decides, from the most to the least telling."""

    AST_ALLOWLIST = "ast-allowlist"   # a walked syntax node outside a fixed set of node types
    ALLOWLIST = "allowlist"           # the value is not among / does not fully match what is allowed
    UNKNOWN = ""                      # anything else: a project predicate, a flag, an `except`
    DENYLIST = "denylist"             # the value matches something bad

    def __str__(self) -> str:
        return self.value


def combine(shapes) -> Shape:
    """The shape of a rejection under several conditions (nested branches, `and`/`or` parts): one
    allow-list part is enough to reject what it does not allow, and only a rejection made of
    denylist parts alone is a denylist."""
    shapes = set(shapes)
    for shape in (Shape.AST_ALLOWLIST, Shape.ALLOWLIST, Shape.UNKNOWN):
        if shape in shapes:
            return shape
    return Shape.DENYLIST if shapes else Shape.UNKNOWN


def rejection_shape(test: cst.BaseExpression, taken: bool, walked: frozenset[str],
                    node_types: frozenset[str] = frozenset()) -> Shape:
    """The shape of the branch of ``if test:`` that is taken when ``test`` is ``taken``;
    ``walked`` are the loop variables that hold the nodes of an `ast.walk`, ``node_types`` the
    locals that hold the type of one (`kind = type(node)`)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return rejection_shape(test.expression, not taken, walked, node_types)
    if isinstance(test, (cst.NamedExpr, cst.Await)):
        return rejection_shape(test.value if isinstance(test, cst.NamedExpr) else test.expression, taken, walked, node_types)
    if isinstance(test, cst.BooleanOperation):
        return combine((rejection_shape(test.left, taken, walked, node_types),
                        rejection_shape(test.right, taken, walked, node_types)))
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        return comparison_shape(test, taken, walked, node_types)
    if isinstance(test, cst.Call):
        return call_shape(test, taken, walked)
    return Shape.UNKNOWN


def comparison_shape(test: cst.Comparison, taken: bool, walked: frozenset[str], node_types: frozenset[str]) -> Shape:
    comp = test.comparisons[0]
    op = comp.operator
    if isinstance(op, (cst.In, cst.NotIn, cst.Equal, cst.NotEqual)):
        # Taken when the value is in the set / equals the constant: what is rejected is listed.
        positive = isinstance(op, (cst.In, cst.Equal)) == taken
        names_type = is_node_type(test.left, walked) or dotted(test.left) in node_types
        if not positive and names_type and isinstance(op, (cst.In, cst.NotIn)):
            return Shape.AST_ALLOWLIST           # `type(node) not in SAFE_NODES`, also through a local
        if isinstance(op, (cst.Equal, cst.NotEqual)) and not (is_constant(comp.comparator) or is_constant(test.left)):
            return Shape.UNKNOWN
        return Shape.DENYLIST if positive else Shape.ALLOWLIST
    return Shape.UNKNOWN


def call_shape(call: cst.Call, taken: bool, walked: frozenset[str]) -> Shape:
    name = (dotted(call.func) or "").rpartition(".")[2]
    if name == TYPE_TEST and call.args:
        if taken:
            return Shape.DENYLIST                 # `isinstance(node, ast.Import)`: a type that is banned
        subject = dotted(call.args[0].value)
        return Shape.AST_ALLOWLIST if subject in walked else Shape.ALLOWLIST
    if name in MATCH_CALLS:
        return Shape.DENYLIST if taken else Shape.ALLOWLIST
    if name in EVERY_CALLS:
        return Shape.ALLOWLIST if not taken else Shape.DENYLIST
    return Shape.UNKNOWN


def is_node_type(node: cst.BaseExpression, walked: frozenset[str]) -> bool:
    """`type(node)` or `node.__class__` of a walked node."""
    if isinstance(node, cst.Call) and dotted(node.func) == "type" and len(node.args) == 1:
        return dotted(node.args[0].value) in walked
    if isinstance(node, cst.Attribute) and node.attr.value == "__class__":
        return dotted(node.value) in walked
    return False


def recurses(method: cst.FunctionDef) -> bool:
    """Does a visitor method go on into the children (`super().visit(node)`, `self.generic_visit(node)`)?"""
    return any(isinstance(c.func, cst.Attribute) and c.func.attr.value in RECURSING_CALLS for c in calls_in(method.body))


def visitor_entry(cls: cst.ClassDef, bases: set[str]) -> cst.FunctionDef | None:
    """The `visit` method of an `ast.NodeVisitor` subclass (``bases``: its bases, imports resolved)
    through which every node of a visited tree passes: it goes on into the children, and so does
    every `visit_<T>` of the class, save those of leaf types. None for any other class."""
    if bases.isdisjoint(AST_VISITORS):
        return None
    methods = [s for s in cls.body.body if isinstance(s, cst.FunctionDef)]
    entry = next((m for m in methods if m.name.value == VISITOR_ENTRY), None)
    if entry is None or not recurses(entry):
        return None
    for m in methods:
        name = m.name.value
        if name.startswith(VISIT_PREFIX) and name[len(VISIT_PREFIX):] not in AST_LEAVES and not recurses(m):
            return None
    return entry


def walked_tree(iterable: cst.BaseExpression) -> str | None:
    """What an `ast.walk(tree)` loop visits: the tree's dotted text, or the text parsed in place
    (`ast.walk(ast.parse(expr))`); None for any other loop."""
    if isinstance(iterable, cst.Call) and dotted(iterable.func) in AST_WALKS and iterable.args:
        tree = iterable.args[0].value
        return parsed_text(tree) or dotted(tree)
    return None


def parsed_text(value: cst.BaseExpression) -> str | None:
    """The text `ast.parse(text)` parses (dotted), or None for any other expression."""
    if isinstance(value, cst.Call) and dotted(value.func) in AST_PARSES and value.args:
        return dotted(value.args[0].value)
    return None
