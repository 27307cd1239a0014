"""The constant text a value's definition gives it elsewhere in the module, in any order of
definition: class field defaults (plain, dataclass `field(default=...)`, pydantic `Field(...)`),
`self.x` assigned in a method, properties and methods returning a constant or an f-string that
starts with one, objects built with constructor keywords (`self.config = Config(base_url=b)`), and
module constants. A URL the code configures this way (`f"{self.config.base_url}{path}"`,
`self._search_endpoint()`) fixes its host just as a literal does.

Values the code does not know (a parameter without a default, an unknown call) stay unknown,
except where the code falls back to a constant (`base_url or getenv("X") or DEFAULT`, a
parameter's default, an environment lookup's default): the text callers leave as is, as for the
extractor's other constant texts. Only syntax is read; nothing is imported or run.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ..limits import MAX_SETTING_DEPTH, MAX_SETTING_STEPS
from .assignments import Assignments, decorator_names, first_param
from .syntax import ENV_LOOKUPS, UNKNOWN_TEXT, common_text, dotted, has_constant_text, string_value

# Calls a class body uses to declare a field with a default (`Field("https://x/")`,
# `field(default=URL)`, `attr.ib(default=URL)`): the default is the field's value.
FIELD_DECLARATIONS = frozenset({"Field", "field", "ib", "attrib"})
# Methods whose body sets up the instance: an attribute they assign replaces the class default.
INITIALISERS = frozenset({"__init__", "__post_init__", "model_post_init", "__attrs_post_init__"})
# String methods that keep a URL's scheme and host (`BASE.rstrip("/")`).
KEEPING_METHODS = frozenset({"rstrip", "strip"})


@dataclass(frozen=True)
class ClassRef:
    """The class itself (`cls`, `Config`): calling it builds an instance."""

    qualname: str


@dataclass(frozen=True)
class Instance:
    """An object of a module class, and the constructor keywords it was built with."""

    qualname: str
    keywords: tuple[tuple[str, cst.BaseExpression, "Frame"], ...]


@dataclass(frozen=True)
class Frame:
    """Where an expression is read: its class, its function, and arguments bound to parameters."""

    cls: str | None
    func: cst.FunctionDef | None = None
    self_name: str | None = None
    bound: tuple[tuple[str, cst.BaseExpression, "Frame"], ...] = ()


@dataclass
class ClassSyntax:
    bases: tuple[str, ...]
    fields: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)    # class body values
    methods: dict[str, cst.FunctionDef] = field(default_factory=dict)
    # `self.x = v` in a method: (value, method); read on the first lookup of one of its fields
    assigned: dict[str, list[tuple[cst.BaseExpression | None, cst.FunctionDef]]] | None = None


Value = str | ClassRef | Instance | None


class ModuleSettings:
    """The module's classes and constants, read once, and the texts they fix (memoised)."""

    def __init__(self, tree: cst.Module) -> None:
        self.constants: dict[str, list[cst.BaseExpression]] = {}
        self.classes: dict[str, ClassSyntax] = {}
        self.bodies: dict[int, Assignments] = {}
        self.field_memo: dict[tuple[str, str], Value] = {}
        self.active: set = set()   # definitions being read (a cycle among them knows nothing)
        self.depth = 0
        self.steps = 0
        for stmt in tree.body:
            self.index(stmt, "", module_level=True)

    def index(self, stmt, prefix: str, module_level: bool = False) -> None:
        if isinstance(stmt, cst.ClassDef):
            qualname = f"{prefix}{stmt.name.value}"
            info = self.classes[qualname] = ClassSyntax(tuple(dotted(b.value) or "" for b in stmt.bases if b.keyword is None))
            for inner in stmt.body.body:
                if isinstance(inner, cst.FunctionDef):
                    info.methods[inner.name.value] = inner
                elif isinstance(inner, cst.ClassDef):
                    self.index(inner, f"{qualname}.")
                else:
                    for name, value in simple_assignments(inner):
                        info.fields.setdefault(name, []).append(value)
        elif module_level:
            for name, value in simple_assignments(stmt):
                self.constants.setdefault(name, []).append(value)

    def body(self, func: cst.FunctionDef) -> Assignments:
        found = self.bodies.get(id(func))
        if found is None:
            found = self.bodies[id(func)] = Assignments(func)
        return found

    def text(self, node: cst.BaseExpression, frame: Frame) -> str | None:
        """The constant text of ``node`` read in ``frame`` ("{}" for each value not known), or None."""
        if self.depth == 0:
            self.steps = 0   # a new question: its own budget of definitions read
        value = self.value(node, frame)
        return value if isinstance(value, str) and has_constant_text(value) else None

    def value(self, node, frame: Frame) -> Value:
        if node is None:
            return None
        self.steps += 1
        if self.depth >= MAX_SETTING_DEPTH or self.steps > MAX_SETTING_STEPS:
            return None
        self.depth += 1
        try:
            return self.evaluate(node, frame)
        finally:
            self.depth -= 1

    def once(self, key, compute) -> Value:
        """``compute()``, unless the same definition is already being read (`url = url + "/x"`,
        a method calling itself): then the value is not known."""
        if key in self.active:
            return None
        self.active.add(key)
        try:
            return compute()
        finally:
            self.active.discard(key)

    def evaluate(self, node, frame: Frame) -> Value:
        known = string_value(node)
        if known is not None:
            return known
        if isinstance(node, cst.FormattedString):
            parts = [p.value if isinstance(p, cst.FormattedStringText) else self.as_text(p.expression, frame)
                     for p in node.parts]
            return "".join(parts)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self.as_text(node.left, frame) + self.as_text(node.right, frame)
        if isinstance(node, cst.Name):
            return self.name(node.value, frame)
        if isinstance(node, cst.Attribute):
            return self.attribute(node, frame)
        if isinstance(node, cst.Call):
            return self.call(node, frame)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            # `base_url or getenv("X") or DEFAULT`: the constant the settings fall back to.
            operands = [node.right]
            left = node.left
            while isinstance(left, cst.BooleanOperation) and isinstance(left.operator, cst.Or):
                operands.append(left.right)
                left = left.left
            operands.append(left)
            texts = [t for t in (self.text(o, frame) for o in operands) if t is not None]
            return common_text(texts) if texts and self.text(node.right, frame) is not None else None
        if isinstance(node, cst.IfExp):
            branches = [self.text(node.body, frame), self.text(node.orelse, frame)]
            return common_text(branches) if all(b is not None for b in branches) else None
        return None

    def as_text(self, node, frame: Frame) -> str:
        value = self.value(node, frame)
        return value if isinstance(value, str) else UNKNOWN_TEXT

    def name(self, name: str, frame: Frame) -> Value:
        for bound, expr, where in frame.bound:
            if bound == name:
                return self.value(expr, where)
        if frame.func is not None:
            if name == frame.self_name and frame.cls and "classmethod" in decorator_names(frame.func):
                return ClassRef(frame.cls)
            param = parameter(frame.func, name)
            if param is not None:
                return self.value(param.default, Frame(frame.cls)) if param.default is not None else None
            local = self.body(frame.func).names.get(name)
            if local is not None:
                return self.once((id(frame.func), name), lambda: self.common([self.value(v, frame) for v in local]))
        if name in self.classes:
            return ClassRef(name)
        values = self.constants.get(name)
        if not values:
            return None
        return self.once(("constant", name), lambda: self.common([self.value(v, Frame(None)) for v in values]))

    def attribute(self, node: cst.Attribute, frame: Frame) -> Value:
        attr = node.attr.value
        if isinstance(node.value, cst.Name) and node.value.value == frame.self_name and frame.cls:
            return self.field(frame.cls, attr)
        owner = self.value(node.value, frame)
        if isinstance(owner, Instance):
            for keyword, expr, where in owner.keywords:
                if keyword == attr:
                    return self.value(expr, where)
            return self.field(owner.qualname, attr)
        if isinstance(owner, ClassRef):
            return self.field(owner.qualname, attr)
        return None

    def field(self, cls: str, attr: str) -> Value:
        """What attribute ``attr`` of an instance of class ``cls`` holds, where every assignment
        agrees (an initialiser's assignment replaces the class default)."""
        key = (cls, attr)
        if key not in self.field_memo:
            found = self.once(key, lambda: self.lookup(cls, attr, set()))
            if key in self.active or self.steps > MAX_SETTING_STEPS:
                return found   # cut short: not the field's answer for another question
            self.field_memo[key] = found
        return self.field_memo[key]

    def lookup(self, cls: str, attr: str, seen: set[str]) -> Value:
        info = self.classes.get(cls)
        if info is None or cls in seen:
            return None
        seen.add(cls)
        method = info.methods.get(attr)
        if method is not None:
            return self.returned(method, cls, ()) if "property" in decorator_names(method) else None
        if info.assigned is None:
            info.assigned = {}
            for method in info.methods.values():
                for name, values in self.body(method).attrs.items():
                    info.assigned.setdefault(name, []).extend((v, method) for v in values)
        assigned = info.assigned.get(attr, [])
        if any(m.name.value in INITIALISERS for _, m in assigned) or (assigned and attr not in info.fields):
            values = [self.value(v, Frame(cls, m, first_param(m))) if v is not None else None for v, m in assigned]
            return self.common(values)
        if attr in info.fields:
            values = [self.value(declared_default(v), Frame(cls)) for v in info.fields[attr]]
            return self.common(values + [self.value(v, Frame(cls, m, first_param(m))) for v, m in assigned])
        for base in info.bases:
            found = self.lookup(base, attr, seen)
            if found is not None:
                return found
        return None

    def call(self, node: cst.Call, frame: Frame) -> Value:
        func = node.func
        callee = dotted(func) or ""
        if callee in ENV_LOOKUPS and len(node.args) == 2:
            return self.value(node.args[1].value, frame)   # `os.getenv("API_BASE", "https://api.x.com/v1")`
        if isinstance(func, cst.Attribute) and func.attr.value in KEEPING_METHODS:
            receiver = self.value(func.value, frame)
            chars = string_value(node.args[0].value) if node.args else None
            if isinstance(receiver, str) and not receiver.endswith(UNKNOWN_TEXT):
                return receiver.rstrip(chars) if func.attr.value == "rstrip" else receiver.strip(chars)
            return receiver if isinstance(receiver, str) else None
        target = self.value(func, frame) if isinstance(func, cst.Name) else None
        if isinstance(target, ClassRef):
            return Instance(target.qualname, self.keywords(node, frame))
        if not isinstance(func, cst.Attribute):
            return None
        name = func.attr.value
        if isinstance(func.value, cst.Name) and func.value.value == frame.self_name and frame.cls:
            in_classmethod = frame.func is not None and "classmethod" in decorator_names(frame.func)
            owner: Value = ClassRef(frame.cls) if in_classmethod else Instance(frame.cls, ())
        else:
            owner = self.value(func.value, frame)
        if not isinstance(owner, (ClassRef, Instance)):
            return None
        method, cls = self.method(owner.qualname, name, set())
        if method is None:
            return None
        bound = self.bind(method, node, frame, isinstance(owner, Instance) or "classmethod" in decorator_names(method))
        return self.returned(method, cls, bound)

    def method(self, cls: str, name: str, seen: set[str]) -> tuple[cst.FunctionDef | None, str]:
        info = self.classes.get(cls)
        if info is None or cls in seen:
            return None, cls
        seen.add(cls)
        if name in info.methods:
            return info.methods[name], cls
        for base in info.bases:
            found, owner = self.method(base, name, seen)
            if found is not None:
                return found, owner
        return None, cls

    def bind(self, method: cst.FunctionDef, call: cst.Call, frame: Frame, skip_first: bool):
        params = [*method.params.posonly_params, *method.params.params]
        if skip_first and params:
            params = params[1:]
        bound = []
        for i, arg in enumerate(a for a in call.args if a.keyword is None and not a.star):
            if i < len(params):
                bound.append((params[i].name.value, arg.value, frame))
        bound.extend((a.keyword.value, a.value, frame) for a in call.args if a.keyword is not None)
        return tuple(bound)

    def returned(self, method: cst.FunctionDef, cls: str, bound) -> Value:
        returns = self.body(method).returns
        if not returns or any(r is None for r in returns):
            return None
        inner = Frame(cls, method, first_param(method), bound)
        return self.once(id(method), lambda: self.common([self.value(r, inner) for r in returns]))

    def keywords(self, call: cst.Call, frame: Frame):
        return tuple((a.keyword.value, a.value, frame) for a in call.args if a.keyword is not None)

    @staticmethod
    def common(values: list[Value]) -> Value:
        if not values or any(v is None for v in values):
            return None
        if all(isinstance(v, str) for v in values):
            return common_text(values)
        return values[0] if all(v is values[0] for v in values) else None


def parameter(func: cst.FunctionDef, name: str) -> cst.Param | None:
    p = func.params
    for param in (*p.posonly_params, *p.params, *p.kwonly_params):
        if param.name.value == name:
            return param
    star = [s for s in (p.star_arg, p.star_kwarg) if isinstance(s, cst.Param) and s.name.value == name]
    return star[0] if star else None


def simple_assignments(stmt) -> list[tuple[str, cst.BaseExpression]]:
    """`NAME = value` / `NAME: T = value` in a line of a module or class body."""
    found = []
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                found.extend((t.target.value, small.value) for t in small.targets if isinstance(t.target, cst.Name))
            elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
                found.append((small.target.value, small.value))
    return found


def declared_default(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """The default of a class field declared with a call (`Field("https://x/")`,
    `field(default=URL)`); the value itself otherwise."""
    if not isinstance(value, cst.Call) or (dotted(value.func) or "").rpartition(".")[2] not in FIELD_DECLARATIONS:
        return value
    for a in value.args:
        if a.keyword is not None and a.keyword.value == "default":
            return a.value
    positional = [a for a in value.args if a.keyword is None and not a.star]
    return positional[0].value if positional and (dotted(value.func) or "").endswith("Field") else None
