"""One libcst pass per module: source text in, :class:`ModuleFacts` out.

The walker is flow-sensitive inside a function: it keeps, per name, the set of
definitions that can reach the current statement (strong updates in straight-line code,
weak updates inside loops, merges after branches) and the set of checks that hold there
(``if x not in ALLOWED: raise`` guards what follows, ``if ok:`` only its body). Every read
of a name records both, so the graph needs no control-flow information of its own.
"""
from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .facts import (
    Arg,
    Call,
    Check,
    ClassInfo,
    Def,
    Flow,
    Function,
    Guard,
    Handler,
    Loc,
    Loop,
    ModuleFacts,
    Param,
    ParseError,
    Store,
)
from .syntax import (
    annotation_kind,
    assigned_names,
    calls_in,
    dotted,
    handler_action,
    is_abstract,
    is_computed_container,
    is_condition,
    is_constant,
    is_exit_block,
    is_falsy,
    is_literal_pattern,
    is_none,
    is_yes_no,
    literal_kind,
    names_read,
    string_value,
)

SUPPRESSION = re.compile(
    r"#\s*(?:sdblint:\s*ignore\[(?P<ids>[A-Z0-9,\s]+)\]|noqa:\s*(?P<noqa>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))",
    re.IGNORECASE,
)
COMPARE_UPPER = (cst.LessThan, cst.LessThanEqual)
LOOKUP_METHODS = ("get",)
RECURSION_LIMIT = 20_000
TYPE_ATTRIBUTES = frozenset({"__class__", "__name__", "__qualname__", "__module__", "__mro__"})
FIXED_HOST_URL = re.compile(r"[a-zA-Z][\w+.-]*://[^/{}\s]+/")
COMPARE_LOWER = (cst.GreaterThan, cst.GreaterThanEqual)


@dataclass
class State:
    defs: dict[str, frozenset[str]] = field(default_factory=dict)
    guards: dict[str, frozenset[Guard]] = field(default_factory=dict)  # key text -> guards
    exited: bool = False

    def copy(self) -> "State":
        return State(dict(self.defs), dict(self.guards), self.exited)

    def with_guards(self, extra: dict[str, frozenset[Guard]]) -> "State":
        new = self.copy()
        for key, guards in extra.items():
            new.guards[key] = new.guards.get(key, frozenset()) | guards
        return new


def merge(states: list[State]) -> State:
    """Join the states at the end of branches; exited branches do not reach the join."""
    live = [s for s in states if not s.exited]
    if not live:
        out = states[0].copy() if states else State()
        out.exited = True
        return out
    defs: dict[str, frozenset[str]] = {}
    for s in live:
        for name, nodes in s.defs.items():
            defs[name] = defs.get(name, frozenset()) | nodes
    # A check holds after the join if every branch has a check of that kind on that value.
    guards: dict[str, frozenset[Guard]] = {}
    for key in set.intersection(*(set(s.guards) for s in live)):
        kinds = set.intersection(*({g.kind for g in s.guards[key]} for s in live))
        kept = frozenset(g for s in live for g in s.guards[key] if g.kind in kinds)
        if kept:
            guards[key] = kept
    return State(defs, guards, False)


@dataclass
class Scope:
    key: str                    # "<module>::<qualname>"
    class_name: str | None      # enclosing class qualname for methods and class bodies
    self_name: str | None
    is_class_body: bool = False
    returns: list[Flow] = field(default_factory=list)
    globals_declared: set[str] = field(default_factory=set)
    def_counts: dict[str, int] = field(default_factory=dict)
    branch_depth: int = 0
    can_reject: bool = False    # raises, or returns None/False from a branch
    is_predicate: bool = False  # returns a comparison, membership test or boolean


class Extractor:
    def __init__(self, path: str, module: str, source: str, is_package: bool = False):
        self.path = path
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.source = source
        self.lines = source.splitlines()
        self.calls: list[Call] = []
        self.defs: list[Def] = []
        self.stores: list[Store] = []
        self.checks: list[Check] = []
        self.loops: list[Loop] = []
        self.handlers: list[Handler] = []
        self.functions: list[Function] = []
        self.classes: list[ClassInfo] = []
        self.imports: dict[str, str] = {}
        self.module_defs: dict[str, list[str]] = {}
        self.loop_depth = 0
        self.stmt_lines = (0, 0)
        self.scope = Scope(key=f"{module}::<module>", class_name=None, self_name=None)
        self.state = State()
        self.positions = None
        self.call_ids: dict[int, str] = {}
        self.selectors: dict[int, tuple[Flow, ...]] = {}    # lookup expression -> its key's flows
        self.conditions: dict[str, cst.BaseExpression] = {}  # def node -> the test it stores (`ok = x in A`)
        self.def_flows: dict[str, tuple[Flow, ...]] = {}
        self.expanding: set[str] = set()   # names whose stored condition is being read
        self.url_constants: dict[str, str] = {}   # dotted name -> URL literal with a fixed host
        self.def_selector: dict[str, tuple[Flow, ...]] = {}

    # ---------------------------------------------------------------- entry
    def run(self) -> ModuleFacts:
        wrapper = MetadataWrapper(cst.parse_module(self.source), unsafe_skip_copy=True)
        self.positions = positions_of(wrapper)
        self.block(wrapper.module.body)
        return ModuleFacts(
            path=self.path,
            module=self.module,
            imports=tuple(sorted(self.imports.items())),
            module_defs=tuple(sorted((k, tuple(v)) for k, v in self.module_defs.items())),
            functions=tuple(self.functions),
            classes=tuple(self.classes),
            calls=tuple(self.calls),
            defs=tuple(self.defs),
            stores=tuple(self.stores),
            checks=tuple(self.checks),
            loops=tuple(self.loops),
            handlers=tuple(self.handlers),
            suppressions=tuple(self.suppressions()),
        )

    def suppressions(self):
        """Codes named by suppression comments, per line (comments only, not string contents)."""
        for number, text in comments(self.source):
            codes: list[str] = []
            for match in SUPPRESSION.finditer(text):
                ids = match.group("ids") or match.group("noqa") or ""
                codes.extend(c.strip().upper() for c in ids.split(",") if c.strip())
            if codes:
                yield number, tuple(codes)

    def loc(self, node: cst.CSTNode) -> Loc:
        r = self.positions[node]
        return Loc(r.start.line, r.start.column + 1, r.end.line, r.end.column + 1)

    def line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    # ---------------------------------------------------------------- statements
    def block(self, statements) -> None:
        for stmt in statements:
            if self.state.exited:
                return
            self.statement(stmt)

    def statement(self, stmt: cst.CSTNode) -> None:
        r = self.positions[stmt]
        if isinstance(stmt, cst.SimpleStatementLine):
            self.stmt_lines = (r.start.line, r.end.line)
            for small in stmt.body:
                self.small_statement(small)
            return
        self.stmt_lines = (r.start.line, r.start.line)
        handler = getattr(self, "stmt_" + type(stmt).__name__, None)
        if handler:
            handler(stmt)

    def small_statement(self, small: cst.CSTNode) -> None:
        if isinstance(small, cst.Expr):
            flows = self.expr(small.value, discarded=True)
            if isinstance(small.value, (cst.Yield, cst.Await)):
                self.scope.returns.extend(flows if isinstance(small.value, cst.Yield) else ())
        elif isinstance(small, cst.Assign):
            flows = self.expr(small.value)
            literal = literal_kind(small.value)
            for target in small.targets:
                self.remember_url(target.target, small.value)
                self.assign(target.target, flows, small.value, literal)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self.remember_url(small.target, small.value)
                self.assign(small.target, self.expr(small.value), small.value, literal_kind(small.value))
        elif isinstance(small, cst.AugAssign):
            flows = self.expr(small.value) + self.expr(small.target)
            self.assign(small.target, tuple(replace(f, alias=None) for f in flows), small.value, "")
        elif isinstance(small, cst.Return):
            if small.value is not None:
                self.scope.returns.extend(self.expr(small.value))
            if self.scope.branch_depth and (small.value is None or is_falsy(small.value)):
                self.scope.can_reject = True
            if isinstance(small.value, cst.IfExp) and (is_falsy(small.value.body) or is_falsy(small.value.orelse)):
                self.scope.can_reject = True
            if small.value is not None and is_yes_no(small.value):
                self.scope.is_predicate = True
            self.state.exited = True
        elif isinstance(small, cst.Raise):
            self.scope.can_reject = True
            if small.exc is not None:
                self.expr(small.exc)
            self.state.exited = True
        elif isinstance(small, (cst.Continue, cst.Break)):
            self.state.exited = True
        elif isinstance(small, cst.Assert):
            self.expr(small.test)
            true_guards, _ = self.condition(small.test, rejects=True)
            self.state = self.state.with_guards(true_guards)
        elif isinstance(small, cst.Import):
            for alias in small.names:
                name = dotted(alias.name) or ""
                if alias.asname is not None:
                    self.imports[alias.asname.name.value] = name
                else:
                    top = name.split(".")[0]
                    self.imports[top] = top
        elif isinstance(small, cst.ImportFrom):
            self.import_from(small)
        elif isinstance(small, cst.Global):
            self.scope.globals_declared.update(n.name.value for n in small.names)
        elif isinstance(small, cst.Del):
            pass

    def import_from(self, node: cst.ImportFrom) -> None:
        base = dotted(node.module) if node.module is not None else ""
        level = len(node.relative)
        if level:
            parts = self.package.split(".") if self.package else []
            if level > 1:
                parts = parts[: len(parts) - (level - 1)]
            base = ".".join(p for p in [*parts, base or ""] if p)
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = alias.name.value if isinstance(alias.name, cst.Name) else dotted(alias.name)
            local = alias.asname.name.value if alias.asname is not None else name
            self.imports[local] = f"{base}.{name}" if base else name

    def stmt_If(self, node: cst.If) -> None:
        self.expr(node.test)
        rejects = is_exit_block(node.body) or (
            node.orelse is not None and is_exit_block(node.orelse.body)
        )
        true_guards, false_guards = self.condition(node.test, rejects=rejects)
        before = self.state
        self.state = before.with_guards(true_guards)
        self.scope.branch_depth += 1
        self.block(node.body.body)
        after_body = self.state
        self.state = before.with_guards(false_guards)
        if isinstance(node.orelse, cst.If):
            self.statement(node.orelse)
        elif isinstance(node.orelse, cst.Else):
            self.block(node.orelse.body.body)
        self.scope.branch_depth -= 1
        after_else = self.state
        self.state = merge([after_body, after_else])

    def loop(self, body: cst.BaseSuite, orelse, entry_guards=None, target=None) -> None:
        before = self.state
        self.state = before.with_guards(entry_guards or {})
        # Values assigned late in the body reach reads early in the next iteration.
        carried = {}
        for name in sorted(assigned_names(body) | (assigned_names(target) if target is not None else set())):
            carried[name] = f"n:{self.scope.key}::{name}#L{len(self.defs)}"
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

    def record_loop(self, node, kind: str, bounded: bool) -> None:
        r = self.positions[node]
        self.loops.append(Loop(self.scope.key, r.start.line, r.end.line, kind, bounded))

    def stmt_For(self, node: cst.For) -> None:
        self.record_loop(node, "async for" if node.asynchronous else "for", True)
        flows = self.expr(node.iter)
        if not isinstance(node.iter, (cst.List, cst.Tuple, cst.Set)):
            flows = derive(flows)
        else:
            # Iterating a display keeps what each element is (`for step in (A(), B()):`).
            flows = tuple(f for e in node.iter.elements for f in self.expr_quiet(e.value))
        self.loop_depth += 1
        self.assign(node.target, flows, node.iter, "")
        self.loop_depth -= 1
        self.loop(node.body, node.orelse)

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
        try_lines = (self.positions[node].start.line, self.positions[node.body].end.line)
        for handler in node.handlers:
            types = handler.type
            names = tuple(dotted(e.value) or "" for e in types.elements) if isinstance(types, cst.Tuple) else (
                (dotted(types) or "",) if types is not None else ())
            self.handlers.append(Handler(self.scope.key, self.line(handler), try_lines, names,
                                         handler_action(handler.body)))
            self.state = merge([before, replace(after_body, exited=False)]).copy()
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                self.define(handler.name.name.value, (), handler, "")
            self.scope.branch_depth += 1   # `except ValueError: return None` is a rejection
            self.block(handler.body.body)
            self.scope.branch_depth -= 1
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
        subject = dotted(node.subject)
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
        prefix = outer_scope.key.split("::", 1)[1]
        qualname = name if prefix == "<module>" else f"{prefix}.{name}"
        is_static = "staticmethod" in decorators
        scope = Scope(key=f"{self.module}::{qualname}", class_name=outer_scope.class_name if in_class else None, self_name=None)
        state = State(defs={k: v for k, v in outer_state.defs.items()} if not outer_scope.key.endswith("<module>") and not in_class else {})
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
            pnode = f"n:{scope.key}::{pname}#p"
            annotation = dotted(p.annotation.annotation) if p.annotation is not None else None
            params.append(Param(pname, pnode, index, annotation, star))
            state.defs[pname] = frozenset([pnode])
        if in_class and not is_static and params:
            scope.self_name = params[0].name
        self.scope, self.state = scope, state
        saved_loop, self.loop_depth = self.loop_depth, 0
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else node.body.body
        self.block(body)
        self.loop_depth = saved_loop
        self.functions.append(Function(
            key=scope.key, name=name, qualname=qualname,
            class_name=scope.class_name, params=tuple(params), returns=tuple(scope.returns),
            decorators=decorators, loc=self.loc(node), is_async=node.asynchronous is not None,
            can_reject=scope.can_reject, is_predicate=scope.is_predicate, is_abstract=is_abstract(node, decorators), is_static=is_static,
        ))
        self.scope, self.state = outer_scope, outer_state
        if not in_class:
            self.define(name, (), node, "", binds=f"func:{scope.key}")

    def stmt_ClassDef(self, node: cst.ClassDef) -> None:
        outer_scope, outer_state = self.scope, self.state
        prefix = outer_scope.key.split("::", 1)[1]
        qualname = node.name.value if prefix == "<module>" else f"{prefix}.{node.name.value}"
        bases = tuple(dotted(b.value) or "" for b in node.bases if b.keyword is None)
        for b in node.bases:
            self.expr(b.value)
        fields = []
        for stmt in node.body.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        fields.append((small.target.value, annotation_kind(small.annotation.annotation)))
        self.classes.append(ClassInfo(qualname, bases, tuple(fields), self.loc(node)))
        self.scope = Scope(key=f"{self.module}::{qualname}", class_name=qualname, self_name=None, is_class_body=True)
        self.state = State()
        self.block(node.body.body)
        self.scope, self.state = outer_scope, outer_state
        self.define(node.name.value, (), node, "", binds=f"class:{self.module}:{qualname}")

    # ---------------------------------------------------------------- assignment
    def define(self, name: str, flows, node, literal: str, note: str = "", value=None, binds: str = "") -> None:
        scope = self.scope
        if scope.is_class_body:
            self.stores.append(Store(f"a:{self.module}:{scope.class_name}:{name}", self.line(node), tuple(flows), note, literal))
            return
        if name in scope.globals_declared:
            self.stores.append(Store(f"g:{self.module}:{name}", self.line(node), tuple(flows), note))
            return
        count = scope.def_counts.get(name, 0) + 1
        scope.def_counts[name] = count
        key = f"n:{scope.key}::{name}#{count}"
        selector = self.selector_of(value) if value is not None else None
        if selector is not None:
            self.def_selector[key] = selector
        if value is not None and is_condition(value):
            self.conditions[key] = value
        self.def_flows[key] = tuple(flows)
        self.defs.append(Def(key, name, scope.key, self.line(node), tuple(flows), literal, note, selector, binds))
        if self.loop_depth:
            self.state.defs[name] = self.state.defs.get(name, frozenset()) | {key}
        else:
            self.state.defs[name] = frozenset([key])
        if scope.key.endswith("::<module>"):
            self.module_defs.setdefault(name, []).append(key)
        # A fresh value is no longer constrained by checks on the old one.
        for guard_key in [k for k in self.state.guards if k == name or k.startswith(name + ".") or k.startswith(name + "[")]:
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
            else:
                derived = tuple(replace(f, alias=None) for f in flows)
                for element in elements:
                    self.assign(element, derived, value, "")
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, flows, value, "")
        elif isinstance(target, cst.Attribute):
            base = target.value
            if isinstance(base, cst.Name) and base.value == self.scope.self_name and self.scope.class_name:
                self.stores.append(Store(f"a:{self.module}:{self.scope.class_name}:{target.attr.value}", self.line(target), tuple(flows), note, literal))
            else:
                self.store_into(base, flows, target, note)
        elif isinstance(target, cst.Subscript):
            self.expr_slices(target)
            self.store_into(target.value, flows, target, note)

    def store_into(self, container, flows, node, note: str) -> None:
        """``obj.x = v`` / ``d[k] = v``: the container now holds model output."""
        for base in self.expr(container):
            if base.alias is not None:
                self.stores.append(Store(base.src, self.line(node), tuple(flows), note))

    def note(self, node) -> str:
        line = self.line(node)
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return text[:120]

    # ---------------------------------------------------------------- conditions
    def condition(self, test, rejects: bool):
        """Guards that hold when ``test`` is true and when it is false."""
        true_g: dict[str, frozenset[Guard]] = {}
        false_g: dict[str, frozenset[Guard]] = {}
        line = self.line(test)

        def add(target, key, guard):
            target[key] = target.get(key, frozenset()) | {guard}
            self.checks.append(Check(self.scope.key, line, (key,), guard, rejects))

        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            t, f = self.condition(test.expression, rejects)
            return f, t
        if isinstance(test, cst.NamedExpr):
            return self.condition(test.value, rejects)
        if isinstance(test, cst.Call) and dotted(test.func) == "bool" and len(test.args) == 1:
            return self.condition(test.args[0].value, rejects)
        if isinstance(test, cst.BooleanOperation):
            lt, lf = self.condition(test.left, rejects)
            rt, rf = self.condition(test.right, rejects)
            if isinstance(test.operator, cst.And):
                return union(lt, rt), intersect(lf, rf)
            return intersect(lt, rt), union(lf, rf)
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and is_none(test.comparisons[0].comparator):
            # `x is None` is true when `x` is falsy: the checks on `x` hold on the other branch.
            t, f = self.condition(test.left, rejects)
            negated = isinstance(test.comparisons[0].operator, (cst.Is, cst.Equal))
            return (f, t) if negated else (t, f)
        if isinstance(test, cst.Comparison) and len(test.comparisons) > 1:
            # `0 < amount <= LIMIT`: a bounded range.
            if all(isinstance(c.operator, COMPARE_UPPER + COMPARE_LOWER) for c in test.comparisons):
                operands = [test.left, *(c.comparator for c in test.comparisons)]
                for operand in operands:
                    key = dotted(operand)
                    if key and not is_constant(operand):
                        add(true_g, key, Guard("policy", line))
            return true_g, false_g
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            comp = test.comparisons[0]
            op, left, right = comp.operator, test.left, comp.comparator
            left = left.target if isinstance(left, cst.NamedExpr) else left
            lkey, rkey = dotted(left), dotted(right)
            if isinstance(op, (cst.In, cst.NotIn)) and lkey and not is_computed_container(right):
                target = true_g if isinstance(op, cst.In) else false_g
                container = tuple(sorted({f.src for f in self.expr_quiet(right)}))
                add(target, lkey, Guard("allowlist", line, container=container))
            elif isinstance(op, (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot)):
                const_right = is_constant(right)
                key = lkey if const_right else (rkey if is_constant(left) else None)
                if key and not (isinstance(right, cst.Name) and right.value == "None"):
                    target = true_g if isinstance(op, (cst.Equal, cst.Is)) else false_g
                    add(target, key, Guard("allowlist", line))
            elif isinstance(op, COMPARE_UPPER + COMPARE_LOWER):
                upper_true = isinstance(op, COMPARE_UPPER)
                if lkey and not is_constant(left):
                    add(true_g if upper_true else false_g, lkey, Guard("policy", line))
                if rkey and not is_constant(right):
                    add(false_g if upper_true else true_g, rkey, Guard("policy", line))
            for call in calls_in(test):
                self.call_guard(call, true_g if isinstance(op, (cst.Equal, cst.In, cst.Is)) else false_g, line, rejects)
            return true_g, false_g
        if isinstance(test, cst.Call):
            self.call_guard(test, true_g, line, rejects)
            return true_g, false_g
        if isinstance(test, cst.Name):
            # `ok = cmd in ALLOWED` / `m = re.fullmatch(...)` / `approved = click.confirm(...)`,
            # then `if ok:`: the stored condition is the check.
            nodes = {n for n in self.state.defs.get(test.value, frozenset()) if "#L" not in n}
            stored = [self.conditions.get(n) for n in nodes]
            if (stored and all(c is not None for c in stored) and len(set(map(id, stored))) == 1
                    and test.value not in self.expanding):   # `ok = ok and x` must not recurse
                self.expanding.add(test.value)
                try:
                    t, f = self.condition(stored[0], rejects)
                finally:
                    self.expanding.discard(test.value)
                call_id = self.call_ids.get(id(stored[0]))
                if call_id:   # `cmd = pick(raw)`: the answer is also the value that is used
                    add(t, test.value, Guard("call", line, call=call_id, predicate=True))
                return t, f
            # `cmd = pick(raw)` then `if cmd:` / `if cmd is None: return`: the helper's answer.
            for n in sorted(nodes):
                for f in self.def_flows.get(n, ()):
                    if f.src.startswith("c:") and f.alias == "":
                        add(true_g, test.value, Guard("call", line, call=f.src, predicate=True))
        return true_g, false_g

    def call_guard(self, call: cst.Call, target, line: int, rejects: bool) -> None:
        call_id = self.call_ids.get(id(call))
        if call_id is None:
            return
        keys = [k for a in call.args for k in names_read(a.value)]
        for key in keys:
            guard = Guard("call", line, call=call_id, predicate=True)
            target[key] = target.get(key, frozenset()) | {guard}
        unkeyed = Guard("call", line, call=call_id, keyed=False, predicate=True)
        target["*"] = target.get("*", frozenset()) | {unkeyed}
        self.checks.append(Check(self.scope.key, line, tuple(keys) or ("*",), unkeyed, rejects))

    # ---------------------------------------------------------------- expressions
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
            return (Flow(f"g:{self.module}:{name}", line, "", guards=self.guards_for(name)),)
        nodes = self.state.defs.get(name)
        guards = self.guards_for(name)
        if nodes:
            return tuple(Flow(n, line, "", guards=guards) for n in sorted(nodes))
        if name in ("None", "True", "False"):
            return ()
        return (Flow(f"g:{self.module}:{name}", line, "", guards=guards),)

    def expr(self, node, discarded: bool = False) -> tuple[Flow, ...]:
        if isinstance(node, cst.Name):
            return self.read_name(node.value, node)
        if isinstance(node, cst.Attribute):
            base = node.value
            attr = node.attr.value
            if attr in TYPE_ATTRIBUTES:
                self.expr(base)
                return ()   # `x.__class__.__name__` describes the value's type, not its text
            if isinstance(base, cst.Name) and base.value == self.scope.self_name and self.scope.class_name:
                key = dotted(node)
                return (Flow(f"a:{self.module}:{self.scope.class_name}:{attr}", self.line(node), "", guards=self.guards_for(key)),)
            key = dotted(node)
            flows = self.expr(base)
            out = []
            for f in flows:
                guards = tuple(sorted(set(f.guards) | set(self.guards_for(key)), key=lambda g: (g.line, g.kind, g.call, g.mapping, g.keyed))) if key else f.guards
                out.append(replace(
                    f,
                    alias=None if f.alias is None else f"{f.alias}.{attr}",
                    attr=f"{f.attr}.{attr}" if f.attr else attr,
                    guards=guards,
                ))
            return tuple(out)
        if isinstance(node, cst.Subscript):
            return self.subscript(node)
        if isinstance(node, cst.Call):
            return self.call(node, discarded)
        if isinstance(node, cst.Await):
            return self.expr(node.expression)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            # `BASE_URL + "search?q=" + term`: what follows a fixed "https://host/" prefix.
            left = self.expr(node.left)
            right = derive(self.expr(node.right))
            return derive(left) + self.after_url_prefix(self.literal_prefix(node.left), right, node.right)
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
            flows = self.expr(node.left)
            for c in node.comparisons:
                flows += self.expr(c.comparator)
            return derive(flows)
        if isinstance(node, cst.FormattedString):
            flows = ()
            prefix = ""
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    prefix += part.value
                    continue
                part_flows = derive(self.expr(part.expression))
                flows += self.after_url_prefix(prefix, part_flows, part)
                prefix += self.url_constants.get(dotted(part.expression) or "", "{}")
            return flows
        if isinstance(node, cst.ConcatenatedString):
            return derive(self.expr(node.left) + self.expr(node.right))
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            flows = ()
            for e in node.elements:
                flows += self.expr(e.value)
            return derive(flows)
        if isinstance(node, cst.Dict):
            flows = ()
            for e in node.elements:
                if isinstance(e, cst.DictElement):
                    flows += self.expr(e.key) + self.expr(e.value)
                else:
                    flows += self.expr(e.value)
            return derive(flows)
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
            return tuple(f for f in flows if not f.src.startswith("g:"))
        return ()

    def literal_prefix(self, node) -> str:
        """The known constant text an expression starts with (string literals and URL constants)."""
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self.literal_prefix(node.left)
        return string_value(node) or self.url_constants.get(dotted(node) or "", "")

    def after_url_prefix(self, prefix: str, flows: tuple[Flow, ...], node) -> tuple[Flow, ...]:
        """After "https://host/" a value can steer the path or query, not the host."""
        if not FIXED_HOST_URL.match(prefix):
            return flows
        guard = Guard("host-fixed", self.line(node))
        return tuple(replace(f, guards=f.guards + (guard,)) for f in flows)

    def remember_url(self, target, value) -> None:
        """Module constants and class fields holding a URL with a fixed host (`BASE = "https://x/"`)."""
        text = string_value(value) if value is not None else None
        if text is None or not FIXED_HOST_URL.match(text) or not isinstance(target, cst.Name):
            return
        if self.scope.is_class_body:
            self.url_constants[f"self.{target.value}"] = text
            self.url_constants[f"cls.{target.value}"] = text
        elif self.scope.key.endswith("::<module>"):
            self.url_constants[target.value] = text

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
        mapping = dotted(node.value)
        line = self.line(node)
        if mapping and key_flows:
            guard = Guard("mapping", line, mapping=mapping)
            key_flows = tuple(replace(f, alias=None, guards=f.guards + (guard,)) for f in key_flows)
        else:
            key_flows = derive(key_flows)
        key = dotted(node)
        extra = self.guards_for(key) if key else ()
        # A constant key keeps the object path (`MongoClient()["db"]["notes"].insert_one`).
        constant = not key_flows and all(
            isinstance(e.slice, cst.Index) and isinstance(e.slice.value, (cst.SimpleString, cst.Integer)) for e in node.slice
        )
        values = tuple(replace(
            f, alias=f"{f.alias}.[]" if constant and f.alias is not None else None,
            guards=tuple(dict.fromkeys(f.guards + extra)),
        ) for f in value_flows)
        if not constant:
            # A model-chosen key selects a value; it is not part of the value itself.
            self.selectors[id(node)] = key_flows
        return values

    def comprehension(self, node) -> tuple[Flow, ...]:
        saved = self.state
        self.state = saved.copy()
        for_in = node.for_in
        while for_in is not None:
            flows = derive(self.expr(for_in.iter))
            self.loop_depth += 1
            self.assign(for_in.target, flows, for_in.iter, "")
            self.loop_depth -= 1
            for cond in for_in.ifs:
                self.expr(cond.test)
                true_g, _ = self.condition(cond.test, rejects=True)
                self.state = self.state.with_guards(true_g)
            for_in = for_in.inner_for_in
        if isinstance(node, cst.DictComp):
            out = self.expr(node.key) + self.expr(node.value)
        else:
            out = self.expr(node.elt)
        self.state = saved
        return derive(out)

    def call(self, node: cst.Call, discarded: bool) -> tuple[Flow, ...]:
        func = node.func
        receiver: tuple[Flow, ...] = ()
        if isinstance(func, cst.Attribute):
            callee_kind, method = "attr", func.attr.value
            receiver = self.expr(func.value)
            func_flows = tuple(
                replace(f, alias=None if f.alias is None else f"{f.alias}.{method}", attr=f.attr or method)
                for f in receiver
            )
            if isinstance(func.value, cst.Name) and func.value.value == self.scope.self_name and self.scope.class_name:
                func_flows = (Flow(f"a:{self.module}:{self.scope.class_name}:{method}", self.line(node), ""),)
        else:
            callee_kind = "name" if isinstance(func, cst.Name) else "other"
            method = ""
            func_flows = self.expr(func)
        mapping = dotted(func.value) if isinstance(func, cst.Attribute) and method in LOOKUP_METHODS else None
        args = []
        position = 0
        for a in node.args:
            flows = self.expr(a.value)
            if mapping and position == 0 and not a.keyword:
                flows = tuple(replace(f, alias=None, guards=f.guards + (Guard("mapping", self.line(a), mapping=mapping),)) for f in flows)
            star = a.star if isinstance(a.star, str) else ""
            keyword = a.keyword.value if a.keyword is not None else None
            index = position if keyword is None and not star else None
            if index is not None:
                position += 1
            args.append(Arg(index, keyword, star, flows, string_value(a.value), dotted(a.value), tuple(names_read(a.value))))
        call_id = f"c:{self.module}:{len(self.calls)}"
        self.call_ids[id(node)] = call_id
        if mapping is not None and args and args[0].index == 0:
            self.selectors[id(node)] = args[0].flows
        elif isinstance(func, cst.Name) and func.value == "getattr" and len(args) > 1:
            self.selectors[id(node)] = args[1].flows
        selector = self.selector_of(func)
        loc = self.loc(node)
        stmt_start, stmt_end = self.stmt_lines
        first = args[0].literal if args and args[0].index == 0 else None
        text = " ".join(self.source_for(loc).split())[:200]
        callee_text = " ".join(self.source_for(self.loc(func)).split())[:80]
        self.calls.append(Call(
            id=call_id, scope=self.scope.key, loc=loc,
            stmt_lines=(min(stmt_start, loc.line), max(stmt_end, loc.end_line)),
            callee_kind=callee_kind, method=method, func_flows=func_flows, receiver=receiver,
            args=tuple(args), first_literal=first, discarded=discarded, in_loop=self.loop_depth > 0, text=text, callee_text=callee_text,
            selector=selector, is_lookup=id(node) in self.selectors,
        ))
        if discarded:
            keys = tuple(k for a in args for k in a.keys)
            guard = Guard("call", loc.line, call=call_id)
            for key in keys:
                self.state.guards[key] = self.state.guards.get(key, frozenset()) | {guard}
            # Recorded even without arguments: an approval asked and then ignored explains a finding.
            self.checks.append(Check(self.scope.key, loc.line, keys or ("*",), guard if keys else replace(guard, keyed=False), True))
        return (Flow(call_id, loc.line, ""),)

    def selector_of(self, func) -> tuple[Flow, ...] | None:
        """If ``func`` was looked up by a key or name, the flows of that key or name."""
        if id(func) in self.selectors:
            return self.selectors[id(func)]
        if isinstance(func, cst.Name):
            picked = [self.def_selector.get(n) for n in self.state.defs.get(func.value, ())]
            if picked and any(p is not None for p in picked):
                return tuple(f for p in picked if p for f in p)
        return None

    def source_for(self, loc: Loc) -> str:
        if loc.line == loc.end_line:
            return self.lines[loc.line - 1][loc.column - 1: loc.end_column - 1]
        parts = [self.lines[loc.line - 1][loc.column - 1:]]
        parts.extend(self.lines[loc.line: loc.end_line - 1])
        parts.append(self.lines[loc.end_line - 1][: loc.end_column - 1])
        return "\n".join(parts)


# -------------------------------------------------------------------- helpers
def comments(source: str):
    """(line, text) of every comment that may hold a suppression; the tokenizer runs only when a
    line looks like one, so a string containing `# noqa` is never mistaken for a comment."""
    if not SUPPRESSION.search(source):
        return []
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.string))
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def positions_of(wrapper: MetadataWrapper):
    """Line/column ranges of every node. Computed by the provider directly because
    `MetadataWrapper.resolve` also walks the whole tree once more for batchable providers, of
    which there are none here: a third of the extraction time for nothing."""
    try:
        return PositionProvider()._gen(wrapper)
    except AttributeError:  # a libcst without the provider hook: take the public road
        return wrapper.resolve(PositionProvider)


def derive(flows) -> tuple[Flow, ...]:
    return tuple(f if f.alias is None else replace(f, alias=None) for f in flows)


def union(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, frozenset()) | v
    return out


def intersect(a: dict, b: dict) -> dict:
    return {k: a[k] & b[k] for k in a if k in b and a[k] & b[k]}


def module_name(rel_path: str) -> tuple[str, bool]:
    parts = rel_path[:-3].split("/") if rel_path.endswith(".py") else rel_path.split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(p for p in parts if p) or "__init__", is_package


def syntax_message(source: str, exc: cst.ParserSyntaxError) -> str:
    """CPython's own wording and position where it has one (the file is parsed, never run)."""
    try:
        ast.parse(source)
    except SyntaxError as err:
        where = f" at line {err.lineno}, column {err.offset or 1}" if err.lineno else ""
        return f"syntax error{where}: {err.msg}"
    except (ValueError, RecursionError, MemoryError):
        pass
    return f"syntax error at line {exc.raw_line}, column {exc.raw_column + 1}: {exc.message}"


def extract(rel_path: str, source: str) -> ModuleFacts | ParseError:
    """Facts for one file, or the reason it could not be parsed."""
    module, is_package = module_name(rel_path)
    # Long `a + b + ...` chains and deep nesting recurse once per level in the walker.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    try:
        return Extractor(rel_path, module, source, is_package).run()
    except cst.ParserSyntaxError as exc:
        return ParseError(rel_path, syntax_message(source, exc))
    except RecursionError:
        return ParseError(rel_path, "file is nested too deeply to analyse")
    except Exception as exc:  # one odd file must not stop the run; it is reported instead
        return ParseError(rel_path, f"internal error while extracting facts ({type(exc).__name__}: {exc})")
