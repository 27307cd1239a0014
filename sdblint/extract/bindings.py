"""Bindings: names defined in scopes, assignment targets, stores into objects."""
from __future__ import annotations

import libcst as cst

from ..facts import Def, Store
from ..nodes import attr_node, class_key, def_node, global_node, is_module_scope
from .annotations import annotation_constraint
from .syntax import UNKNOWN_TEXT, dotted, has_constant_text, is_condition, literal_kind, string_value
from .keys import constant_key
from .rejections import is_node_type
from .values import elements as elements_of
from .values import positioned

ENUMERATE, ZIP = "enumerate", "zip"
REREADABLE = (cst.Name, cst.Attribute, cst.Call)   # what :meth:`expr_quiet` gives the flows of again


class Bindings:
    """Mixin of :class:`~sdblint.extract.walker.Walker`: what an assignment defines or stores."""

    def string_values(self, node) -> tuple[str, ...]:
        """Every string an expression can be, when each is known: a literal, `a if c else b` of
        them, a local or module constant all of whose definitions are such, a parameter's string
        default (what callers leave as is); () when any is not known."""
        known = string_value(node)
        if known is not None:
            return (known,)
        if isinstance(node, cst.IfExp):
            body, orelse = self.string_values(node.body), self.string_values(node.orelse)
            return tuple(sorted({*body, *orelse})) if body and orelse else ()
        if isinstance(node, cst.Name):
            # A local, or else a module constant (`READ_MODE = "r"` above the function).
            nodes = self.state.defs.get(node.value) or self.module_defs.get(node.value, ())
            found = [self.def_values.get(n) for n in sorted(nodes)]
            if found and all(found):
                return tuple(sorted({v for values in found for v in values}))
        return ()

    def define(self, name: str, flows, node, literal: str, note: str = "", value=None, binds=None, annotation: str = "") -> None:
        scope = self.scope
        if scope.is_class_body:
            self.stores.append(Store(attr_node(class_key(self.module, scope.class_name), name), self.line(node), tuple(flows), note, literal))
            return
        if name in scope.globals_declared:
            self.stores.append(Store(global_node(self.module, name), self.line(node), tuple(flows), note))
            return
        count = scope.def_counts.get(name, 0) + 1
        scope.def_counts[name] = count
        key = def_node(scope.key, name, count)
        selector = self.selector_of(value) if value is not None else None
        if selector is not None:
            self.def_selector[key] = selector
        if value is not None and is_condition(value):
            self.conditions[key] = value
        if value is not None and self.walks and is_node_type(value, frozenset(self.walks)):
            self.node_type_defs.add(key)
        self.def_flows[key] = tuple(flows)
        if value is not None and id(value) in self.dict_literals:
            self.dict_fields[key] = self.dict_literals[id(value)]
            self.dict_texts[key] = self.dict_texts.get(id(value), {})
        text = self.literal_prefix(value) if value is not None else UNKNOWN_TEXT
        if has_constant_text(text):
            self.def_texts[key] = text
        values = self.string_values(value) if value is not None else ()
        if values:
            self.def_values[key] = values
        self.defs.append(Def(key, name, scope.key, self.line(node), tuple(flows), literal, note, selector, binds, annotation))
        # A strong update in a loop too: what the name held in an earlier pass reaches reads before
        # this assignment through the loop-carried definition (Statements.loop), not after it.
        self.state.defs[name] = frozenset([key])
        if is_module_scope(scope.key):
            self.module_defs.setdefault(name, []).append(key)
            constraint = annotation_constraint(value, None) if value is not None else ""
            if constraint:
                self.constraint_aliases[name] = constraint
        self.forget_checks(name)

    def forget_checks(self, key: str) -> None:
        """A fresh value is no longer constrained by checks on the old one (``key``: the name, field
        or attribute written, as dotted text)."""
        for guard_key in [k for k in self.state.guards if key and (k == key or k.startswith(key + ".") or k.startswith(key + "["))]:
            del self.state.guards[guard_key]

    def assign(self, target, flows, value, literal: str) -> None:
        note = self.note(target)
        if isinstance(target, cst.Name):
            self.define(target.value, flows, target, literal, note, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = [e.value for e in target.elements]
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(elements) and not any(
                isinstance(e, cst.StarredElement) for e in value.elements
            ):
                for element, item in zip(elements, value.elements):
                    self.assign(element, self.expr(item.value), item.value, literal_kind(item.value))
            elif any(isinstance(e, cst.StarredElement) for e in target.elements):
                for element in elements:
                    self.assign(element, elements_of(flows), value, "")
            else:
                # `ask, run = make_steps()`: each name is one of the elements of what is unpacked, and
                # position i of a tuple a function returns (`a, n = f()`).
                for i, element in enumerate(elements):
                    self.assign(element, positioned(elements_of(flows), i), value, "")
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, flows, value, "")
        elif isinstance(target, cst.Attribute):
            self.forget_checks(self.dotted(target) or "")
            base = target.value
            if isinstance(base, cst.Name) and base.value == self.scope.self_name and self.scope.class_name:
                self.stores.append(Store(attr_node(class_key(self.module, self.scope.class_name), target.attr.value), self.line(target), tuple(flows), note, literal))
            else:
                self.store_into(base, flows, target, note)
        elif isinstance(target, cst.Subscript):
            self.forget_checks(self.dotted(target) or "")
            self.expr_slices(target)
            self.store_into(target.value, flows, target, note)

    def assign_iterated(self, target, flows, iterable) -> None:
        """The target of `for target in iterable` (also in a comprehension), given ``flows``, the
        elements' flows; `for i, x in enumerate(xs)` and `for a, b in zip(xs, ys)` give each name its
        own part: an index is no model text, and `a` holds nothing of `ys`."""
        parts = self.iterated_parts(iterable, target)
        self.loop_depth += 1
        if parts is None:
            self.assign(target, flows, iterable, "")
        else:
            for element, part in zip(target.elements, parts):
                self.assign(element.value, part, None, "")
        self.loop_depth -= 1

    def iterated_parts(self, iterable, target):
        if not isinstance(target, (cst.Tuple, cst.List)) or not isinstance(iterable, cst.Call):
            return None
        args = [a for a in iterable.args if a.keyword is None]
        if any(isinstance(e, cst.StarredElement) for e in target.elements) or any(a.star for a in iterable.args) \
                or not all(isinstance(a.value, REREADABLE) for a in args):
            return None
        func, width = dotted(iterable.func), len(target.elements)
        if func == ENUMERATE and len(args) == 1 and width == 2:
            return [(), elements_of(self.expr_quiet(args[0].value))]
        if func == ZIP and len(args) == width and len(iterable.args) == width:
            return [elements_of(self.expr_quiet(a.value)) for a in args]
        return None

    def store_into(self, container, flows, node, note: str) -> None:
        """``obj.x = v`` / ``d[k] = v``: the container now holds model output."""
        key = constant_key(node) if isinstance(node, cst.Subscript) else None
        if key is None or not self.store_field(container, key, flows):
            self.forget_fields(container)
        for base in self.expr(container):
            if base.alias is not None:
                attr = node.attr.value if isinstance(node, cst.Attribute) and base.alias == "" else ""
                if isinstance(node, cst.Subscript) and base.alias.count(".") == 1 and base.alias[1:].isidentifier():
                    # `self.tools[name] = fn` where `self` is not the method's own (a decorator
                    # nested in a method): the store fills the attribute `tools` of that object.
                    attr = base.alias[1:]
                self.stores.append(Store(base.src, self.line(node), tuple(flows), note, attr=attr, key=key or ""))

    def store_field(self, container, key: str, flows) -> bool:
        """`d["ssl"] = False` on a dict literal with known fields: that field holds ``flows`` too (as
        well as what it held: the store may sit in one branch only)."""
        if not isinstance(container, cst.Name):
            return False
        nodes = self.state.defs.get(container.value, ())
        if not nodes or any(n not in self.dict_fields for n in nodes):
            return False
        for n in nodes:
            fields = self.dict_fields[n]
            self.dict_fields[n] = {**fields, key: fields.get(key, ()) + tuple(flows)}
        return True

    def forget_fields(self, container) -> None:
        """A dict literal that is written to no longer has known fields."""
        if isinstance(container, cst.Name):
            for n in self.state.defs.get(container.value, ()):
                self.dict_fields.pop(n, None)

    def note(self, node) -> str:
        line = self.line(node)
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return text[:120]

