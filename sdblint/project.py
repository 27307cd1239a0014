"""Project-wide symbol resolution over module facts.

Answers "what does this name, attribute chain or call refer to?" across modules: imports
and aliases, module-level definitions, classes with their bases and subclasses, methods
(including overrides), and the dotted *callee paths* that the catalog patterns match
(``openai.OpenAI().chat.completions.create``).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from .facts import Call, ClassInfo, Def, Flow, Function, ModuleFacts, Store

MAX_PATHS = 12
STDLIB = frozenset(sys.stdlib_module_names)
# Only short lower-case names (service names, pipeline tasks) become part of a path, so
# that a credential passed as a literal never reaches the output.
_LITERAL_OK = re.compile(r"[a-z][a-z0-9_\-]{0,30}\Z")
_CALL_ARGS = re.compile(r"\((?:'[^']*'|@[^)]*)\)")


def display_path(path: str) -> str:
    """A callee path for people: call arguments elided."""
    return _CALL_ARGS.sub("()", path)


@dataclass(frozen=True)
class Entity:
    """What a symbol is: a project function or class, a module, or an external dotted name."""

    kind: str       # "func", "class", "module", "value", "external"
    key: str        # function key, "mod:Class", module name, "" for values, dotted path for externals
    nodes: tuple[str, ...] = ()   # definition nodes for "value"


class Project:
    def __init__(self, modules: list[ModuleFacts], schema_bases=(), enum_bases=(), composers=()):
        """Catalog patterns: ``schema_bases``/``enum_bases`` are the library classes whose subclasses
        validate on construction; ``composers`` build a pipeline out of their stages."""
        self.schema_bases = tuple(schema_bases)
        self.enum_bases = tuple(enum_bases)
        self.composers = tuple(composers)
        self.modules = {m.module: m for m in modules}
        self.functions: dict[str, Function] = {}
        self.classes: dict[str, ClassInfo] = {}          # "mod:Qual" -> info
        self.class_module: dict[str, str] = {}
        self.defs: dict[str, Def] = {}
        self.defs_named: dict[tuple[str, str], list[Def]] = {}
        self.calls: dict[str, Call] = {}
        self.call_module: dict[str, ModuleFacts] = {}
        self.calls_by_scope: dict[str, list[Call]] = {}
        self.stores: dict[str, list[Store]] = {}
        self.methods: dict[str, dict[str, str]] = {}     # class key -> method name -> function key
        self.params: dict[str, tuple[Function, int]] = {}
        self.function_paths: dict[str, str] = {}
        for m in modules:
            for f in m.functions:
                self.functions[f.key] = f
                self.function_paths[f"{m.module}.{f.qualname}"] = f.key
                for p in f.params:
                    self.params[p.node] = (f, p.index)
                if f.class_name:
                    self.methods.setdefault(f"{m.module}:{f.class_name}", {})[f.name] = f.key
            for c in m.classes:
                key = f"{m.module}:{c.qualname}"
                self.classes[key] = c
                self.class_module[key] = m.module
            for d in m.defs:
                self.defs[d.node] = d
                self.defs_named.setdefault((d.scope, d.name), []).append(d)
            for c in m.calls:
                self.calls[c.id] = c
                self.call_module[c.id] = m
                self.calls_by_scope.setdefault(c.scope, []).append(c)
            for s in m.stores:
                self.stores.setdefault(s.target, []).append(s)
        self._names: dict[tuple[str, str], Entity] = {}
        self._suffix: dict[str, list[str]] = {}
        for name in self.modules:
            parts = name.split(".")
            for i in range(len(parts)):
                self._suffix.setdefault(".".join(parts[i:]), []).append(name)
        self._bases = {key: self._resolve_bases(key) for key in self.classes}
        self._subclasses: dict[str, set[str]] = {key: set() for key in self.classes}
        for key, bases in self._bases.items():
            for base in bases:
                if base in self._subclasses:
                    self._subclasses[base].add(key)
        self._paths: dict[str, frozenset[str]] = {}
        self._in_progress: set[str] = set()
        self._param_flows: dict[str, list[Flow]] = {}

    def set_param_flows(self, param_flows: dict[str, list[Flow]]) -> None:
        """Call-site arguments per parameter node; paths are recomputed with them."""
        self._param_flows = param_flows
        self._paths.clear()

    # ------------------------------------------------------------ modules and symbols
    def find_module(self, dotted: str) -> str | None:
        """The project module an absolute import names: exact, or by suffix for projects checked
        from above their import root (never for the standard library: `json` is not `pkg.json`)."""
        if dotted in self.modules:
            return dotted
        if dotted.split(".")[0] in STDLIB:
            return None
        candidates = self._suffix.get(dotted, [])
        return min(candidates, key=lambda c: (len(c), c)) if candidates else None

    def resolve_dotted(self, module: str, dotted: str) -> Entity:
        """Resolve ``a.b.C`` as written in ``module``."""
        head, _, rest = dotted.partition(".")
        entity = self.resolve_name(module, head)
        for attr in rest.split(".") if rest else ():
            entity = self.member(entity, attr)
        return entity

    def dotted_paths(self, module: str, dotted: str) -> frozenset[str]:
        """Callee paths of ``a.b.c`` as written in ``module`` (through values such as clients)."""
        head, _, rest = dotted.partition(".")
        suffix = f".{rest}" if rest else ""
        return frozenset(p + suffix for p in self.entity_path(self.resolve_name(module, head)))

    def member(self, entity: Entity, attr: str) -> Entity:
        if entity.kind == "module":
            found = self.resolve_name(entity.key, attr)
            # A name a project module does not define is not a builtin there: keep the module path.
            return Entity("external", f"{entity.key}.{attr}") if found.key == f"builtins.{attr}" else found
        if entity.kind == "external":
            return Entity("external", f"{entity.key}.{attr}")
        if entity.kind == "class":
            method = self.method(entity.key, attr)
            if method:
                return Entity("func", method)
            module, _, qual = entity.key.partition(":")
            inner = f"{module}:{qual}.{attr}"
            if inner in self.classes:
                return Entity("class", inner)
            return Entity("value", "", (f"a:{module}:{qual}:{attr}",))
        return Entity("external", attr)

    def resolve_name(self, module: str, name: str, depth: int = 0) -> Entity:
        key = (module, name)
        found = self._names.get(key)
        if found is None:
            found = self._names[key] = self._resolve_name(module, name, depth)
        return found

    def _resolve_name(self, module: str, name: str, depth: int) -> Entity:
        facts = self.modules.get(module)
        if facts is None or depth > 20:
            return Entity("external", f"{module}.{name}")
        function_key = f"{module}::{name}"
        if function_key in self.functions:
            return Entity("func", function_key)
        if f"{module}:{name}" in self.classes:
            return Entity("class", f"{module}:{name}")
        defs = dict(facts.module_defs).get(name)
        if defs:
            return Entity("value", "", defs)
        target = dict(facts.imports).get(name)
        if target is not None:
            found = self.find_module(target)
            if found:
                return Entity("module", found)
            owner, _, attr = target.rpartition(".")
            found = self.find_module(owner) if owner else None
            if found and found != module:
                return self.resolve_name(found, attr, depth + 1)
            return Entity("external", target)
        sub = self.find_module(f"{module}.{name}") if facts.path.endswith("__init__.py") else None
        if sub:
            return Entity("module", sub)
        return Entity("external", f"builtins.{name}")

    # ------------------------------------------------------------ classes
    def _resolve_bases(self, key: str) -> list[str]:
        module = self.class_module[key]
        out = []
        for base in self.classes[key].bases:
            if not base:
                continue
            entity = self.resolve_class_ref(module, base)
            out.append(entity.key if entity.kind in ("class", "external") else base)
        return out

    def resolve_class_ref(self, module: str, dotted: str) -> Entity:
        """``a.b.C`` in a class statement's bases. Runs while the hierarchy is being indexed, so a
        class's members are looked up as nested classes only, never through method resolution."""
        head, _, rest = dotted.partition(".")
        entity = self.resolve_name(module, head)
        for attr in rest.split(".") if rest else ():
            if entity.kind == "class":
                inner = f"{entity.key}.{attr}"
                entity = Entity("class", inner) if inner in self.classes else Entity("external", dotted)
            else:
                entity = self.member(entity, attr)
        return entity

    def mro(self, key: str) -> list[str]:
        seen, order, todo = set(), [], [key]
        while todo:
            k = todo.pop(0)
            if k in seen:
                continue
            seen.add(k)
            order.append(k)
            todo.extend(b for b in self._bases.get(k, ()) if b in self.classes)
        return order

    def all_bases(self, key: str) -> set[str]:
        """Every base, project or external (by dotted name), transitively."""
        out: set[str] = set()
        for k in self.mro(key):
            out.update(self._bases.get(k, ()))
        return out

    def subclasses(self, key: str) -> set[str]:
        out, todo = set(), [key]
        while todo:
            for sub in self._subclasses.get(todo.pop(), ()):
                if sub not in out:
                    out.add(sub)
                    todo.append(sub)
        return out

    def method(self, class_key: str, name: str) -> str | None:
        for k in self.mro(class_key):
            found = self.methods.get(k, {}).get(name)
            if found:
                return found
        return None

    def super_method(self, scope: str, name: str) -> str | None:
        """`super().name(...)` inside a method of ``scope``: the first base that defines it."""
        function = self.functions.get(scope)
        if function is None or not function.class_name:
            return None
        class_key = f"{scope.split('::')[0]}:{function.class_name}"
        for base in self.mro(class_key)[1:]:
            found = self.methods.get(base, {}).get(name)
            if found:
                return found
        return None

    def dispatch_targets(self, class_key: str, name: str) -> list[str]:
        """The method a call on an instance of ``class_key`` can run: its own and overrides."""
        targets = []
        own = self.method(class_key, name)
        if own:
            targets.append(own)
        for sub in sorted(self.subclasses(class_key)):
            override = self.methods.get(sub, {}).get(name)
            if override and override not in targets:
                targets.append(override)
        return targets

    def is_kind_of(self, class_key: str, patterns) -> bool:
        return any(pt.matches(b) for b in self.all_bases(class_key) for pt in patterns)

    def attr_nodes(self, node: str) -> list[str]:
        """``a:`` attribute nodes of the same attribute on bases and subclasses."""
        _, module, qual, attr = node.split(":", 3)
        key = f"{module}:{qual}"
        if key not in self.classes:
            return []
        related = set(self.mro(key)) | self.subclasses(key)
        return sorted(f"a:{k}:{attr}" for k in related if k != key)

    # ------------------------------------------------------------ callee paths
    def entity_path(self, entity: Entity) -> frozenset[str]:
        if entity.kind == "func":
            f = self.functions[entity.key]
            module = entity.key.split("::")[0]
            return frozenset([f"{module}.{f.qualname}"])
        if entity.kind == "class":
            return frozenset([entity.key.replace(":", ".")])
        if entity.kind in ("module", "external"):
            return frozenset([entity.key])
        out: set[str] = set()
        for node in entity.nodes:
            out |= self.paths(node)
        return frozenset(out)

    def path_entity(self, path: str) -> Entity | None:
        """The project function or class a callee path names, if any."""
        if path in self.function_paths:
            return Entity("func", self.function_paths[path])
        module, attrs = self._split_module(path)
        if module is None:
            return None
        entity = Entity("module", module)
        for attr in attrs:
            if attr.endswith(")"):
                name = attr[: attr.index("(")]
                entity = self.member(entity, name)
                if entity.kind != "class":
                    return None
                entity = Entity("instance", entity.key)
                continue
            if entity.kind == "instance":
                method = self.method(entity.key, attr)
                if method is None:
                    return Entity("value", "", (f"a:{entity.key}:{attr}",))
                entity = Entity("method", f"{entity.key}|{attr}")
                continue
            entity = self.member(entity, attr)
            if entity.kind in ("external", "value"):
                return entity if entity.kind == "value" else None
        return entity if entity.kind in ("func", "class", "method", "instance") else None

    def _split_module(self, path: str) -> tuple[str | None, list[str]]:
        parts = path.split(".")
        for i in range(len(parts), 0, -1):
            candidate = ".".join(parts[:i])
            if "(" in candidate:
                continue
            if candidate in self.modules:
                return candidate, parts[i:]
        return None, parts

    def paths(self, node: str) -> frozenset[str]:
        """Dotted paths of what a value node can be (which client, which class instance)."""
        cached = self._paths.get(node)
        if cached is not None:
            return cached
        if node in self._in_progress:
            return frozenset()
        self._in_progress.add(node)
        try:
            out = self._compute_paths(node)
        finally:
            self._in_progress.discard(node)
        out = frozenset(sorted(out)[:MAX_PATHS])
        self._paths[node] = out
        return out

    def flow_paths(self, flows: tuple[Flow, ...]) -> set[str]:
        out: set[str] = set()
        for f in flows:
            if f.alias is None:
                continue
            for p in self.paths(f.src):
                out.update(self.expand(p + f.alias) if f.alias else (p,))
        return out

    def expand(self, path: str, depth: int = 0) -> set[str]:
        """Replace a project object's data attribute by what it holds:
        `app.Config().client.chat` -> `openai.OpenAI().chat`, `clients.client.chat` likewise."""
        module, attrs = self._split_module(path)
        if module is None or depth > 3:
            return {path}
        entity = Entity("module", module)
        for i, attr in enumerate(attrs):
            rest = ".".join(attrs[i + 1:])
            if attr.endswith(")"):
                entity = self.member(entity, attr[: attr.index("(")])
                if entity.kind != "class":
                    return {path}
                entity = Entity("instance", entity.key)
                continue
            if entity.kind == "instance":
                if self.method(entity.key, attr):
                    return {path}
                holder = f"a:{entity.key}:{attr}"
            else:
                entity = self.member(entity, attr)
                if entity.kind in ("module", "class"):
                    continue
                if entity.kind != "value":
                    return {path}
                holder = None
            nodes = (holder,) if holder else entity.nodes
            held = {p for n in nodes for p in self.paths(n)}
            if not held:
                return {path}
            out: set[str] = set()
            for p in sorted(held)[:MAX_PATHS]:
                out |= self.expand(f"{p}.{rest}" if rest else p, depth + 1)
            return out
        return {path}

    def _compute_paths(self, node: str) -> set[str]:
        kind = node[0]
        if kind == "n":
            if node.endswith("#p"):
                function, index = self.params.get(node, (None, 0))
                if function is None:
                    return set()
                param = function.params[index]
                out = self.flow_paths(tuple(self._param_flows.get(node, ())))
                if index == 0 and function.class_name and not function.is_static:
                    # `self` is an instance of the class; a classmethod's `cls` is the class itself.
                    owner = f"{function.key.split('::')[0]}.{function.class_name}"
                    out.add(owner if "classmethod" in function.decorators else owner + "()")
                if param.annotation:
                    module = function.key.split("::")[0]
                    out |= {p + "()" for p in self.entity_path(self.resolve_dotted(module, param.annotation))}
                return out
            d = self.defs.get(node)
            if d is not None and d.binds:
                kind, _, key = d.binds.partition(":")
                return set(self.entity_path(Entity(kind, key))) if key in self.functions or key in self.classes else set()
            return self.flow_paths(d.flows) if d else set()
        if kind == "g":
            _, module, name = node.split(":", 2)
            out = set(self.entity_path(self.resolve_name(module, name)))
            for s in self.stores.get(node, ()):
                out |= self.flow_paths(s.flows)
            return out
        if kind == "a":
            out = set()
            for s in self.stores.get(node, ()):
                out |= self.flow_paths(s.flows)
            for related in self.attr_nodes(node):
                for s in self.stores.get(related, ()):
                    out |= self.flow_paths(s.flows)
            _, module, qual, attr = node.split(":", 3)
            prop = self.method(f"{module}:{qual}", attr)
            if prop and any(d.split(".")[-1] in ("property", "cached_property") for d in self.functions[prop].decorators):
                out |= self.flow_paths(self.functions[prop].returns)
            return out | self.annotated_attr_paths(node)
        if kind == "r":
            f = self.functions.get(node[2:])
            return self.flow_paths(f.returns) if f else set()
        if kind == "c":
            call = self.calls.get(node)
            return self.call_result_paths(call) if call else set()
        return set()

    def annotated_attr_paths(self, node: str) -> set[str]:
        """``db: SQLDatabase`` declared on a class (dataclass, pydantic): instances of that type."""
        _, module, qual, attr = node.split(":", 3)
        key = f"{module}:{qual}"
        if key not in self.classes:
            return set()
        for k in self.mro(key):
            for name, annotation in self.classes[k].fields:
                if name == attr and annotation and annotation != "literal":
                    entity = self.resolve_dotted(self.class_module[k], annotation)
                    return {p + "()" for p in self.entity_path(entity)} if entity.kind in ("class", "external") else set()
        return set()

    def callee_paths(self, call: Call) -> set[str]:
        return self.flow_paths(call.func_flows)

    def call_result_paths(self, call: Call) -> set[str]:
        out: set[str] = set()
        suffix = self.call_suffix(call)
        for path in self.callee_paths(call):
            if any(pt.matches(path) for pt in self.composers):
                # `prompt.pipe(llm)`, `RunnableSequence(prompt, llm)`: the result is every stage, like `|`.
                out |= self.flow_paths(call.receiver) | self.flow_paths(tuple(f for a in call.args for f in a.flows))
                continue
            entity = self.path_entity(path)
            if entity is not None and entity.kind in ("func", "method"):
                for key in self.function_keys(entity):
                    out |= self.flow_paths(self.functions[key].returns)
            else:
                out.add(path + suffix)
        return out

    def call_suffix(self, call: Call) -> str:
        """``()``, ``('literal')`` or ``(@mod:Class)`` for the first positional argument."""
        first = call.args[0] if call.args and call.args[0].index == 0 else None
        if first is None:
            return "()"
        if first.literal is not None and _LITERAL_OK.match(first.literal):
            return f"('{first.literal}')"
        if first.dotted:
            module = self.call_module[call.id].module
            entity = self.resolve_dotted(module, first.dotted)
            if entity.kind == "class":
                return f"(@{entity.key.replace('.', ':')})"
        return "()"

    def function_keys(self, entity: Entity) -> list[str]:
        if entity.kind == "func":
            return [entity.key]
        if entity.kind == "method":
            class_key, _, name = entity.key.partition("|")
            return self.dispatch_targets(class_key, name)
        return []

    def init_of(self, class_key: str) -> str | None:
        return self.method(class_key, "__init__")

    def schema_class(self, ref: str) -> str | None:
        """``@mod:Class`` (from a call suffix) back to a class key."""
        module, _, qual = ref.lstrip("@").rpartition(":")
        key = f"{module.replace(':', '.')}:{qual}"
        return key if key in self.classes else None

    def is_pydantic(self, class_key: str) -> bool:
        return self.is_kind_of(class_key, self.schema_bases)

    def is_enum(self, class_key: str) -> bool:
        return self.is_kind_of(class_key, self.enum_bases)

    def field_model(self, class_key: str, field: str) -> str | None:
        """The pydantic model a field holds (`steps: list[Step]`), for checks on nested fields."""
        for key in self.mro(class_key):
            for name, annotation in self.classes[key].fields:
                if name == field and annotation and annotation != "literal":
                    entity = self.resolve_dotted(self.class_module[key], annotation)
                    if entity.kind == "class" and self.is_pydantic(entity.key):
                        return entity.key
                    return None
        return None

    def field_is_closed(self, class_key: str, field: str) -> bool:
        """Is ``field`` of a model typed as a Literal or an Enum (an allow-list)?"""
        for key in self.mro(class_key):
            for name, annotation in self.classes[key].fields:
                if name != field:
                    continue
                if annotation == "literal":
                    return True
                entity = self.resolve_dotted(self.class_module[key], annotation) if annotation else None
                return bool(entity and entity.kind == "class" and self.is_enum(entity.key))
        return False
