"""What a custom `__init__` does with each parameter: the fields of the object it can end up in.

`Agent(name="planner", goal=text)` whose `__init__` keeps `goal` in `self.goal` and builds
`self.prompt = f"... {goal}"` from it: the object holds `text` in those two fields, and reading
`agent.name` wherever the object goes gets none of it. A parameter is followed inside `__init__`
through local names, containers and calls that do not involve the object. Handed to anything that
does (`self.setup(goal)`, `super().__init__(goal=goal)` into a library base class, `setattr(self,
...)`), it may be anywhere in the object: then the object holds it whole, as before.
"""
from __future__ import annotations

from ..facts import Call, Flow
from ..nodes import NodeKind, class_key, kind_of, ref, scope_module
from .walk import ValueWalk

# More fields than this from one parameter: the object is taken whole (one state per field costs).
MAX_FIELDS_PER_PARAM = 4

# What consumes a value inside an `__init__`: ("def", node) a name or container it goes into,
# ("store", attribute node) `self.x = value`, ("call", Call) an argument or receiver of a call.
Consumer = tuple[str, object]


class InitFields:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def init_param_fields(self, init: str, param: str) -> tuple[str, ...] | None:
        """The fields of the object `__init__` ``init`` builds that parameter node ``param`` can
        reach (() if none), or None if it can reach the object in a way not followed."""
        key = (init, param)
        if key not in self._init_fields:
            self._init_fields[key] = self._param_fields(init, param)
        return self._init_fields[key]

    def _param_fields(self, init: str, param: str) -> tuple[str, ...] | None:
        p = self.project
        function = p.functions[init]
        if not function.params or not function.class_name:
            return None
        self_node = function.params[0].node
        owners = set(p.mro(self.init_class(init)))
        index = self.init_consumers()
        fields: set[str] = set()
        walk = ValueWalk([param])
        for node in walk:
            for kind, item in index.get(node, ()):
                if kind == "def":
                    walk.push([item])
                elif kind == "store":
                    if kind_of(item) is not NodeKind.ATTR:
                        walk.push([item])   # `d["k"] = value`: the container holds it
                    elif ref(item).class_key in owners:
                        fields.add(ref(item).name)
                else:
                    call: Call = item
                    into = self.field_mutated(call, self_node, owners)
                    if into.startswith("__"):
                        return None   # `self.__dict__.update(settings)`: any attribute
                    if into:
                        fields.add(into)   # `self.items.append(value)`
                    elif self.involves_object(call, self_node):
                        return None
                    elif call.method in self.catalog.mutators:
                        walk.push(f.src for f in call.receiver)   # `parts.append(value)`: the list holds it
                    walk.push([call.id])
        if walk.cut_short or len(fields) > MAX_FIELDS_PER_PARAM:
            return None
        return tuple(sorted(fields))

    def init_class(self, init: str) -> str:
        return class_key(scope_module(init), self.project.functions[init].class_name)

    def field_mutated(self, call: Call, self_node: str, owners: set[str]) -> str:
        """`self.items.append(value)`: the field a mutating call on an attribute of the object changes."""
        if call.method not in self.catalog.mutators or not call.receiver:
            return ""
        names = {attribute_of(f) if f.src == self_node
                 else ref(f.src).name if kind_of(f.src) is NodeKind.ATTR and ref(f.src).class_key in owners
                 else "" for f in call.receiver}
        return names.pop() if len(names) == 1 else ""

    def involves_object(self, call: Call, self_node: str) -> bool:
        """Is the object under construction handed to ``call`` (as its receiver, an argument, the
        callee it is read from), or is it `super()`'s (a base class's method on the object)?"""
        p = self.project
        for f in call.receiver + call.func_flows + tuple(f for a in call.args for f in a.flows):
            if f.src == self_node:
                return True
            inner = p.calls.get(f.src)
            if inner is not None and inner.callee_text == "super":
                return True
        return False

    def init_consumers(self) -> dict[str, list[Consumer]]:
        """Value node inside an `__init__` -> what consumes it there (built once, for `__init__`s only)."""
        if self._init_consumers is None:
            p = self.project
            inits = {f.key for f in p.functions.values() if f.name == "__init__" and f.class_name}
            index: dict[str, list[Consumer]] = {}

            def inside(flow: Flow) -> bool:
                if kind_of(flow.src) is NodeKind.DEF:
                    return ref(flow.src).scope in inits
                call = p.calls.get(flow.src)
                return call is not None and call.scope in inits

            def add(flows, item: Consumer) -> None:
                for f in flows:
                    if inside(f):
                        index.setdefault(f.src, []).append(item)

            for d in p.defs.values():
                if d.scope in inits:
                    add(d.flows, ("def", d.node))
            for call in p.calls.values():
                if call.scope in inits:
                    add(call.receiver + tuple(f for a in call.args for f in a.flows), ("call", call))
            for target, stores in p.stores.items():
                for store in stores:
                    add(store.flows, ("store", target))
            for container, flows in p.puts.items():
                add(flows, ("def", container))
            self._init_consumers = index
        return self._init_consumers


def attribute_of(flow: Flow) -> str:
    """The first attribute a flow reads off its source (`self.items` -> "items")."""
    path = (flow.alias or "").lstrip(".") or flow.attr
    return path.split(".", 1)[0] if path else ""
