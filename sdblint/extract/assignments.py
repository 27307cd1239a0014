"""What one function body assigns and returns, read statement by statement: the definitions
:mod:`sdblint.extract.settings` reads a configured URL's constant text from."""
from __future__ import annotations

import libcst as cst

from .syntax import dotted


def decorator_names(func: cst.FunctionDef) -> set[str]:
    return {(dotted(d.decorator) or "").rpartition(".")[2] for d in func.decorators}


def first_param(func: cst.FunctionDef) -> str | None:
    params = func.params.posonly_params or func.params.params
    return params[0].name.value if params and "staticmethod" not in decorator_names(func) else None


class Assignments:
    """The assignments and returns of one function body, statement by statement (expressions are
    not entered, nor functions and classes nested in it). A name or `self.` attribute also bound by
    a loop, a `with`, an unpacking or an augmented assignment gets None: its text is not known."""

    def __init__(self, func: cst.FunctionDef) -> None:
        self.self_name = first_param(func)
        self.names: dict[str, list[cst.BaseExpression | None]] = {}
        self.attrs: dict[str, list[cst.BaseExpression | None]] = {}
        self.returns: list[cst.BaseExpression | None] = []
        self.block(func.body)

    def block(self, node) -> None:
        for stmt in node.body if isinstance(node, cst.BaseSuite) else (node,):
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self.small(small)
            elif isinstance(stmt, cst.BaseSmallStatement):
                self.small(stmt)
            elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                continue
            else:
                self.compound(stmt)

    def compound(self, stmt) -> None:
        if isinstance(stmt, (cst.For, cst.CompFor)):
            self.unknown(stmt.target)
        if isinstance(stmt, cst.With):
            for item in stmt.items:
                if item.asname is not None:
                    self.unknown(item.asname.name)
        for child in stmt.children:
            if isinstance(child, cst.BaseSuite):
                self.block(child)
            elif isinstance(child, (cst.BaseCompoundStatement, cst.Else, cst.ExceptHandler, cst.Finally, cst.MatchCase)):
                self.compound(child)
            elif isinstance(child, cst.BaseSmallStatement):
                self.small(child)

    def small(self, small) -> None:
        if isinstance(small, cst.Assign):
            for t in small.targets:
                self.target(t.target, small.value)
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            self.target(small.target, small.value)
        elif isinstance(small, cst.AugAssign):
            self.unknown(small.target)   # changed in place: no longer the text it was assigned
        elif isinstance(small, cst.Return):
            self.returns.append(small.value)

    def target(self, target, value) -> None:
        if isinstance(target, cst.Name):
            self.names.setdefault(target.value, []).append(value)
        elif (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
              and target.value.value == self.self_name):
            self.attrs.setdefault(target.attr.value, []).append(value)
        elif isinstance(target, (cst.Tuple, cst.List, cst.StarredElement)):
            self.unknown(target)

    def unknown(self, target) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.unknown(element.value)
        elif isinstance(target, cst.StarredElement):
            self.unknown(target.value)
        else:
            self.target(target, None)   # a name or `self.` attribute; anything else binds neither
