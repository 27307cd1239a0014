"""Expressions: which values an expression reads, and what each read keeps of them."""
from __future__ import annotations

from dataclasses import replace

import libcst as cst

from ..facts import Flow, Guard
from ..nodes import (
    NodeKind,
    attr_node,
    class_key,
    global_node,
    kind_of,
)
from .rejections import parsed_text
from .syntax import (
    ATTRIBUTE_LOOKUP,
    INTERSECTIONS,
    TYPE_ATTRIBUTES,
    UNKNOWN_TEXT,
    common_text,
    string_value,
)
from .keys import constant_key, position_key
from .values import concatenated, contained, derive, elements, position, record_flows


class Expressions:
    """Mixin of :class:`~sdblint.extract.walker.Walker`: flows of every expression kind."""

    def guards_for(self, key: str | None) -> tuple[Guard, ...]:
        found: set[Guard] = set()
        for gkey, guards in self.state.guards.items():
            if gkey == "*":
                found.update(guards)
            elif key and (key == gkey or key.startswith(gkey + ".") or key.startswith(gkey + "[")):
                found.update(guards)
        return tuple(sorted(found, key=lambda g: (g.line, g.kind, g.call, g.mapping, g.keyed)))

    def read_name(self, name: str, node) -> tuple[Flow, ...]:
        line = self.line(node)
        if name in self.scope.globals_declared:
            return (Flow(global_node(self.module, name), line, "", guards=self.guards_for(name)),)
        nodes = self.state.defs.get(name)
        guards = self.guards_for(name)
        if nodes:
            return tuple(Flow(n, line, "", guards=guards) for n in sorted(nodes))
        if name in ("None", "True", "False"):
            return ()
        return (Flow(global_node(self.module, name), line, "", guards=guards),)

    def expr(self, node, discarded: bool = False) -> tuple[Flow, ...]:
        if isinstance(node, cst.Name):
            return self.read_name(node.value, node)
        if isinstance(node, cst.Attribute):
            return self.attribute(node.value, node.attr.value, node, self.dotted(node))
        if isinstance(node, cst.Subscript):
            return self.subscript(node)
        if isinstance(node, cst.Call):
            literal = self.literal_attribute(node)
            if literal is not None:
                default = self.expr(node.args[2].value) if len(node.args) == 3 else ()
                return self.attribute(node.args[0].value, literal, node, None) + default
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in INTERSECTIONS and node.args:
                return self.intersection([node.func.value, *(a.value for a in node.args)], node)
            return self.call(node, discarded)
        if isinstance(node, cst.Await):
            return self.expr(node.expression, discarded)   # `await require(x)` as a statement drops the answer too
        return self.expr_other(node)

    def literal_attribute(self, node: cst.Call) -> str | None:
        """`getattr(obj, "name")`, `getattr(obj, "name", default)`: the attribute a lookup with a
        constant name reads."""
        if isinstance(node.func, cst.Name) and node.func.value == ATTRIBUTE_LOOKUP and len(node.args) in (2, 3) \
                and not any(a.keyword or a.star for a in node.args):
            name = string_value(node.args[1].value)
            return name if name and name.isidentifier() else None
        return None

    def attribute(self, base, attr: str, node, key: str | None) -> tuple[Flow, ...]:
        """``base.attr`` read at ``node`` (``key``: its dotted text, for the checks that hold on it)."""
        if attr in TYPE_ATTRIBUTES:
            self.expr(base)
            return ()   # `x.__class__.__name__` describes the value's type, not its text
        if isinstance(base, cst.Name) and base.value == self.scope.self_name and self.scope.class_name:
            guards = self.guards_for(key) if key else ()
            return (Flow(attr_node(class_key(self.module, self.scope.class_name), attr), self.line(node), "", guards=guards),)
        out = []
        for f in self.expr(base):
            guards = tuple(sorted(set(f.guards) | set(self.guards_for(key)), key=lambda g: (g.line, g.kind, g.call, g.mapping, g.keyed))) if key else f.guards
            out.append(replace(
                f,
                alias=None if f.alias is None else f"{f.alias}.{attr}",
                attr=f"{f.attr}.{attr}" if f.attr else attr,
                guards=guards,
            ))
        return tuple(out)

    def intersection(self, operands, node) -> tuple[Flow, ...]:
        """`ALLOWED & set(picks)`, `picks.intersection(ALLOWED)`: what survives is in every operand,
        so each operand's values are allow-listed by the others (trusted if those hold no model
        output, which propagation checks)."""
        flows = [self.expr(o) for o in operands]
        line = self.line(node)
        out: list[Flow] = []
        for i, own in enumerate(flows):
            others = tuple(sorted({f.src for j, fs in enumerate(flows) if j != i for f in fs}))
            guard = Guard("allowlist", line, container=others)
            out.extend(replace(f, alias=None, guards=f.guards + (guard,)) for f in own)
        return tuple(out)

    def expr_other(self, node) -> tuple[Flow, ...]:
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitAnd):
            return self.intersection([node.left, node.right], node)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            # `BASE_URL + "search?q=" + term`: what follows a fixed "https://host/" prefix.
            # Of lists and tuples, `+` keeps the elements of both (`BASE_STEPS + [Run()]`).
            left = self.expr(node.left)
            right = concatenated(self.expr(node.right))
            leftmost = node.left
            while isinstance(leftmost, cst.BinaryOperation) and isinstance(leftmost.operator, cst.Add):
                leftmost = leftmost.left
            base = self.expr_quiet(leftmost) if leftmost is not node.left else left
            return concatenated(left) + self.after_url_prefix(self.literal_prefix(node.left), right, node.right, base)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            # `Path(base) / name` is still a Path: keep the left operand's object path.
            left = self.expr(node.left)
            return tuple(f for f in left if f.alias is not None) + derive(left + self.expr(node.right))
        if isinstance(node, cst.BinaryOperation):
            flows = self.expr(node.left) + self.expr(node.right)
            if isinstance(node.operator, cst.BitOr):
                return flows  # LCEL `prompt | llm | parser` keeps what each stage is
            return derive(flows)
        if isinstance(node, cst.BooleanOperation):
            return self.expr(node.left) + self.expr(node.right)
        if isinstance(node, cst.UnaryOperation):
            return derive(self.expr(node.expression))
        if isinstance(node, cst.Comparison):
            flows = list(self.expr(node.left))
            for c in node.comparisons:
                flows.extend(self.expr(c.comparator))
            return derive(flows)
        if isinstance(node, (cst.FormattedString, cst.ConcatenatedString)):
            return self.string_flows(node, "")[0]
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            flows = []
            positions = {}   # `return text, 0`: a tuple's positions are its fields (`t[1]`, `a, n = f()`)
            for i, e in enumerate(node.elements):
                # `[*BASE, Run()]`: a starred element puts in the elements of what it unpacks.
                value = self.expr(e.value)
                flows.extend(elements(value) if isinstance(e, cst.StarredElement) else value)
                positions[position(i)] = value
            if isinstance(node, cst.Tuple) and not any(isinstance(e, cst.StarredElement) for e in node.elements):
                self.dict_literals[id(node)] = positions
            return contained(flows)
        if isinstance(node, cst.Dict):
            flows = []
            fields: dict[str, tuple[Flow, ...]] | None = {}
            for e in node.elements:
                if isinstance(e, cst.DictElement):
                    flows.extend(self.expr(e.key))
                key = string_value(e.key) if isinstance(e, cst.DictElement) else None
                value = self.expr(e.value)
                flows.extend(value)
                if key is None:
                    fields = None
                elif fields is not None:
                    fields[key] = fields.get(key, ()) + value
            if fields is not None:
                # `{"url": BASE, "q": text}`: each constant key keeps its own value (read back by
                # `d["url"]` or `**d` while the dict is not changed), and its constant text.
                self.dict_literals[id(node)] = fields
                self.dict_texts[id(node)] = {
                    key: text for e in node.elements if isinstance(e, cst.DictElement)
                    for key in [string_value(e.key)] if key is not None
                    for text in [self.literal_prefix(e.value)] if not text.startswith(UNKNOWN_TEXT)}
            return derive(fields is not None and record_flows(fields, self.line(node)) or flows)   # values know their record
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return self.comprehension(node)
        if isinstance(node, cst.IfExp):
            self.expr(node.test)
            return self.expr(node.body) + self.expr(node.orelse)
        if isinstance(node, cst.NamedExpr):
            flows = self.expr(node.value)
            self.assign(node.target, flows, node.value, "")
            return flows
        if isinstance(node, cst.StarredElement):
            return self.expr(node.value)
        if isinstance(node, (cst.Yield,)):
            if node.value is not None and not isinstance(node.value, cst.From):
                self.scope.returns.extend(self.expr(node.value))
            elif isinstance(node.value, cst.From):
                self.scope.returns.extend(self.expr(node.value.item))
            return ()
        if isinstance(node, cst.Lambda):
            saved = self.state
            self.state = saved.copy()
            for p in node.params.params:
                self.state.defs.pop(p.name.value, None)
            flows = derive(self.expr(node.body))
            self.state = saved
            return tuple(f for f in flows if kind_of(f.src) is not NodeKind.GLOBAL)
        return ()

    def remember_parse(self, target, value) -> None:
        """`tree = ast.parse(expr)`: a walk of `tree` that checks it checks `expr` too."""
        text = parsed_text(value)
        if text and isinstance(target, cst.Name):
            self.parsed_texts[(self.scope.key, target.value)] = text

    def expr_quiet(self, node) -> tuple[Flow, ...]:
        """Flows of an expression already visited: re-reads names, reuses recorded calls."""
        if isinstance(node, cst.Call) and id(node) in self.call_ids:
            return (Flow(self.call_ids[id(node)], self.line(node), ""),)
        if isinstance(node, (cst.Name, cst.Attribute)):
            return self.expr(node)
        return ()

    def expr_slices(self, node: cst.Subscript) -> tuple[Flow, ...]:
        flows = ()
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                flows += self.expr(element.slice.value)
            else:
                for part in (element.slice.lower, element.slice.upper, element.slice.step):
                    if part is not None:
                        self.expr(part)
        return flows

    def subscript(self, node: cst.Subscript) -> tuple[Flow, ...]:
        value_flows = self.expr(node.value)
        key_flows = self.expr_slices(node)
        mapping = self.dotted(node.value)
        line = self.line(node)
        if mapping and key_flows:
            guard = Guard("mapping", line, mapping=mapping)
            key_flows = tuple(replace(f, alias=None, guards=f.guards + (guard,)) for f in key_flows)
        else:
            key_flows = derive(key_flows)
        key = self.dotted(node)
        extra = self.guards_for(key) if key else ()
        field = self.dict_field(node)
        if field is not None:
            return tuple(replace(f, guards=tuple(dict.fromkeys(f.guards + extra))) for f in field)
        # A constant key keeps the object path (`MongoClient()["db"]["notes"].insert_one`).
        constant = not key_flows and all(
            isinstance(e.slice, cst.Index) and isinstance(e.slice.value, (cst.SimpleString, cst.Integer)) for e in node.slice
        )
        field_key = constant_key(node) if constant else None
        index = position_key(node) if constant else None
        values = tuple(replace(
            f, alias=f"{f.alias}.[]" if constant and f.alias is not None else None,
            guards=tuple(dict.fromkeys(f.guards + extra)),
            # `d["url"]`, `pair[1]`: the field read, for what a function returns (see FlowGraph.field_flows).
            attr=(f"{f.attr}.[{field_key}]" if f.attr else f"[{field_key}]") if field_key else (
                f"[{index}]" if index and not f.attr else f.attr),
        ) for f in value_flows)
        if not constant:
            # A model-chosen key selects a value; it is not part of the value itself.
            self.selectors[id(node)] = key_flows
        return values

    def literal_dict_fields(self, node) -> dict[str, tuple[Flow, ...]] | None:
        """The fields of the dict literals a local name holds, if it holds only such dicts."""
        if not isinstance(node, cst.Name):
            return None
        nodes = self.state.defs.get(node.value, ())
        found = [self.dict_fields.get(n) for n in nodes]
        if not found or any(f is None for f in found):
            return None
        merged: dict[str, tuple[Flow, ...]] = {}
        for fields in found:
            for key, flows in fields.items():
                merged[key] = merged.get(key, ()) + flows
        return merged

    def literal_dict_texts(self, node) -> dict[str, str]:
        """The constant texts of the fields of the dict literals a local name holds."""
        if not isinstance(node, cst.Name):
            return {}
        texts = [self.dict_texts.get(n) for n in self.state.defs.get(node.value, ())]
        if not texts or any(t is None for t in texts):
            return {}
        return {k: common_text([t[k] for t in texts]) for k in set.intersection(*(set(t) for t in texts))}

    def dict_field(self, node: cst.Subscript) -> tuple[Flow, ...] | None:
        """`d["url"]` of a local dict literal with constant keys (`t[1]` of a tuple): that field's flows only."""
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        key = string_value(node.slice[0].slice.value) or position_key(node)
        fields = self.literal_dict_fields(node.value) if key is not None else None
        return None if fields is None else fields.get(key, ())

    def comprehension(self, node) -> tuple[Flow, ...]:
        saved = self.state
        self.state = saved.copy()
        for_in = node.for_in
        while for_in is not None:
            self.assign_iterated(for_in.target, elements(self.expr(for_in.iter)), for_in.iter)
            for cond in for_in.ifs:
                self.expr(cond.test)
                true_g, _ = self.condition(cond.test, rejects=True)
                self.state = self.state.with_guards(true_g)
            for_in = for_in.inner_for_in
        if isinstance(node, cst.DictComp):
            out = derive(self.expr(node.key) + self.expr(node.value))
        else:
            out = contained(self.expr(node.elt))
        self.state = saved
        return out

