"""Questions about libcst nodes that need no analysis state: names, literals, shapes.

Kept apart from :mod:`sdblint.extract` so the walker reads as the flow rules it applies.
"""
from __future__ import annotations

import os
import re

import libcst as cst

from ..facts import UNKNOWN_TEXT

EXITS = (cst.Raise, cst.Return, cst.Continue, cst.Break)

# What extraction must know of Python before any catalog is loaded. Facts are cached by file
# content and extraction code only, so these cannot come from rules/*.toml; everything the graph
# decides later (what a call is, what a decorator means, which calls answer yes or no) is there.
LOOKUP_METHODS = ("get", "pop", "setdefault")   # `d.get(k)`, `kwargs.pop("k", None)` look a value up by key
ENV_LOOKUPS = frozenset({"os.getenv", "os.environ.get"})   # a setting whose default is the usual value
# Calls that join path parts: the path ends as their last part does (`os.path.join(d, "notes.md")`).
PATH_JOINS = frozenset({"os.path.join", "posixpath.join", "Path", "pathlib.Path", "PurePath", "pathlib.PurePath"})
INTERSECTIONS = frozenset({"intersection"})   # `a.intersection(b)` keeps only what both hold, like `a & b`
DICT_READ_METHODS = frozenset({"get", "keys", "values", "items", "copy", "__getitem__"})   # leave a dict as it is
ATTRIBUTE_LOOKUP = "getattr"            # `getattr(o, name)` looks an attribute up by name
TYPE_ATTRIBUTES = frozenset({"__class__", "__name__", "__qualname__", "__module__", "__mro__"})
EXIT_CALLS = ("sys.exit", "exit", "quit")
VIEW_METHODS = ("keys", "values")       # `x in d.keys()` is membership in a fixed container
MAPPING_CONSTRUCTORS = {"dict": "dict", "MappingProxyType": "dict", "frozenset": "set"}
STATIC_DECORATOR = "staticmethod"       # no `self`: the first parameter is an argument
ABSTRACT_DECORATORS = ("abstractmethod", "abstractproperty")
URL_MARK = "://"                        # constant text before a value that may be a URL's start


# A call made as a statement with a keyword flag turned on (`click.confirm("Go?", abort=True)`) may
# be one that raises when the answer is no: it then guards every value read after it in the block,
# not only those it names. Which calls do so is the catalog's to say (a verifier's `when_kwarg`).
FLAG_ON = "True"


def may_be_url(text: str) -> bool:
    """Is this constant text (values not known as `{}`) possibly a URL: an absolute one, or a
    path after a value not known (`f"{base}/v1/chat/completions"`)?"""
    return URL_MARK in text or text.startswith(UNKNOWN_TEXT + "/")


def has_constant_text(text: str) -> bool:
    """Does the text know anything: is it more than values not known?"""
    return bool(text.replace(UNKNOWN_TEXT, ""))


def dotted(node: cst.BaseExpression, memo: dict[int, str | None] | None = None) -> str | None:
    """``a.b.c`` for Name/Attribute chains, ``a[0]``-style keys for constant subscripts.

    ``memo`` (by node identity, for one tree) keeps long chains linear when every level asks."""
    if isinstance(node, cst.Name):
        return node.value
    if memo is not None and id(node) in memo:
        return memo[id(node)]
    found = None
    if isinstance(node, cst.Attribute):
        base = dotted(node.value, memo)
        found = f"{base}.{node.attr.value}" if base else None
    elif isinstance(node, cst.Subscript) and len(node.slice) == 1:
        base = dotted(node.value, memo)
        index = node.slice[0].slice
        if base and isinstance(index, cst.Index) and isinstance(index.value, (cst.SimpleString, cst.Integer)):
            key = string_value(index.value) if isinstance(index.value, cst.SimpleString) else None
            found = f"{base}[{key!r}]" if key is not None else f"{base}[{index.value.value}]"   # `d['k']` is `d["k"]`
    if memo is not None:
        memo[id(node)] = found
    return found


def base_class(node: cst.BaseExpression) -> str | None:
    """The class a base expression names: ``Action`` for ``Action[Req, Resp]`` (a generic base is
    still that base for overrides, tools and model classes)."""
    while isinstance(node, cst.Subscript):
        node = node.value
    return dotted(node)


def display_words(node: cst.BaseExpression) -> tuple[str, ...]:
    """Each element of a list or tuple display as text: a literal's value, a name's dotted text, ""
    for anything else (`["python", path]` is a command whose program is known)."""
    if not isinstance(node, (cst.List, cst.Tuple)):
        return ()
    return tuple(string_value(e.value) or dotted(e.value) or "" for e in node.elements)


def string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def line_smalls(stmt: cst.CSTNode) -> tuple:
    """The small statements a statement of a block is made of: those of a line (`a = 1; b = 2`),
    or the statement itself where the block sits on its header's line (`if cmd: os.system(cmd)`
    is a suite of small statements); none for a compound statement."""
    if isinstance(stmt, cst.SimpleStatementLine):
        return tuple(stmt.body)
    return (stmt,) if isinstance(stmt, cst.BaseSmallStatement) else ()


def is_simple(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, (cst.SimpleStatementLine, cst.BaseSmallStatement))


def is_exit_block(body: cst.BaseSuite) -> bool:
    """Does the block end by leaving the enclosing flow (raise/return/continue/break)?"""
    statements = body.body
    if not statements:
        return False
    last = statements[-1]
    if is_simple(last):
        smalls = line_smalls(last)
        return any(isinstance(s, EXITS) for s in smalls) or any(
            isinstance(s, cst.Expr) and isinstance(s.value, cst.Call) and dotted(s.value.func) in EXIT_CALLS
            for s in smalls
        )
    if isinstance(last, cst.If):
        return is_exit_block(last.body) and last.orelse is not None and (
            is_exit_block(last.orelse.body) if isinstance(last.orelse, cst.Else) else is_exit_block(last.orelse.body)
        )
    return False


def is_constant(node) -> bool:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.Name):
        return node.value.isupper() or node.value in ("None", "True", "False")
    if isinstance(node, cst.Attribute):
        return node.attr.value.isupper()
    return False


def is_computed_container(node) -> bool:
    """A membership test against a call result is not a fixed allow-list."""
    return isinstance(node, cst.Call) and not (
        isinstance(node.func, cst.Attribute) and node.func.attr.value in VIEW_METHODS
    )


# The visitors below are module-level classes: they are made for every argument of every call,
# and creating a class is several times the cost of the walk it makes.
class CallFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[cst.Call] = []

    def visit_Call(self, call) -> None:
        self.found.append(call)


def calls_in(node) -> list[cst.Call]:
    finder = CallFinder()
    node.visit(finder)
    return finder.found


def is_rewrite_step(body: cst.BaseSuite, loop_name: str) -> bool:
    """Is a loop body one assignment `x = <expression of x and the loop variable only>`?"""
    if len(body.body) != 1:
        return False
    smalls = line_smalls(body.body[0])
    if len(smalls) != 1 or not isinstance(smalls[0], cst.Assign):
        return False
    assign = smalls[0]
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return False
    target = assign.targets[0].target.value
    return target != loop_name and set(names_read(assign.value)) <= {target, loop_name}


def root_name(key: str) -> str:
    """The name a dotted text starts from (`a` of `a.b[0]`)."""
    return ROOT_NAME.match(key).group(0)


ROOT_NAME = re.compile(r"[^.\[]*")


class JumpFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Break(self, node) -> None:
        self.found = True

    def visit_Continue(self, node) -> None:
        self.found = True


def has_jump(node) -> bool:
    """Does a block hold a `break` or `continue` (in a nested loop too)?"""
    finder = JumpFinder()
    node.visit(finder)
    return finder.found


class NameFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.keys: list[str] = []

    def chain(self, n) -> bool:
        """Record `a.b[0]` whole; look inside chains that are not plain names."""
        key = dotted(n)
        if key:
            self.keys.append(key)
        return key is None

    visit_Attribute = chain
    visit_Subscript = chain

    def visit_Name(self, n) -> None:
        self.keys.append(n.value)

    def visit_Call(self, n) -> bool:
        for a in n.args:
            a.value.visit(self)
        if isinstance(n.func, cst.Attribute):
            n.func.value.visit(self)
        return False


def names_read(node) -> list[str]:
    """Dotted texts of the values an expression reads (outermost chains only)."""
    finder = NameFinder()
    node.visit(finder)
    return list(dict.fromkeys(finder.keys))


class AssignedFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_FunctionDef(self, n) -> bool:
        return False

    def visit_ClassDef(self, n) -> bool:
        return False

    def visit_AssignTarget(self, n) -> None:
        self.names.update(target_names(n.target))

    def visit_AugAssign(self, n) -> None:
        self.names.update(target_names(n.target))

    def visit_AnnAssign(self, n) -> None:
        if n.value is not None:
            self.names.update(target_names(n.target))

    def visit_For(self, n) -> None:
        self.names.update(target_names(n.target))

    def visit_WithItem(self, n) -> None:
        if n.asname is not None:
            self.names.update(target_names(n.asname.name))


def assigned_names(node) -> set[str]:
    """Names bound anywhere in a block (not in nested functions or classes)."""
    if not isinstance(node, cst.CSTNode):
        return set()
    if isinstance(node, cst.BaseExpression):
        return set(target_names(node))
    finder = AssignedFinder()
    node.visit(finder)
    return finder.names


def target_names(node) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for e in node.elements for n in target_names(e.value)]
    if isinstance(node, cst.StarredElement):
        return target_names(node.value)
    return []


def literal_kind(node) -> str:
    if isinstance(node, (cst.Dict, cst.DictComp)):
        return "dict"
    if isinstance(node, (cst.List, cst.ListComp)):
        return "list"
    if isinstance(node, (cst.Set, cst.SetComp)):
        return "set"
    if isinstance(node, cst.Tuple):
        return "tuple"
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in MAPPING_CONSTRUCTORS:
        return MAPPING_CONSTRUCTORS[node.func.value]
    return ""


def is_condition(node) -> bool:
    """An expression whose truth value can be a check (`x in A`, `re.fullmatch(...)`, `confirm(...)`)."""
    if isinstance(node, (cst.Comparison, cst.BooleanOperation, cst.Call)):
        return True
    if isinstance(node, cst.Await):
        return isinstance(node.expression, cst.Call)   # `ok = await is_listed(x)`
    return isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not)


def is_none(node) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def is_literal_pattern(pattern) -> bool:
    """`case "a":` or `case "a" | "b":` (constants only)."""
    if isinstance(pattern, cst.MatchValue):
        return isinstance(pattern.value, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)) or (
            isinstance(pattern.value, cst.Attribute) and pattern.value.attr.value.isupper())
    if isinstance(pattern, cst.MatchOr):
        return all(is_literal_pattern(p.pattern) for p in pattern.patterns)
    return False


def handler_action(body: cst.BaseSuite) -> str:
    """What an except clause ends with: the decisive statement of its block."""
    statements = body.body
    smalls = [x for stmt in statements for x in line_smalls(stmt)]
    if len(statements) == len(smalls) and all(
        isinstance(x, cst.Pass) or (isinstance(x, cst.Expr) and isinstance(x.value, (cst.Ellipsis, cst.SimpleString)))
        for x in smalls
    ):
        return "pass"
    last = statements[-1] if statements else None
    if last is not None:
        for kind, name in ((cst.Raise, "raise"), (cst.Return, "return"), (cst.Continue, "continue"), (cst.Break, "break")):
            if any(isinstance(x, kind) for x in line_smalls(last)):
                return name
    return "handle"


def is_falsy(value) -> bool:
    return isinstance(value, cst.Name) and value.value in ("None", "False")


def is_yes_no(value) -> bool:
    """A comparison, membership test or boolean literal (whether a call is a predicate is catalog data)."""
    if isinstance(value, (cst.Comparison, cst.BooleanOperation)):
        return True
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Not):
        return True
    return isinstance(value, cst.Name) and value.value == "False"


def is_abstract(node: cst.FunctionDef, decorators) -> bool:
    if any(d.split(".")[-1] in ABSTRACT_DECORATORS for d in decorators):
        return True
    statements = node.body.body
    meaningful = [s for s in statements if not (
        is_simple(s) and all(
            isinstance(x, (cst.Pass,)) or (isinstance(x, cst.Expr) and isinstance(x.value, (cst.SimpleString, cst.Ellipsis)))
            for x in line_smalls(s)))]
    if not meaningful:
        return True
    return any(
        isinstance(x, cst.Raise) and x.exc is not None and "NotImplementedError" in (dotted(x.exc.func if isinstance(x.exc, cst.Call) else x.exc) or "")
        for x in line_smalls(meaningful[0])
    )


def common_text(texts: list[str]) -> str:
    """What several constant texts share: their common start, and where they differ a value not
    known followed by their common end (`https://h/a/{}/run` and `https://h/{}/run` give
    `https://h/{}/run`)."""
    head = os.path.commonprefix(texts)
    if all(t == head for t in texts):
        return head
    tails = [t[len(head):] for t in texts]
    tail = os.path.commonprefix([t[::-1] for t in tails])[::-1]
    return f"{head}{UNKNOWN_TEXT}{tail}"
