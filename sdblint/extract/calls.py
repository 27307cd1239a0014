"""Calls: callee, receiver and argument flows, lookups that select a callable."""
from __future__ import annotations

from dataclasses import replace

import libcst as cst

from ..facts import GENERIC, RECEIVER, Arg, Call, Check, Flow, Guard
from ..nodes import attr_node, call_node, class_key
from .keys import value_key
from .syntax import (
    ATTRIBUTE_LOOKUP,
    DICT_READ_METHODS,
    FLAG_ON,
    LOOKUP_METHODS,
    display_words,
    dotted,
    has_constant_text,
    may_be_url,
    names_read,
    root_name,
    string_value,
)
from .values import record_flows


def literal_head(node: cst.BaseExpression) -> int:
    """How many of the first elements of a list or tuple display are string literals (`["git",
    "clone", "--", url]` has three: no value of the program's choosing comes before the fourth)."""
    if not isinstance(node, (cst.List, cst.Tuple)):
        return 0
    return next((i for i, e in enumerate(node.elements) if string_value(e.value) is None), len(node.elements))


class Calls:
    """Mixin of :class:`~sdblint.extract.walker.Walker`: one :class:`Call` fact per call."""

    def call(self, node: cst.Call, discarded: bool) -> tuple[Flow, ...]:
        func = node.func
        receiver: tuple[Flow, ...] = ()
        if isinstance(func, cst.Attribute):
            callee_kind, method = "attr", func.attr.value
            if method not in DICT_READ_METHODS:
                self.forget_fields(func.value)
            receiver = self.expr(func.value)
            func_flows = tuple(
                replace(f, alias=None if f.alias is None else f"{f.alias}.{method}", attr=f.attr or method)
                for f in receiver
            )
            if isinstance(func.value, cst.Name) and func.value.value == self.scope.self_name and self.scope.class_name:
                func_flows = (Flow(attr_node(class_key(self.module, self.scope.class_name), method), self.line(node), ""),)
        else:
            callee_kind = "name" if isinstance(func, cst.Name) else "other"
            method = ""
            func_flows = self.expr(func)
            if isinstance(func, cst.Subscript) and dotted(func.value):
                # `Registry[Context](...)` constructs a `Registry` if that is a class (a lookup otherwise).
                func_flows += tuple(replace(f, alias=f.alias + GENERIC) for f in self.expr(func.value) if f.alias is not None)
        mapping = dotted(func.value) if isinstance(func, cst.Attribute) and method in LOOKUP_METHODS else None
        args = []
        position = 0
        for a in node.args:
            flows = self.expr(a.value)
            if mapping and position == 0 and not a.keyword:
                flows = tuple(replace(f, alias=None, guards=f.guards + (Guard("mapping", self.line(a), mapping=mapping),)) for f in flows)
            star = a.star if isinstance(a.star, str) else ""
            fields = self.literal_dict_fields(a.value) if star == "**" else None
            if fields is not None:
                # `f(url, **{"params": q})`: the dict's constant keys are keyword arguments.
                args.extend(Arg(None, key, "", value, None, None, tuple(names_read(a.value)))
                            for key, value in sorted(fields.items()))
                continue
            keyword = a.keyword.value if a.keyword is not None else None
            index = position if keyword is None and not star else None
            if index is not None:
                position += 1
            literal = string_value(a.value)
            text = self.literal_prefix(a.value) if literal is None else ""
            args.append(Arg(index, keyword, star, flows, literal, dotted(a.value), tuple(names_read(a.value)),
                            text if has_constant_text(text) else "", display_words(a.value),
                            literal_head(a.value), self.string_values(a.value) if literal is None else (),
                            tuple(sorted((self.dict_texts.get(id(a.value)) or self.literal_dict_texts(a.value)).items()))))
        # `Message(role="assistant", content=text)`: the keywords are a record too.
        fields = {a.keyword: a.flows for a in args if a.keyword and not a.star}
        tagged = record_flows(fields, self.line(node))
        if tagged is not None:
            args = [replace(a, flows=tuple(f for f in tagged if f.guards[-1].mapping == a.keyword))
                    if a.keyword and not a.star else a for a in args]
        if self.is_super_init(func):
            for a in args:
                if a.keyword and may_be_url(a.text):
                    self.url_constants[f"self.{a.keyword}"] = a.text   # `super().__init__(api_url=f"{ROOT}/x")`
        call_id = call_node(self.module, len(self.calls))
        self.call_ids[id(node)] = call_id
        if mapping is not None and args and args[0].index == 0:
            self.selectors[id(node)] = args[0].flows
        elif isinstance(func, cst.Name) and func.value == ATTRIBUTE_LOOKUP and len(args) > 1:
            self.selectors[id(node)] = args[1].flows
        selector = self.selector_of(func)
        loc = self.loc(node)
        stmt_start, stmt_end = self.stmt_lines
        first = args[0].literal if args and args[0].index == 0 else None
        text = self.source_for(loc, 200)
        callee_text = self.source_for(self.loc(func), 80)
        removed, removed_pattern = self.removal(node, method)
        self.calls.append(Call(
            id=call_id, scope=self.scope.key, loc=loc,
            stmt_lines=(min(stmt_start, loc.line), max(stmt_end, loc.end_line)),
            callee_kind=callee_kind, method=method, func_flows=func_flows, receiver=receiver,
            args=tuple(args), first_literal=first, discarded=discarded, in_loop=self.loop_depth > 0, text=text, callee_text=callee_text,
            selector=selector, is_lookup=id(node) in self.selectors, removed=removed, removed_pattern=removed_pattern,
        ))
        self.call_inputs[call_id] = receiver + tuple(f for a in args for f in a.flows)
        if discarded:
            keys = tuple(k for a in args for k in a.keys)
            guard = Guard("call", loc.line, call=call_id)
            for position, a in enumerate(args):
                # `Checker().visit(tree)` after `tree = ast.parse(text)`: checking the tree checks the text.
                keys_checked = tuple(dict.fromkeys(k for key in a.keys for k in (key, self.parsed_texts.get((self.scope.key, key))) if k))
                for key in keys_checked:
                    self.state.guards[key] = self.state.guards.get(key, frozenset()) | {replace(guard, arg=position)}
                if keys_checked:
                    self.checks.append(Check(self.scope.key, loc.line, keys_checked, replace(guard, arg=position), True))
            # `target.relative_to(base)`: a catalog guard may check its receiver (a local value).
            receiver_keys = tuple(k for k in names_read(func.value) if root_name(k) in self.state.defs) \
                if isinstance(func, cst.Attribute) else ()
            for key in receiver_keys:
                self.state.guards[key] = self.state.guards.get(key, frozenset()) | {replace(guard, arg=RECEIVER)}
            if receiver_keys:
                self.checks.append(Check(self.scope.key, loc.line, receiver_keys, replace(guard, arg=RECEIVER), True))
            if not keys:
                # Recorded even without arguments: an approval asked and then ignored explains a finding.
                self.checks.append(Check(self.scope.key, loc.line, ("*",), replace(guard, keyed=False), True))
        # `msg.get("tool")` under `if msg["tool"] == "shell":` reads the field the check narrowed.
        key = value_key(node, self.dotted_memo) if method in LOOKUP_METHODS else None
        return (Flow(call_id, loc.line, "", guards=self.guards_for(key) if key else ()),)

    def guard_what_follows(self, value) -> None:
        """`click.confirm("Run it?", abort=True)` (or `ok = ...`, or awaited) as a statement: if the
        call raises on no, nothing after it in this block runs without a yes, whatever value it is
        about. An unkeyed guard on every later read; the catalog decides if the call is such a check."""
        call = value.expression if isinstance(value, cst.Await) else value
        if not isinstance(call, cst.Call) or id(call) not in self.call_ids:
            return
        if any(a.keyword is not None and isinstance(a.value, cst.Name) and a.value.value == FLAG_ON for a in call.args):
            guard = Guard("call", self.line(call), call=self.call_ids[id(call)], keyed=False)
            self.state.guards["*"] = self.state.guards.get("*", frozenset()) | {guard}

    def removal(self, node: cst.Call, method: str) -> tuple[str, str]:
        """What a call deletes from a value: the characters of `x.replace("/", "")` (or of every `c`
        in `for c in "/\\\\": x = x.replace(c, "")`), and the pattern of `re.sub(P, "", x)`."""
        if len(node.args) < 2 or string_value(node.args[1].value) != "" or node.args[0].keyword or node.args[1].keyword:
            return "", ""
        first = node.args[0].value
        old = string_value(first)
        if old is None and isinstance(first, cst.Name):
            old = self.scope.looped_chars.get(first.value)
            if old is not None and method == "replace":
                return old, ""
        if old is None:
            return "", ""
        if method == "replace":
            return (old if len(old) == 1 else ""), ""
        return "", old

    def is_super_init(self, func) -> bool:
        return (bool(self.scope.class_name) and isinstance(func, cst.Attribute) and func.attr.value == "__init__"
                and isinstance(func.value, cst.Call) and dotted(func.value.func) == "super")

    def selector_of(self, func) -> tuple[Flow, ...] | None:
        """If ``func`` was looked up by a key or name, the flows of that key or name."""
        if id(func) in self.selectors:
            return self.selectors[id(func)]
        if isinstance(func, cst.Subscript):
            # `entry["function"](**args)` after `entry = registry[name]`: a field of a looked-up record.
            return self.selector_of(func.value)
        if isinstance(func, cst.Name):
            picked = [self.def_selector.get(n) for n in self.state.defs.get(func.value, ())]
            if picked and any(p is not None for p in picked):
                return tuple(f for p in picked if p for f in p)
        return None

