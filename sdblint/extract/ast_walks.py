"""Walks over a parsed syntax tree: an `ast.walk` loop, or an `ast.NodeVisitor` whose `visit` sees
every node. A rejection under a test of the walked node's type outside a fixed set makes the tree,
and the text it was parsed from, pass an AST allow-list (see :mod:`sdblint.extract.rejections`)."""
from __future__ import annotations

import libcst as cst

from ..facts import Guard
from ..nodes import ref
from .rejections import visitor_entry


class AstWalks:
    """Mixin of :class:`~sdblint.extract.walker.Walker`."""

    def walk_loop(self, node: cst.For, tree: str) -> None:
        """`for n in ast.walk(tree): if not isinstance(n, SAFE): raise`: once the loop is done, the
        tree, and the text it was parsed from, passed an AST allow-list."""
        variable = node.target.value
        outer = self.walks.pop(variable, None)
        self.walks[variable] = tree
        self.loop(node.body, node.orelse)
        del self.walks[variable]
        if outer is not None:
            self.walks[variable] = outer
        if tree in self.walks_checked:
            guard = frozenset({Guard("ast-allowlist", self.line(node))})
            checked = {tree, self.parsed_texts.get((self.scope.key, tree))} - {None}
            self.state = self.state.with_guards({key: guard for key in checked})

    def walked_types(self) -> frozenset[str]:
        """The locals that hold the type of a walked node here (`kind = type(node)` in an
        `ast.walk` loop, not reassigned since): a test of one is a test of the node's type."""
        if not self.walks:
            return frozenset()
        return frozenset(name for name, defs in self.state.defs.items()
                         if (held := {d for d in defs if not ref(d).is_loop_carried})
                         and held <= self.node_type_defs)

    def remember_visitor(self, node: cst.ClassDef, bases: tuple[str, ...]) -> None:
        """A class whose `visit` sees every node of the tree it visits: that method's node is walked."""
        entry = visitor_entry(node, {self.absolute(b) for b in bases})
        if entry is not None:
            self.visitor_entries.add(id(entry))

    def visited_node(self, node: cst.FunctionDef, params) -> dict[str, str]:
        """The walks inside a function: `def visit(self, node)` of such a visitor walks `node`."""
        if id(node) in self.visitor_entries and len(params) > 1:
            return {params[1].name: params[1].name}
        return {}

    def absolute(self, name: str) -> str:
        """A dotted name as this module's imports spell it out (`NodeVisitor` -> `ast.NodeVisitor`)."""
        head, dot, rest = name.partition(".")
        return self.imports.get(head, head) + dot + rest
