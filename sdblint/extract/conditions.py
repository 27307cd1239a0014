"""Conditions to guards: which checks hold on each branch of a test."""
from __future__ import annotations

import libcst as cst

from ..facts import Check, Guard
from ..nodes import NodeKind, kind_of, ref
from .keys import value_key
from .rejections import Shape, combine
from .state import State
from .syntax import (
    calls_in,
    dotted,
    has_jump,
    is_computed_container,
    is_constant,
    is_none,
    is_simple,
    line_smalls,
    names_read,
    root_name,
    string_value,
)

COMPARE_UPPER = (cst.LessThan, cst.LessThanEqual)
COMPARE_LOWER = (cst.GreaterThan, cst.GreaterThanEqual)


class Conditions:
    """Mixin of :class:`~sdblint.extract.walker.Walker`: guards from `if`, `while`, `assert`, `case`."""

    def is_switch(self, test) -> bool:
        """Does ``test`` read only the object's own configuration (`self.x`, `cls.x`)?"""
        names = names_read(test)
        owners = {self.scope.self_name, "cls"} - {None}
        return bool(names) and all(root_name(n) in owners and "." in n for n in names)

    def branch_params(self) -> frozenset[str]:
        """The parameters the enclosing branches' conditions depend on."""
        return frozenset().union(*(b.params for b in self.scope.branches))

    def reject_here(self, raises: bool) -> None:
        """A `raise` (or a falsy return) here rejects the parameters the enclosing branches depend
        on, in the way those branches decide."""
        params = self.branch_params()
        (self.scope.raises_on if raises else self.scope.rejects_on).update(params)
        shape = combine(b.shape for b in self.scope.branches if b.params)
        for name in params:
            self.scope.rejection_shapes.setdefault(name, set()).add(shape)
        if shape is Shape.AST_ALLOWLIST:
            self.walks_checked.update(self.walks.values())

    def params_read(self, test) -> frozenset[str]:
        """The parameters whose values ``test`` depends on, through the function's local
        definitions and the calls that compute them (`ok = is_safe(x)`; `if not ok:`)."""
        params = self.scope.param_nodes
        if not params:
            return frozenset()
        found: set[str] = set()
        seen: set[str] = set()
        todo = [node for key in names_read(test) for node in self.state.defs.get(root_name(key), ())]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            if node in params:
                found.add(params[node])
            else:
                todo.extend(f.src for f in self.def_flows.get(node, self.call_inputs.get(node, ())))
        return frozenset(found)

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
        if isinstance(test, cst.Await):
            return self.condition(test.expression, rejects)   # `if not await is_listed(x):`
        if isinstance(test, cst.Call) and dotted(test.func) == "bool" and len(test.args) == 1:
            return self.condition(test.args[0].value, rejects)
        if isinstance(test, cst.BooleanOperation):
            lt, lf = self.condition(test.left, rejects)
            rt, rf = self.condition(test.right, rejects)
            if isinstance(test.operator, cst.And):
                # `if self.limit_domains and not allowed(url): raise`: a check the object's
                # configuration switches on still checks the value whenever it runs.
                if self.is_switch(test.left):
                    return union(lt, rt), rf
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
                    key = value_key(operand)
                    if key and not is_constant(operand):
                        add(true_g, key, Guard("policy", line))
            return true_g, false_g
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            comp = test.comparisons[0]
            op, left, right = comp.operator, test.left, comp.comparator
            left = left.target if isinstance(left, cst.NamedExpr) else left
            lkey, rkey = value_key(left), value_key(right)
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
            refused = refused_prefix(test)
            if refused and root_name(refused[0]) in self.state.defs:
                add(false_g, refused[0], Guard("refused-prefix", line, prefix=refused[1]))
            return true_g, false_g
        if isinstance(test, cst.Name):
            # `ok = cmd in ALLOWED` / `m = re.fullmatch(...)` / `approved = click.confirm(...)`,
            # then `if ok:`: the stored condition is the check.
            nodes = {n for n in self.state.defs.get(test.value, frozenset()) if not ref(n).is_loop_carried}
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
                    if kind_of(f.src) is NodeKind.CALL and f.alias == "":
                        add(true_g, test.value, Guard("call", line, call=f.src, predicate=True))
        return true_g, false_g

    def check_every_element(self, node: cst.For, after: State) -> None:
        """`for stage in stages: validate(stage)`: a pass that cannot skip its checks (no `break` or
        `continue` in the loop, no `else`) leaves every element of the collection checked, so the
        checks that hold on the element at the end of the body hold on the collection after the loop."""
        container = value_key(node.iter, self.dotted_memo)
        if not container or not isinstance(node.target, cst.Name) or node.orelse is not None or has_jump(node.body):
            return
        checked = after.guards.get(node.target.value)
        if checked and root_name(container) in self.state.defs:
            self.state = self.state.with_guards({container: checked})

    def call_guard(self, call: cst.Call, target, line: int, rejects: bool) -> None:
        call_id = self.call_ids.get(id(call))
        if call_id is None:
            return
        keys = [k for a in call.args for k in names_read(a.value)]
        if isinstance(call.func, cst.Attribute):
            # `target.resolve().is_relative_to(ROOT)`: a method checks its receiver as much as its
            # arguments (local values only: a module's name is no value to guard).
            keys += [k for k in names_read(call.func.value) if root_name(k) in self.state.defs]
        for key in keys:
            guard = Guard("call", line, call=call_id, predicate=True)
            target[key] = target.get(key, frozenset()) | {guard}
        unkeyed = Guard("call", line, call=call_id, keyed=False, predicate=True)
        target["*"] = target.get("*", frozenset()) | {unkeyed}
        # Keyed when it names values, so that a check that does not guard them is told apart.
        recorded = Guard("call", line, call=call_id, predicate=True) if keys else unkeyed
        self.checks.append(Check(self.scope.key, line, tuple(keys) or ("*",), recorded, rejects))



def rewritten_by_call(body: cst.BaseSuite) -> set[str]:
    """Names a block rewrites from themselves through a call (`expr = sanitize(expr)`)."""
    names = set()
    for stmt in body.body:
        for small in line_smalls(stmt) if is_simple(stmt) else ():
            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                value = small.value.expression if isinstance(small.value, cst.Await) else small.value
                name = small.targets[0].target.value
                if isinstance(value, cst.Call) and name in {root_name(k) for k in names_read(value)}:
                    names.add(name)
    return names


def switched_on(body: cst.BaseSuite, after_body: State, joined: State) -> State:
    """`if not self.config.full_eval: expr = sanitize(expr)`: the object's configuration, not the
    model, decides whether the branch runs, and a check the configuration switches on is taken as
    on (as in `if self.allowed and url not in self.allowed: raise`): the branch's checks, and a value
    it rewrites from itself through a call, hold after it."""
    out = joined.copy()
    for key, guards in after_body.guards.items():
        out.guards[key] = out.guards.get(key, frozenset()) | guards
    for name in rewritten_by_call(body):
        if name in after_body.defs:
            out.defs[name] = after_body.defs[name]
    return out


def refused_prefix(test: cst.Call) -> tuple[str, str] | None:
    """`x.startswith("-")`: the value it asks about and the literal prefix (where the answer is
    no, the value does not start with it)."""
    func = test.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "startswith" and len(test.args) == 1):
        return None
    key, prefix = dotted(func.value), string_value(test.args[0].value)
    return (key, prefix) if key and prefix else None


def union(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, frozenset()) | v
    return out


def intersect(a: dict, b: dict) -> dict:
    return {k: a[k] & b[k] for k in a if k in b and a[k] & b[k]}
