"""Value paths: what a value node can be (which client, which class instance), as the dotted
*callee paths* that catalog patterns match (``openai.OpenAI().chat.completions.create``)."""
from __future__ import annotations

import re
from dataclasses import replace

from ..facts import CONTAINS, ELEMENT, GENERIC, Call, Flow
from ..limits import MAX_EXPAND_DEPTH, MAX_PATHS
from ..nodes import NodeKind, attr_node, class_path, ref, scope_module
from .entity import Entity, class_argument

# Only short lower-case names (service names, pipeline tasks) become part of a path, so
# that a credential passed as a literal never reaches the output.
_LITERAL_OK = re.compile(r"[a-z][a-z0-9_\-]{0,30}\Z")

# The alias of a subscript with a constant key (`steps[0]`, `client["db"]`).
CONSTANT_INDEX = ".[]"


def is_container_path(path: str) -> bool:
    """A list, tuple or set, as the path of its elements in brackets (`[app.Ask()]`)."""
    return path.startswith("[")


def within_limit(paths, declared: set[str]) -> list[str]:
    """At most MAX_PATHS of ``paths``: what an annotation declares first (the author's word),
    then what a value is before what it holds."""
    return sorted(paths, key=lambda p: (p not in declared, is_container_path(p), p))[:MAX_PATHS]


class ValuePaths:
    """Mixin of :class:`~sdblint.project.index.Project`."""

    def entity_path(self, entity: Entity) -> frozenset[str]:
        if entity.kind == "func":
            f = self.functions[entity.key]
            return frozenset([f"{scope_module(entity.key)}.{f.qualname}"])
        if entity.kind == "class":
            return frozenset([class_path(entity.key)])
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
                    return Entity("value", "", (attr_node(entity.key, attr),))
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

    def index_puts(self, call: Call) -> None:
        """`steps.append(Run())`, `steps.extend(more)`: the container ``steps`` holds now also
        holds those elements (flows as its own definition would have them)."""
        language = self.catalog.language
        if call.callee_kind != "attr":
            return
        if call.method in language.element_inserts:
            index, wrap = language.element_inserts[call.method], CONTAINS
        elif call.method in language.element_extends:
            index, wrap = 0, ""
        else:
            return
        put = [replace(f, alias=f.alias + wrap) for a in call.args if a.index == index for f in a.flows
               if f.alias is not None]
        for receiver in call.receiver:
            if receiver.alias == "" and put:
                self.puts.setdefault(receiver.src, []).extend(put)

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
            if len(out) > MAX_PATHS:
                # Still in progress: what the annotations say can lead back here through the
                # receivers of the calls it reads, and must then see the cycle, not recurse.
                self.limits.hit("MAX_PATHS")
                out = within_limit(out, self.declared_paths(node))
        finally:
            self._in_progress.discard(node)
        out = frozenset(out)
        self._paths[node] = out
        return out

    def flow_paths(self, flows: tuple[Flow, ...]) -> set[str]:
        out: set[str] = set()
        for f in flows:
            if f.alias is None:
                continue
            for p in sorted(self.paths(f.src)):   # in order: the memo of paths() depends on who asks first
                out |= self.aliased(p, f.alias)
        return out

    def aliased(self, path: str, alias: str, depth: int = 0) -> set[str] | frozenset[str]:
        """What ``path`` with ``alias`` read on it can be. Container segments come first: a
        container's path is its elements' path in brackets (`[app.Ask()]`), and reading an element
        (a loop, an index) takes the brackets off. A container's own methods and attributes
        (`steps.append`), and the elements of anything else, are nothing sdblint types."""
        while alias:
            if alias.startswith(CONTAINS):
                path, alias = f"[{path}]", alias[len(CONTAINS):]
            elif is_container_path(path):
                read = next((x for x in (ELEMENT, CONSTANT_INDEX) if alias.startswith(x)), None)
                if read is None:
                    return set()
                path, alias = path[1:-1], alias[len(read):]
            elif alias.startswith(GENERIC):
                entity = self.path_entity(path)
                if entity is None or entity.kind != "class":
                    return set()
                alias = alias[len(GENERIC):]
            elif alias.startswith(ELEMENT):
                return set()
            else:
                # Attributes up to the next container segment (`self.pipeline.steps` of `.steps.[*]`).
                cut = min((i for i in (alias.find(CONTAINS, 1), alias.find(ELEMENT, 1), alias.find(GENERIC, 1)) if i > 0),
                          default=len(alias))
                head, rest = alias[:cut], alias[cut:]
                held = self.expand(path + head, depth)
                return {q for p in sorted(held) for q in self.aliased(p, rest, depth + 1)} if rest else held
        return {path}

    def expand(self, path: str, depth: int = 0) -> frozenset[str]:
        """Replace a project object's data attribute by what it holds:
        `app.Config().client.chat` -> `openai.OpenAI().chat`, `clients.client.chat` likewise.
        Memoised per (path, depth): each step fans out to up to MAX_PATHS held values, so without
        the memo one attribute chain costs MAX_PATHS ** MAX_EXPAND_DEPTH expansions, again at every
        read of it (hundreds of millions on a large code base whose classes hold each other)."""
        key = (path, depth)
        found = self._expanded.get(key)
        if found is None:
            found = self._expanded[key] = frozenset(self._expand(path, depth))
        return found

    def _expand(self, path: str, depth: int) -> set[str]:
        module, attrs = self._split_module(path)
        if module is None:
            return {path}
        if depth > MAX_EXPAND_DEPTH:
            self.limits.hit("MAX_EXPAND_DEPTH")
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
                method = self.method(entity.key, attr)
                if method and not self.is_property(self.functions[method]):
                    return {path}
                # A data attribute, or a `@property` (what it returns: see `paths` of the node).
                holder = attr_node(entity.key, attr)
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
            if len(held) > MAX_PATHS:
                self.limits.hit("MAX_PATHS")
                held = set(within_limit(held, {p for n in nodes for p in self.declared_paths(n)}))
            for p in sorted(held, key=lambda p: (is_container_path(p), p)):
                out |= self.aliased(p, f".{rest}", depth + 1) if rest else self.expand(p, depth + 1)
            return out
        return {path}

    def _compute_paths(self, node: str) -> set[str]:
        where = ref(node)
        kind = where.kind
        if kind is NodeKind.DEF:
            if where.is_param:
                function, index = self.params.get(node, (None, 0))
                if function is None:
                    return set()
                param = function.params[index]
                out = self.flow_paths(tuple(self._param_flows.get(node, ()))) | self.put_paths(node)
                if index == 0 and function.class_name and not function.is_static:
                    # `self` is an instance of the class; a classmethod's `cls` is the class itself.
                    owner = f"{scope_module(function.key)}.{function.class_name}"
                    is_classmethod = not self.catalog.language.classmethod_decorators.isdisjoint(function.decorators)
                    out.add(owner if is_classmethod else owner + "()")
                if param.annotation:
                    out |= self.annotation_paths(scope_module(function.key), param.annotation)
                return out
            d = self.defs.get(node)
            if d is not None and d.binds:
                key = d.binds.key
                return set(self.entity_path(Entity(d.binds.kind, key))) if key in self.functions or key in self.classes else set()
            if d is None:
                return set()
            typed = self.annotation_paths(scope_module(d.scope), d.annotation) if d.annotation else set()
            return self.flow_paths(d.flows) | typed | self.put_paths(node)
        if kind is NodeKind.GLOBAL:
            out = set(self.entity_path(self.resolve_name(where.module, where.name))) | self.put_paths(node)
            for s in self.stores.get(node, ()):
                out |= self.flow_paths(s.flows)
            return out
        if kind is NodeKind.ATTR:
            out = self.put_paths(node)
            for s in self.stores.get(node, ()):
                out |= self.flow_paths(s.flows)
            for related in self.attr_nodes(node):
                out |= self.put_paths(related)
                for s in self.stores.get(related, ()):
                    out |= self.flow_paths(s.flows)
            method = self.method(where.class_key, where.name)
            if method and self.is_property(self.functions[method]):
                out |= self.flow_paths(self.functions[method].returns)
            elif method:
                # `self.create_client`: the method, so calling it gives what it returns.
                out |= self.entity_path(Entity("func", method))
            return out | self.annotated_attr_paths(node)
        if kind is NodeKind.RETURN:
            f = self.functions.get(where.scope)
            return self.flow_paths(f.returns) if f else set()
        if kind is NodeKind.CALL:
            call = self.calls.get(node)
            return self.call_result_paths(call) if call else set()
        return set()

    def declared_paths(self, node: str) -> set[str]:
        """What annotations say value ``node`` is: a parameter's, a local's or a field's
        annotation, or the `-> T` of the functions a call runs."""
        where = ref(node)
        if where.kind is NodeKind.DEF and where.is_param:
            function, index = self.params.get(node, (None, 0))
            annotation = function.params[index].annotation if function else None
            return self.annotation_paths(scope_module(function.key), annotation) if annotation else set()
        if where.kind is NodeKind.DEF:
            d = self.defs.get(node)
            return self.annotation_paths(scope_module(d.scope), d.annotation) if d is not None and d.annotation else set()
        if where.kind is NodeKind.ATTR:
            return self.annotated_attr_paths(node)
        if where.kind is NodeKind.CALL and node in self.calls:
            call = self.calls[node]
            exact = self.receiver_classes(call)
            return {p for path in self.callee_paths(call) for e in [self.path_entity(path)]
                    if e is not None and e.kind in ("func", "method")
                    for key in self.function_keys(e, exact) for p in self.returned_paths(key)}
        return set()

    def returned_paths(self, key: str) -> set[str]:
        """What the `-> T` of function ``key`` says a call of it returns."""
        f = self.functions[key]
        return self.annotation_paths(scope_module(key), f.return_annotation) if f.return_annotation else set()

    def put_paths(self, node: str) -> set[str]:
        """Paths of the container ``node`` from what is appended to it (see :meth:`index_puts`)."""
        puts = self.puts.get(node)
        return self.flow_paths(tuple(puts)) if puts else set()

    def annotated_attr_paths(self, node: str) -> set[str]:
        """``db: SQLDatabase`` declared on a class (dataclass, pydantic): instances of that type."""
        where = ref(node)
        if where.class_key not in self.classes:
            return set()
        for k in self.mro(where.class_key):
            for name, annotation in self.classes[k].fields:
                if name == where.name and annotation and annotation != "literal":
                    return self.annotation_paths(self.class_module[k], annotation)
        return set()

    def instance_attr_nodes(self, node: str, attr: str) -> list[str]:
        """The attribute ``attr`` of the project-class instances value ``node`` may hold."""
        entities = [self.path_entity(path) for path in sorted(self.paths(node))]
        return sorted({attr_node(e.key, attr) for e in entities if e is not None and e.kind == "instance"})

    def annotation_paths(self, module: str, annotation: str) -> set[str]:
        """Paths of a value annotated with ``annotation`` in ``module`` (see
        :func:`~sdblint.extract.annotations.annotation_kind`): an instance of each type it names, as
        the catalog spells it (`sqlite3.Connection` is what `sqlite3.connect()` returns); for
        `Callable[..., R]`, what calling it gives is an `R`."""
        out: set[str] = set()
        aliases = self.catalog.type_aliases
        for kind in annotation.split("|"):
            callable_returns = kind.startswith("->")
            entity = self.resolve_dotted(module, kind[2:] if callable_returns else kind)
            if entity.kind not in ("class", "external"):
                continue
            for path in self.entity_path(entity):
                instance = aliases.get(path, path + "()")
                out.add(instance[: -len("()")] if callable_returns and instance.endswith("()") else instance)
        return out

    def callee_paths(self, call: Call) -> set[str]:
        return {path for path in self.flow_paths(call.func_flows) if not is_container_path(path)}

    def call_result_paths(self, call: Call) -> set[str]:
        out: set[str] = set()
        suffix = self.call_suffix(call)
        paths = sorted(self.callee_paths(call))
        exact = self.receiver_classes(call) if paths else frozenset()
        in_project = False
        guessed: set[str] = set()
        for path in paths:
            if any(pt.matches(path) for pt in self.catalog.language.partial_calls):
                # `partial(f, a)` is a callable that calls `f`: as a value, it is what `f` is.
                out |= self.flow_paths(tuple(f for a in call.args if a.index == 0 for f in a.flows))
                continue
            if any(pt.matches(path) for pt in self.catalog.composers):
                # `prompt.pipe(llm)`, `RunnableSequence(prompt, llm)`: the result is every stage, like `|`.
                out |= self.flow_paths(call.receiver) | self.flow_paths(tuple(f for a in call.args for f in a.flows))
                continue
            entity = self.path_entity(path)
            if entity is not None and entity.kind in ("func", "method"):
                in_project = True
                for key in self.function_keys(entity, exact):
                    out |= self.flow_paths(self.functions[key].returns) | self.returned_paths(key)
            else:
                guessed.add(path + suffix)
        if in_project and call.callee_kind == "attr":
            # `self.target.handle_chat_completion()` where the receiver may be a project handler or a
            # `Path`: the method is the project's, so what it returns is what the project's returns,
            # never a library chain guessed from the other receiver (`Path().handle_chat_completion()`,
            # which catalog patterns with `**` would take for `Path` API).
            return out
        return out | guessed

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
                return class_argument(entity.key)
        return "()"

    def function_keys(self, entity: Entity, exact: frozenset[str] = frozenset()) -> list[str]:
        """The functions calling ``entity`` runs: a method of an instance of a class in ``exact``
        (see :meth:`constructed_classes`) is that class's own or inherited method, any other
        instance's method is also each override in its subclasses."""
        if entity.kind == "func":
            return [entity.key]
        if entity.kind == "method":
            class_key, _, name = entity.key.partition("|")
            if exact:
                # A declared type (`h: Base = Sub()`) says less than the construction in sight.
                own = self.method(class_key, name) if class_key in exact else None
                return [own] if own else []
            return self.dispatch_targets(class_key, name)
        return []
