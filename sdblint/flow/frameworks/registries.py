"""Tool registries: the project functions a call can run when it takes its callable out of a
container. Agent code keeps its tools in dicts and lists, fills them with stores, registration
calls or decorators of its own, and dispatches by the name the model chose; whatever registers a
function, the model's parsed arguments reach its parameters."""
from __future__ import annotations

from dataclasses import replace

from ...facts import Call, Flow
from ...limits import MAX_TABLE_NODES
from ...nodes import NodeKind, class_key, global_node, kind_of, ref, scope_key, scope_module


class Registries:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def stored_callables(self, call: Call) -> list[str]:
        """Project functions a call can reach through a container of callables: a fixed dict, a
        registry filled by stores (`TOOLS[name] = fn`), by a registration method
        (`agent.register(fn)`) or by a decorator whose body stores the function it gets
        (`@tool("shell")`, `@registry.action(...)`), descriptor records (`{"function": f}`) and
        lists of them, functions named through a module (`{"run": tools.run_shell}`); and for a
        method called on an element (`self.tools[name].execute(...)`), that method of the objects
        put in."""
        p = self.project
        method = call.method if call.callee_kind == "attr" else ""
        found: list[str] = []
        todo: list[Flow] = list(call.receiver if method else call.func_flows)
        seen: set[str] = set()
        while todo:
            if len(seen) >= MAX_TABLE_NODES:
                p.limits.hit("MAX_TABLE_NODES")
                break
            flow = todo.pop()
            found.extend(self.callables_of(flow, method))
            node = flow.src
            if node in seen:
                continue
            seen.add(node)
            kind = kind_of(node)
            if kind is NodeKind.DEF and node in p.params:
                todo.extend(p.flows_into_param(node))
                if not method:
                    found.extend(self.decorated_by(node))
            elif kind is NodeKind.DEF and node in p.defs:
                d = p.defs[node]
                todo.extend(d.flows)
                module = scope_module(d.scope)
                if d.scope == scope_key(module):
                    # A module's registry is filled from functions too (`ACTIONS[verb] = fn`).
                    todo.append(Flow(global_node(module, d.name), d.line))
            elif kind is NodeKind.CALL and node in p.calls and p.calls[node].is_lookup and p.calls[node].callee_kind == "attr":
                todo.extend(p.calls[node].receiver)
            elif kind is NodeKind.CALL and node in p.calls and not method:
                found.extend(self.getattr_self_methods(p.calls[node]))
            elif kind is NodeKind.GLOBAL:
                where = ref(node)
                todo.extend(Flow(n, flow.line) for n in p.resolve_name(where.module, where.name).nodes)
            # What was stored into the container since (`TOOLS[name] = fn`, `self.tools[k] = tool`).
            for store in p.stores.get(node, ()):
                todo.extend(store.flows)
            if kind is NodeKind.ATTR:
                for store in self.stores_from_outside(node):
                    todo.extend(store.flows)
        return sorted({k for k in found if k})

    def stores_from_outside(self, node: str) -> list:
        """Stores into the attribute ``node`` through another name for the object (`reg.tools[k] =
        fn`, or `self.actions[k] = fn` in a decorator nested in a method)."""
        if self._attr_stores is None:
            self._attr_stores = {}
            for stores in self.project.stores.values():
                for store in stores:
                    if store.attr:
                        self._attr_stores.setdefault(store.attr, []).append(store)
        return [s for s in self._attr_stores.get(ref(node).name, ())
                if node in self.project.instance_attr_nodes(s.target, s.attr)]

    def callables_of(self, flow: Flow, method: str) -> list[str]:
        """The project functions a value is (a function, `module.function`, `self.method`), or
        with ``method``, that method of the objects it is."""
        p = self.project
        found = [] if method else [self.functions_named(flow.src)]
        if flow.alias is None and flow.attr.replace(".", "").isidentifier():
            # An element of a display (`{"run": tools.run_shell}`) is the attribute it reads.
            flow = replace(flow, alias=f".{flow.attr}")
        if flow.alias is None:
            return found
        suffix = f".{method}" if method else ""
        for path in sorted(p.flow_paths((flow,))):
            entity = p.path_entity(path + suffix)
            if entity is not None and entity.kind in ("func", "method"):
                found.extend(p.function_keys(entity))
        return found

    def decorated_by(self, param: str) -> list[str]:
        """The functions handed to a decorator as its parameter ``param``: those decorated with the
        decorator itself, or with a call of a factory that returns it (`def tool(name): def
        register(fn): TOOLS[name] = fn ...; return register`)."""
        function, index = self.project.params[param]
        first = 1 if self.is_bound(function.key) else 0
        if index != first:
            return []
        if self._decorated is None:
            self._decorated = self.decorator_index()
        return self._decorated.get(function.key, [])

    def decorator_index(self) -> dict[str, list[str]]:
        """Decorator function key -> the project functions it decorates (through its factory too)."""
        p = self.project
        index: dict[str, list[str]] = {}
        for f in p.functions.values():
            for d in f.decorators:
                if not d:
                    continue
                for path in sorted(self.decorator_paths(f, d)):
                    entity = p.path_entity(path)
                    if entity is None or entity.kind not in ("func", "method"):
                        continue
                    for key in p.function_keys(entity):
                        index.setdefault(key, []).append(f.key)
                        for inner in self.returned_functions(key):
                            index.setdefault(inner, []).append(f.key)
        return index

    def returned_functions(self, key: str) -> list[str]:
        """Functions defined in ``key`` and returned by it (a decorator factory's decorator)."""
        p = self.project
        return [d.binds.key for flow in p.functions[key].returns if flow.src in p.defs
                for d in [p.defs[flow.src]] if d.binds is not None and d.binds.kind == "func"]

    def getattr_self_methods(self, call: Call) -> list[str]:
        """``getattr(self, name)``: the model can pick any public method of the class."""
        p = self.project
        if self.catalog.language.attribute_lookup not in p.callee_paths(call) or not call.args:
            return []
        function = p.functions.get(call.scope)
        if function is None or not function.class_name or not function.params:
            return []
        if not any(f.src == function.params[0].node for f in call.args[0].flows):
            return []
        owner = class_key(scope_module(call.scope), function.class_name)
        names = {name for k in [*p.mro(owner), *sorted(p.subclasses(owner))] for name in p.methods.get(k, {})}
        return [t for name in sorted(names) if not name.startswith("_") for t in p.dispatch_targets(owner, name)]

    def functions_named(self, node: str) -> str:
        p = self.project
        where = ref(node)
        if where.kind is NodeKind.DEF and node in p.defs:
            binds = p.defs[node].binds
            return binds.key if binds and binds.kind == "func" else ""
        if where.kind is NodeKind.GLOBAL:
            entity = p.resolve_name(where.module, where.name)
            return entity.key if entity.kind == "func" else ""
        if where.kind is NodeKind.ATTR:
            return p.method(where.class_key, where.name) or ""
        return ""
