"""Callees beyond their type: the exact class of a receiver built in sight, and the arguments a
`functools.partial` holds. Both are read off where a value comes from, not what it can be."""
from __future__ import annotations

from ..facts import Call, Flow
from ..nodes import NodeKind, ref


class Callees:
    """Mixin of :class:`~sdblint.project.index.Project`."""

    def receiver_classes(self, call: Call) -> frozenset[str]:
        """The classes the receiver of a method call is built as (see :meth:`constructed_classes`)."""
        return self.constructed_classes(call.receiver) if call.callee_kind == "attr" else frozenset()

    def constructed_classes(self, flows: tuple[Flow, ...]) -> frozenset[str]:
        """The project classes a value is built as, when every way it gets its value is a
        constructor call in sight (`a = Dog()`, `self.pet = Dog()`, a factory that returns
        `Dog()`): a method called on it is that class's, never a subclass's override. Empty when
        any way is something else (a parameter, an annotation, a library call), since then the
        value may be an instance of any subclass."""
        found: set[str] = set()
        seen: set[str] = set()
        todo = list(flows)
        while todo:
            flow = todo.pop()
            if flow.alias != "":
                return frozenset()
            node = flow.src
            if node in seen:
                continue
            seen.add(node)
            constructed = self._constructed(node)
            if constructed is not None:
                found.add(constructed)
                continue
            origins = self._origins(node)
            if not origins:
                return frozenset()
            todo.extend(origins)
        return frozenset(found)

    def _origins(self, node: str) -> tuple[Flow, ...]:
        """The flows a value node takes its value from: a local's assignments, an attribute's
        stores (also on its bases and subclasses), a module global's assignments (unless it is
        also assigned from outside), what a project function returns; nothing for
        a value that comes from elsewhere (a parameter, a property, a library call)."""
        where = ref(node)
        if where.kind is NodeKind.DEF and not where.is_param:
            d = self.defs.get(node)
            return d.flows if d is not None and not d.binds else ()
        if where.kind is NodeKind.ATTR and not self.method(where.class_key, where.name):
            return tuple(f for n in [node, *self.attr_nodes(node)] for s in self.stores.get(n, ()) for f in s.flows)
        if where.kind is NodeKind.GLOBAL and not self.stores.get(node):
            entity = self.resolve_name(where.module, where.name)
            return tuple(Flow(n, 0) for n in entity.nodes) if entity.kind == "value" else ()
        if where.kind is NodeKind.CALL and node in self.calls:
            entities = [self.path_entity(path) for path in self.callee_paths(self.calls[node])]
            if entities and all(e is not None and e.kind == "func" for e in entities):
                return tuple(f for e in entities for f in self.functions[e.key].returns)
        return ()

    def _constructed(self, node: str) -> str | None:
        """The project class the call ``node`` constructs, if that is all it can do."""
        call = self.calls.get(node)
        if call is None:
            return None
        entities = {self.path_entity(path) for path in self.callee_paths(call)}
        if len(entities) != 1:
            return None
        entity = entities.pop()
        return entity.key if entity is not None and entity.kind == "class" else None

    def is_partial(self, call: Call) -> bool:
        """`functools.partial(f, ...)` (``partial_calls`` in the catalog)."""
        return any(pt.matches(path) for path in self.callee_paths(call) for pt in self.catalog.language.partial_calls)

    def partial_bound(self, flows: tuple[Flow, ...]) -> int | None:
        """How many positional arguments the `functools.partial` objects a callee can be have
        bound already (`cb = partial(f, a); cb(b)` calls `f(a, b)`): None for a callee that is no
        partial, 0 also when the partials differ."""
        counts: set[int] = set()
        todo, seen = [f.src for f in flows if f.alias == ""], set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            where = ref(node)
            if where.kind is NodeKind.DEF and not where.is_param and node in self.defs:
                todo.extend(f.src for f in self.defs[node].flows if f.alias == "")
            elif where.kind is NodeKind.ATTR:
                todo.extend(f.src for s in self.stores.get(node, ()) for f in s.flows if f.alias == "")
            elif where.kind is NodeKind.CALL and node in self.calls and self.is_partial(self.calls[node]):
                counts.add(sum(1 for a in self.calls[node].args if a.index is not None) - 1)
        if not counts:
            return None
        return counts.pop() if len(counts) == 1 else 0
