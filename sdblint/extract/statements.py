"""Statements and control flow: blocks, branches, loops, try/except, match, def and class."""
from __future__ import annotations

from dataclasses import replace

import libcst as cst

from ..facts import (
    Binding,
    Check,
    ClassInfo,
    Def,
    Flow,
    Function,
    Guard,
    Handler,
    Loop,
    Param,
)
from ..nodes import (
    MODULE_SCOPE,
    class_key,
    is_module_scope,
    loop_node,
    param_node,
    scope_key,
    scope_qualname,
)
from .annotations import CONTAINER_ANNOTATIONS, annotation_constraint, annotation_kind
from .imports import imports_of
from .conditions import switched_on
from .rejections import combine, rejection_shape, walked_tree
from .state import ANY_PARAM_BRANCH, Branch, Scope, State, merge
from .keys import value_key
from .syntax import (
    STATIC_DECORATOR,
    assigned_names,
    base_class,
    common_text,
    dotted,
    handler_action,
    is_abstract,
    is_exit_block,
    is_falsy,
    is_literal_pattern,
    is_rewrite_step,
    is_simple,
    is_yes_no,
    line_smalls,
    literal_kind,
    may_be_url,
    string_value,
)
from .values import concatenated, derive, elements


def returned_kind(node) -> str:
    """What calling a function annotated ``-> node`` gives, as :func:`annotation_kind` says, but
    never the element of a container (a `list[Page]` is no `Page`) nor a `Literal`."""
    if isinstance(node, cst.Subscript) and (dotted(node.value) or "").split(".")[-1] in CONTAINER_ANNOTATIONS:
        return ""
    kind = annotation_kind(node)
    return "" if kind == "literal" else kind


def shared_texts(per_return: list) -> tuple:
    """The fields whose constant text every return's dict shares (see :func:`common_text`)."""
    if not per_return or any(not t for t in per_return):
        return ()
    keys = set.intersection(*(set(t) for t in per_return))
    return tuple(sorted((k, common_text([t[k] for t in per_return])) for k in keys))


def merged_fields(per_return: list) -> tuple | None:
    """The fields of the dicts every return hands back, merged; None unless all are such dicts."""
    if not per_return or any(f is None for f in per_return):
        return None
    merged: dict = {}
    for fields in per_return:
        for key, flows in fields.items():
            merged[key] = merged.get(key, ()) + flows
    return tuple(sorted(merged.items()))


class Statements:
    """Mixin of :class:`~sdblint.extract.walker.Walker`: one method per statement kind."""

    def block(self, statements) -> None:
        for stmt in statements:
            if self.state.exited:
                return
            self.statement(stmt)

    def statement(self, stmt: cst.CSTNode) -> None:
        self.deadline.check()
        line = self.line(stmt)
        if is_simple(stmt):
            self.stmt_lines = (line, self.end_line(stmt))
            for small in line_smalls(stmt):
                self.small_statement(small)
            return
        self.stmt_lines = (line, line)
        handler = getattr(self, "stmt_" + type(stmt).__name__, None)
        if handler:
            handler(stmt)

    def small_statement(self, small: cst.CSTNode) -> None:
        if isinstance(small, cst.Expr):
            flows = self.expr(small.value, discarded=True)
            if isinstance(small.value, (cst.Yield, cst.Await)):
                self.scope.returns.extend(flows if isinstance(small.value, cst.Yield) else ())
            self.guard_what_follows(small.value)
        elif isinstance(small, cst.Assign):
            flows = self.expr(small.value)
            self.guard_what_follows(small.value)
            literal = literal_kind(small.value)
            for target in small.targets:
                self.remember_parse(target.target, small.value)
                self.remember_url(target.target, small.value)
                self.assign(target.target, flows, small.value, literal)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self.remember_url(small.target, small.value)
                if isinstance(small.target, cst.Name):
                    self.define(small.target.value, self.expr(small.value), small.target, literal_kind(small.value),
                                self.note(small.target), small.value, annotation=annotation_kind(small.annotation.annotation))
                else:
                    self.assign(small.target, self.expr(small.value), small.value, literal_kind(small.value))
        elif isinstance(small, cst.AugAssign):
            flows = self.expr(small.value) + self.expr(small.target)
            # `steps += [Run()]` keeps the elements of both, as `+` does; other operators derive.
            flows = concatenated(flows) if isinstance(small.operator, cst.AddAssign) else derive(flows)
            self.assign(small.target, flows, small.value, "")
        elif isinstance(small, cst.Return):
            if small.value is not None:
                self.scope.returns.extend(self.expr(small.value))
                self.scope.return_texts.append(self.literal_prefix(small.value))
                self.scope.returned_fields.append(self.dict_literals.get(id(small.value)) or self.literal_dict_fields(small.value))
                self.scope.returned_texts.append(self.dict_texts.get(id(small.value)) or self.literal_dict_texts(small.value))
            if self.scope.branches and (small.value is None or is_falsy(small.value)):
                self.reject_here(raises=False)
            if isinstance(small.value, cst.IfExp) and (is_falsy(small.value.body) or is_falsy(small.value.orelse)):
                self.scope.rejects_on |= self.params_read(small.value.test)
            if small.value is not None and is_yes_no(small.value):
                self.scope.is_predicate = True
            elif isinstance(small.value, cst.Call) and id(small.value) in self.call_ids:
                # Whether the call answers yes or no is the catalog's to say (`[python] predicate_calls`).
                self.scope.returned_calls.append(self.call_ids[id(small.value)])
            self.state.exited = True
        elif isinstance(small, cst.Raise):
            self.reject_here(raises=True)
            if small.exc is not None:
                self.expr(small.exc)
            self.state.exited = True
        elif isinstance(small, (cst.Continue, cst.Break)):
            self.state.exited = True
        elif isinstance(small, cst.Assert):
            self.expr(small.test)
            true_guards, _ = self.condition(small.test, rejects=True)
            self.state = self.state.with_guards(true_guards)
        elif isinstance(small, (cst.Import, cst.ImportFrom)):
            self.imports.update(imports_of(small, self.package))
        elif isinstance(small, cst.Global):
            self.scope.globals_declared.update(n.name.value for n in small.names)

    def stmt_If(self, node: cst.If) -> None:
        self.expr(node.test)
        rejects = is_exit_block(node.body) or (
            node.orelse is not None and is_exit_block(node.orelse.body)
        )
        true_guards, false_guards = self.condition(node.test, rejects=rejects)
        before = self.state
        self.state = before.with_guards(true_guards)
        params, walked, node_types = self.params_read(node.test), frozenset(self.walks), self.walked_types()
        self.scope.branches.append(Branch(params, rejection_shape(node.test, True, walked, node_types)))
        self.block(node.body.body)
        after_body = self.state
        self.state = before.with_guards(false_guards)
        self.scope.branches[-1] = Branch(params, rejection_shape(node.test, False, walked, node_types))
        if isinstance(node.orelse, cst.If):
            self.statement(node.orelse)
        elif isinstance(node.orelse, cst.Else):
            self.block(node.orelse.body.body)
        self.scope.branches.pop()
        after_else = self.state
        self.state = merge([after_body, after_else])
        if node.orelse is None and not after_body.exited and self.is_switch(node.test):
            self.state = switched_on(node.body, after_body, self.state)

    def loop(self, body: cst.BaseSuite, orelse, entry_guards=None, target=None) -> State:
        """Walk a loop body; the state at the end of one pass is returned."""
        before = self.state
        self.state = before.with_guards(entry_guards or {})
        # Values assigned late in the body reach reads early in the next iteration.
        carried = {}
        for name in sorted(assigned_names(body) | (assigned_names(target) if target is not None else set())):
            carried[name] = loop_node(self.scope.key, name, len(self.defs))
            self.state.defs[name] = self.state.defs.get(name, frozenset()) | {carried[name]}
        self.loop_depth += 1
        self.block(body.body)
        self.loop_depth -= 1
        after = self.state
        after.exited = False  # continue/break leave the body, not the function
        line = self.line(body)
        for name, node in carried.items():
            flows = tuple(Flow(n, line, "") for n in sorted(after.defs.get(name, ())) if n != node)
            self.defs.append(Def(node, name, self.scope.key, line, flows))
        self.state = merge([before, after])
        if orelse is not None:
            self.block(orelse.body.body)
        return after

    def record_loop(self, node, kind: str, bounded: bool) -> None:
        self.loops.append(Loop(self.scope.key, self.line(node), self.end_line(node), kind, bounded))

    def stmt_For(self, node: cst.For) -> None:
        self.record_loop(node, "async for" if node.asynchronous else "for", True)
        flows = self.expr(node.iter)
        if not isinstance(node.iter, (cst.List, cst.Tuple, cst.Set)):
            flows = elements(flows)
        else:
            # Iterating a display keeps what each element is (`for step in (A(), B()):`), and of
            # a starred element, what its elements are (`for step in [*base, B()]:`).
            flows = tuple(f for e in node.iter.elements for f in (
                elements(self.expr_quiet(e.value)) if isinstance(e, cst.StarredElement) else self.expr_quiet(e.value)))
        self.assign_iterated(node.target, flows, node.iter)
        chars = string_value(node.iter)
        if chars and isinstance(node.target, cst.Name) and node.orelse is None and is_rewrite_step(node.body, node.target.value):
            # `for c in '<>:/\\': name = name.replace(c, "")` runs at least once, and each pass
            # rewrites the name from itself alone: after the loop it is what one pass makes it.
            self.scope.looped_chars[node.target.value] = chars
            self.block(node.body.body)
            del self.scope.looped_chars[node.target.value]
            return
        tree = walked_tree(node.iter)
        if tree and isinstance(node.target, cst.Name):
            self.walk_loop(node, tree)
            return
        after = self.loop(node.body, node.orelse)
        self.check_every_element(node, after)

    def stmt_While(self, node: cst.While) -> None:
        constant_true = isinstance(node.test, cst.Name) and node.test.value == "True" or (
            isinstance(node.test, cst.Integer) and node.test.value != "0")
        self.record_loop(node, "while", not constant_true)
        self.expr(node.test)
        true_guards, _ = self.condition(node.test, rejects=False)
        self.loop(node.body, node.orelse, true_guards)

    def stmt_Try(self, node) -> None:
        before = self.state.copy()   # the body mutates the live state; handlers start from here too
        self.block(node.body.body)
        after_body = self.state
        ends = []
        try_lines = (self.line(node), self.end_line(node.body))
        for handler in node.handlers:
            types = handler.type
            names = tuple(dotted(e.value) or "" for e in types.elements) if isinstance(types, cst.Tuple) else (
                (dotted(types) or "",) if types is not None else ())
            self.handlers.append(Handler(self.scope.key, self.line(handler), try_lines, names,
                                         handler_action(handler.body)))
            self.state = merge([before, replace(after_body, exited=False)]).copy()
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                self.define(handler.name.name.value, (), handler, "")
            self.scope.branches.append(ANY_PARAM_BRANCH)   # `except ValueError: return None` is a rejection
            self.block(handler.body.body)
            self.scope.branches.pop()
            ends.append(self.state)
        self.state = after_body
        if node.orelse is not None:
            self.block(node.orelse.body.body)
        self.state = merge([self.state, *ends])
        if node.finalbody is not None:
            exited = self.state.exited
            self.state.exited = False
            self.block(node.finalbody.body.body)
            self.state.exited = self.state.exited or exited

    stmt_TryStar = stmt_Try

    def stmt_With(self, node: cst.With) -> None:
        for item in node.items:
            flows = self.expr(item.item)
            if item.asname is not None:
                self.assign(item.asname.name, flows, item.item, "")
        self.block(node.body.body)

    def stmt_Match(self, node) -> None:
        self.expr(node.subject)
        before = self.state.copy()
        subject = value_key(node.subject)
        ends = []
        subject_flows = self.expr_quiet(node.subject)
        for case in node.cases:
            self.state = before.copy()
            if isinstance(case.pattern, cst.MatchAs) and case.pattern.name is not None:
                self.define(case.pattern.name.value, subject_flows, case.pattern, "")   # `case other:`
            if subject and is_literal_pattern(case.pattern) and case.guard is None:
                # `case "ls" | "df":` admits only those values: an allow-list for the subject.
                line = self.line(case)
                guard = Guard("allowlist", line)
                self.state = self.state.with_guards({subject: frozenset([guard])})
                self.checks.append(Check(self.scope.key, line, (subject,), guard, True))
            self.block(case.body.body)
            ends.append(self.state)
        has_default = any(isinstance(c.pattern, cst.MatchAs) and c.pattern.pattern is None for c in node.cases)
        self.state = merge(ends if has_default else [*ends, before])

    def stmt_FunctionDef(self, node: cst.FunctionDef) -> None:
        decorators = tuple(dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "" for d in node.decorators)
        for d in node.decorators:
            self.expr(d.decorator)
        outer_scope, outer_state = self.scope, self.state
        name = node.name.value
        in_class = outer_scope.is_class_body
        prefix = scope_qualname(outer_scope.key)
        qualname = name if prefix == MODULE_SCOPE else f"{prefix}.{name}"
        is_static = STATIC_DECORATOR in decorators
        scope = Scope(key=scope_key(self.module, qualname), class_name=outer_scope.class_name if in_class else None, self_name=None)
        self.function_nodes[scope.key] = node
        state = State(defs={k: v for k, v in outer_state.defs.items()} if not is_module_scope(outer_scope.key) and not in_class else {})
        params: list[Param] = []
        all_params = [
            *[(p, "") for p in node.params.posonly_params],
            *[(p, "") for p in node.params.params],
            *([(node.params.star_arg, "*")] if isinstance(node.params.star_arg, cst.Param) else []),
            *[(p, "") for p in node.params.kwonly_params],
            *([(node.params.star_kwarg, "**")] if node.params.star_kwarg is not None else []),
        ]
        for index, (p, star) in enumerate(all_params):
            pname = p.name.value
            pnode = param_node(scope.key, pname)
            annotation = annotation_kind(p.annotation.annotation) or None if p.annotation is not None else None
            hint = p.annotation.annotation if p.annotation is not None else None
            constraint = annotation_constraint(hint, p.default) or (
                self.constraint_aliases.get(hint.value, "") if isinstance(hint, cst.Name) else "")
            params.append(Param(pname, pnode, index, annotation, star, constraint))
            scope.param_nodes[pnode] = pname
            state.defs[pname] = frozenset([pnode])
            default = string_value(p.default) if p.default is not None else None
            if default is not None:
                self.def_values[pnode] = (default,)   # `mode="w"`: the value callers leave as is
            if default and may_be_url(default):
                self.def_texts[pnode] = default   # `root: str = "https://x/v1"`: the URL callers leave as is
        if in_class and not is_static and params:
            scope.self_name = params[0].name
        self.scope, self.state = scope, state
        saved_loop, self.loop_depth = self.loop_depth, 0
        saved_walks, self.walks = self.walks, self.visited_node(node, params)
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else node.body.body
        self.block(body)
        self.walks = saved_walks
        self.loop_depth = saved_loop
        texts = scope.return_texts
        if in_class and len(params) == 1 and texts and all(may_be_url(t) for t in texts):
            # `@property def request_url(self): return f"{BASE}/datasets/{self.id}/query"`
            self.url_constants[f"self.{name}"] = common_text(texts)
        self.functions.append(Function(
            key=scope.key, name=name, qualname=qualname,
            class_name=scope.class_name, params=tuple(params), returns=tuple(scope.returns),
            decorators=decorators, loc=self.loc(node), is_async=node.asynchronous is not None,
            raises_on=tuple(sorted(scope.raises_on)), rejects_on=tuple(sorted(scope.rejects_on)),
            rejection_shapes=tuple(sorted((name, combine(shapes).value) for name, shapes in scope.rejection_shapes.items())),
            is_predicate=scope.is_predicate, is_abstract=is_abstract(node, decorators), is_static=is_static,
            returned_calls=tuple(scope.returned_calls), returned_fields=merged_fields(scope.returned_fields),
            returned_texts=shared_texts(scope.returned_texts),
            return_annotation=returned_kind(node.returns.annotation) if node.returns is not None else "",
        ))
        self.scope, self.state = outer_scope, outer_state
        if not in_class:
            self.define(name, (), node, "", binds=Binding("func", scope.key))

    def stmt_ClassDef(self, node: cst.ClassDef) -> None:
        outer_scope, outer_state = self.scope, self.state
        prefix = scope_qualname(outer_scope.key)
        qualname = node.name.value if prefix == MODULE_SCOPE else f"{prefix}.{node.name.value}"
        bases = tuple(base_class(b.value) or "" for b in node.bases if b.keyword is None)
        for b in node.bases:
            self.expr(b.value)
        fields = []
        for stmt in node.body.body:
            for small in line_smalls(stmt):
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    fields.append((small.target.value, annotation_kind(small.annotation.annotation)))
        decorators = tuple(dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "" for d in node.decorators)
        self.classes.append(ClassInfo(qualname, bases, tuple(fields), self.loc(node), decorators))
        self.remember_visitor(node, bases)
        self.scope = Scope(key=scope_key(self.module, qualname), class_name=qualname, self_name=None, is_class_body=True)
        self.state = State()
        self.block(node.body.body)
        self.scope, self.state = outer_scope, outer_state
        self.define(node.name.value, (), node, "", binds=Binding("class", class_key(self.module, qualname)))

