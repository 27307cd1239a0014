"""Node ids of the flow graph, and the one place that knows their form.

Ids stay short strings in the facts and the graph (they are hashed millions of times and
pickled per file), but no other module builds or splits one: they are made by the
constructors below and read through :func:`ref`, which returns a typed :class:`NodeRef`.

    n:<module>::<qualname>::<name>#<k>   definition k of a name (#p a parameter, #L<i> loop-carried)
    c:<module>:<i>                       the result of call i of a module
    r:<module>::<qualname>               a function's return value
    g:<module>:<name>                    a module-level name read from another scope
    a:<module>:<class>:<attr>            an attribute stored on instances of a project class
    c:<module>:<i>:<category>:<slot>     a sink argument of call i (slot: index, receiver, callee, arguments)

Scope keys (a function or module body) are ``<module>::<qualname>``; class keys ``<module>:<qualname>``.
No part holds a `:`: qualnames and names are identifiers, and a module name is made of
:func:`module_segment` of each file and folder name.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

MODULE_SCOPE = "<module>"


class NodeKind(str, Enum):
    DEF = "n"
    CALL = "c"
    RETURN = "r"
    GLOBAL = "g"
    ATTR = "a"
    SINK = "s"


@dataclass(frozen=True, slots=True)
class NodeRef:
    kind: NodeKind
    module: str
    scope: str = ""        # DEF: the scope key; RETURN: the function key
    name: str = ""         # DEF and GLOBAL: the name; ATTR: the attribute
    version: str = ""      # DEF: "1", "2", ... , "p" (parameter) or "L<i>" (loop-carried)
    class_key: str = ""    # ATTR: the class
    call: str = ""         # SINK: the call node
    category: str = ""     # SINK
    slot: str = ""         # SINK: argument index, "receiver", "callee" or "arguments"

    @property
    def is_param(self) -> bool:
        return self.kind is NodeKind.DEF and self.version == "p"

    @property
    def is_loop_carried(self) -> bool:
        return self.kind is NodeKind.DEF and self.version.startswith("L")


# ------------------------------------------------------------------ modules
def module_segment(name: str) -> str:
    """A file or folder name as a segment of a module name. A `:` in it (`a:b.py`, which no import
    can name) would end the module part of every id made from it, so it is spelled `%3A`, and `%`
    as `%25` so that no two names meet."""
    return name.replace("%", "%25").replace(":", "%3A")


# ------------------------------------------------------------------ scopes and classes
def scope_key(module: str, qualname: str = MODULE_SCOPE) -> str:
    return f"{module}::{qualname}"


def scope_module(scope: str) -> str:
    return scope.split("::", 1)[0]


def scope_qualname(scope: str) -> str:
    return scope.split("::", 1)[-1]


def is_module_scope(scope: str) -> bool:
    return scope.endswith(f"::{MODULE_SCOPE}")


def class_key(module: str, qualname: str) -> str:
    return f"{module}:{qualname}"


def class_parts(key: str) -> tuple[str, str]:
    """(module, qualname) of a class key."""
    module, _, qualname = key.partition(":")
    return module, qualname


def class_path(key: str) -> str:
    """The dotted path of a class key (`pkg.mod.Class`), as callee paths name it."""
    return key.replace(":", ".")


def import_path(path: str) -> str:
    """A dotted path as it is imported: without the folders above an import root (a segment that
    is no identifier, like an unpacked wheel's `smolagents-1.26.0-py3-none-any`, cannot be a package)."""
    head, _, rest = path.partition(".")
    while rest and not head.isidentifier():
        head, _, rest = rest.partition(".")
        if head.isidentifier():
            return f"{head}.{rest}" if rest else head
    return path


# ------------------------------------------------------------------ constructors
def def_node(scope: str, name: str, version: int | str) -> str:
    return f"n:{scope}::{name}#{version}"


def param_node(scope: str, name: str) -> str:
    return def_node(scope, name, "p")


def loop_node(scope: str, name: str, index: int) -> str:
    return def_node(scope, name, f"L{index}")


def call_node(module: str, index: int) -> str:
    return f"c:{module}:{index}"


def return_node(function_key: str) -> str:
    return f"r:{function_key}"


def global_node(module: str, name: str) -> str:
    return f"g:{module}:{name}"


def attr_node(owner: str, attr: str) -> str:
    """An attribute of instances of the class ``owner`` (a class key)."""
    return f"a:{owner}:{attr}"


def sink_node(call: str, category: str, slot: int | str) -> str:
    return f"{call}:{category}:{slot}"


# ------------------------------------------------------------------ reading
@lru_cache(maxsize=4096)   # bounded: a large project has millions of nodes, and reading one is cheap
def ref(node: str) -> NodeRef:
    """The typed reading of a node id."""
    kind, body = node[0], node[2:]
    if kind == "n":
        scope_and_name, _, version = body.rpartition("#")
        scope, _, name = scope_and_name.rpartition("::")
        return NodeRef(NodeKind.DEF, scope_module(scope), scope=scope, name=name, version=version)
    if kind == "r":
        return NodeRef(NodeKind.RETURN, scope_module(body), scope=body)
    if kind == "g":
        module, _, name = body.partition(":")
        return NodeRef(NodeKind.GLOBAL, module, name=name)
    if kind == "a":
        owner, _, attr = body.rpartition(":")
        return NodeRef(NodeKind.ATTR, class_parts(owner)[0], name=attr, class_key=owner)
    module, index, *sink = body.split(":")
    if sink:
        category, slot = sink
        return NodeRef(NodeKind.SINK, module, call=call_node(module, int(index)), category=category, slot=slot)
    return NodeRef(NodeKind.CALL, module)


_KIND_BY_PREFIX = {"n": NodeKind.DEF, "r": NodeKind.RETURN, "g": NodeKind.GLOBAL, "a": NodeKind.ATTR}


def kind_of(node: str) -> NodeKind:
    """The kind of a node without reading the rest of it (propagation asks at every step)."""
    kind = _KIND_BY_PREFIX.get(node[0])
    if kind is not None:
        return kind
    return NodeKind.SINK if node.count(":") > 2 else NodeKind.CALL
