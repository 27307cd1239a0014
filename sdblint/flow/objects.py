"""Objects the code constructs, read field by field.

`edge = Edge(fact=text)` then `edge.uuid`: the attribute holds what this object's constructor put in
that field (its keyword or positional argument, or what `__init__` stores there from a parameter or
a constant), not everything the object was built from. Only where that is certain: the value is one
or more constructor calls of project classes (through plain assignments), with no `*`/`**` argument,
never written to after it was built, and the attribute is a field the constructor sets and no other
method stores. Otherwise the object is tainted whole, as before.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..facts import Arg, Call, Flow
from ..kinds import VerifierKind
from ..limits import MAX_CONSTRUCTED_ORIGINS
from ..nodes import attr_node, class_parts, ref, return_node
from .types import Effect

if TYPE_CHECKING:
    from ..project import Project

# (flow into the read, effects the read proves): a validated model's field keeps its schema check.
FieldFlows = tuple[tuple[Flow, tuple[Effect, ...]], ...]


def generated_field(arg: Arg, fields: tuple[str, ...], positional: bool = True) -> str:
    """The field of a generated constructor (`Job(cmd=text)`, a dataclass, a pydantic model) that
    argument ``arg`` fills: its keyword, or (with ``positional``) the field at its position; "" if none."""
    if arg.keyword is not None:
        return arg.keyword if arg.keyword in fields else ""
    if positional and arg.index is not None and arg.index < len(fields):
        return fields[arg.index]
    return ""


def field_tags(project: Project, tag: Effect, attrs: list[str]) -> set[Effect]:
    """Reading `plan.steps[0].verb` off a validated model: a Literal/Enum field is an allow-list,
    a nested model keeps the schema check for its own fields."""
    model = tag.detail
    for attr in attrs:
        if project.field_is_closed(model, attr):
            return {tag, Effect(VerifierKind.ALLOWLIST, tag.where, f"{class_parts(model)[1]}.{attr}")}
        inner = project.field_model(model, attr)
        if inner is None:
            break
        model = inner
    return {Effect(VerifierKind.SCHEMA, tag.where, model)}


class Objects:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def constructor_edges(self, call: Call, class_key: str, scope: str) -> None:
        p = self.project
        module = p.call_module[call.id]
        where = f"{module.path}:{call.loc.line}"
        if p.is_enum(class_key):
            tag: Effect | None = Effect(VerifierKind.ENUM, where, class_key)
        elif p.is_pydantic(class_key):
            tag = Effect(VerifierKind.SCHEMA, where, class_key)
        else:
            tag = None
        init = p.init_of(class_key)
        if init:
            self.bind(call, init, skip_self=True)
            self.graph.remove_edge(return_node(init), call.id)   # a constructor returns the instance
        self.field_edges(call, class_key, init, scope, (tag,) if tag else ())
        for position, a in enumerate(call.args):
            fields = self.constructor_fields(call, class_key, init, position)
            for f in a.flows:
                for field in ("",) if fields is None else fields:
                    self.edge(f, call.id, scope, extra=(tag,) if tag else (), store=field)

    def field_edges(self, call: Call, class_key: str, init: str | None, scope: str, tags: tuple[Effect, ...]) -> None:
        """A generated constructor (`Job(cmd=text)`, a dataclass, a pydantic model) stores its
        arguments in the fields read later as `self.cmd`; a custom `__init__(**kwargs)` passes on
        the keywords it does not name."""
        p = self.project
        fields = p.generated_fields(class_key)
        if not fields:
            return
        named = set()
        if init:
            params = p.functions[init].params
            if not any(prm.star == "**" for prm in params):
                return
            named = {prm.name for prm in params}
        # A custom `__init__(**kwargs)` takes positions itself; the keywords it does not name go on.
        unnamed = tuple(f for f in fields if f not in named)
        for a in call.args:
            field = generated_field(a, unnamed, positional=not init)
            if field:
                for f in a.flows:
                    self.edge(f, attr_node(class_key, field), scope, extra=tags)

    def object_field_edges(self, flow: Flow, target: str, scope: str, kind, extra: tuple[Effect, ...],
                           store: str = "") -> bool:
        """Edges from what the attribute read ``flow`` gets, field by field (see :meth:`object_field`),
        into ``target``; False when the object is to be taken whole."""
        held = self.object_field(flow)
        if held is None:
            return False
        for f, effects in held:
            self.graph.add_edge(f.src, target, edge=self.edge_data(
                kind, self.guard_effects(f.guards + flow.guards, scope) + effects + extra, f.attr, store))
        return True

    def constructor_fields(self, call: Call, class_key: str, init: str | None, position: int) -> tuple[str, ...] | None:
        """The fields of the object ``call`` builds that its argument at ``position`` ends up in: a
        generated constructor's field, or those a custom `__init__` keeps it in or builds from it
        (see :mod:`sdblint.flow.init_fields`); None when not known (the object holds it whole)."""
        a = call.args[position]
        if a.star:
            return None
        if init is None:
            field = generated_field(a, self.project.generated_fields(class_key) or ())
            return (field,) if field else None
        params = {param for _, param, _ in self.param_targets(call, init, skip_self=True, only=frozenset({position}))}
        if len(params) != 1:
            return None
        return self.init_param_fields(init, params.pop())

    def object_field(self, flow: Flow) -> FieldFlows | None:
        """What attribute read ``flow`` (`edge.uuid`, `edge.fact.strip`) gets from the objects it reads,
        field by field; None when the object is to be taken whole."""
        calls = self.constructor_calls(flow.src)
        if not calls:
            return None
        name = flow.attr.split(".", 1)[0]
        out: list[tuple[Flow, tuple[Effect, ...]]] = []
        for call in calls:
            held = self.field_of(call, name, flow.attr)
            if held is None:
                return None
            out.extend(held)
        return tuple(out)

    def constructor_calls(self, node: str) -> tuple[Call, ...]:
        """The constructor calls of project classes, with no `*`/`**` argument, that are all value
        ``node`` can be (through plain assignments) if nothing writes to it after; () otherwise."""
        if node in self._constructed:
            return self._constructed[node]
        p = self.project
        calls: dict[str, Call] = {}
        todo, seen = [node], set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if len(seen) > MAX_CONSTRUCTED_ORIGINS:
                p.limits.hit("MAX_CONSTRUCTED_ORIGINS")
                calls = {}
                break
            if current in self.written_values():
                calls = {}
                break
            resolution = self.resolutions.get(current)
            d = p.defs.get(current)
            if resolution is not None and resolution.constructor and not any(a.star for a in p.calls[current].args):
                calls[current] = p.calls[current]
            elif d is not None and not d.binds and d.flows and all(f.alias == "" and not f.attr for f in d.flows):
                todo.extend(f.src for f in d.flows)
            else:
                calls = {}
                break
        found = self._constructed[node] = tuple(calls[k] for k in sorted(calls))
        return found

    def written_values(self) -> frozenset[str]:
        """Values written to after they were made: stores into them (`e.x = v`, `e.d["k"] = v`) and
        mutating calls on them or their attributes (`e.items.append(v)`)."""
        if self._written is None:
            p = self.project
            mutated = {r.src for c in p.calls.values() if c.method in self.catalog.mutators
                       for r in c.receiver if r.alias is not None}
            self._written = frozenset(p.stores) | frozenset(p.puts) | mutated
        return self._written

    def field_of(self, call: Call, name: str, read: str) -> FieldFlows | None:
        """Field ``name`` of the object constructor ``call`` builds (``read``: the attributes read)."""
        p = self.project
        class_key = self.resolutions[call.id].constructor
        if p.method(class_key, name) or p.is_enum(class_key):
            return None   # a method or property reads the object's fields: the object whole
        stores = self.field_stores(class_key, name)
        if stores is None:
            return None
        init = p.init_of(class_key)
        if init is None:
            fields = p.generated_fields(class_key) or ()
            if name not in fields:
                return None
            passed = [f for a in call.args if generated_field(a, fields) == name for f in a.flows]
        else:
            params = {prm.node for prm in p.functions[init].params}
            bound = {}
            for f, param, _ in self.param_targets(call, init, skip_self=True):
                bound.setdefault(param, []).append(f)
            passed = []
            for store in stores.get("init", ()):
                for f in store.flows:
                    if f.src in params:
                        passed.extend(bound.get(f.src, ()))
                    elif self.reads_any(f.src, params):
                        return None   # `self.x = compute(arg)`: what it keeps of this call's arguments is not known
                    else:
                        passed.append(f)   # `self.ident = uuid.uuid4().hex`: the same for every object
            if not stores.get("init"):
                return None
        passed += [f for store in stores.get("class", ()) for f in store.flows]   # a field's default
        effects: tuple[Effect, ...] = ()
        if p.is_pydantic(class_key):
            where = f"{p.call_module[call.id].path}:{call.loc.line}"
            effects = tuple(sorted(field_tags(p, Effect(VerifierKind.SCHEMA, where, class_key), read.split("."))))
        return tuple((replace(f, attr=""), effects) for f in passed)

    def reads_any(self, node: str, params: set[str]) -> bool:
        """Does value ``node`` (a local of `__init__`) depend on one of ``params`` (or on more than the
        walk takes)?"""
        p = self.project
        todo, seen = [node], set()
        while todo:
            current = todo.pop()
            if current in params or len(seen) > MAX_CONSTRUCTED_ORIGINS:
                return True
            if current in seen:
                continue
            seen.add(current)
            call = p.calls.get(current)
            d = p.defs.get(current)
            if call is not None:
                todo.extend(f.src for f in call.receiver + tuple(f for a in call.args for f in a.flows))
            elif d is not None:
                todo.extend(f.src for f in d.flows)
        return False

    def field_stores(self, class_key: str, name: str) -> dict[str, list] | None:
        """The stores into attribute ``name`` of the class (and of its bases and subclasses) by where
        they are: "init" (the class's `__init__`) or "class" (a class body: a default); None if another
        method stores it (it may change after the object was built)."""
        p = self.project
        init = p.init_of(class_key)
        node = attr_node(class_key, name)
        out: dict[str, list] = {}
        for n in [node, *p.attr_nodes(node)]:
            methods = [p.functions[m] for m in p.methods.get(ref(n).class_key, {}).values()]
            for store in p.stores.get(n, ()):
                inside = next((f for f in methods if f.loc.line <= store.line <= f.loc.end_line), None)
                if inside is not None and inside.key != init:
                    return None
                out.setdefault("class" if inside is None else "init", []).append(store)
        return out
