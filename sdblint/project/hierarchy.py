"""Classes: bases, method resolution order, subclasses and overrides."""
from __future__ import annotations

from ..nodes import attr_node, class_key, class_path, import_path, ref, scope_module
from .entity import Entity


class Hierarchy:
    """Mixin of :class:`~sdblint.project.index.Project`."""

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

    def mro(self, key: str) -> tuple[str, ...]:
        found = self._mro.get(key)
        if found is None:
            seen, order, todo = set(), [], [key]
            while todo:
                k = todo.pop(0)
                if k in seen:
                    continue
                seen.add(k)
                order.append(k)
                todo.extend(b for b in self._bases.get(k, ()) if b in self.classes)
            found = self._mro[key] = tuple(order)
        return found

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
        for base in self.mro(class_key(scope_module(scope), function.class_name))[1:]:
            found = self.methods.get(base, {}).get(name)
            if found:
                return found
        return None

    def dispatch_targets(self, class_key: str, name: str) -> list[str]:
        """The method a call on an instance of ``class_key`` can run: its own, and what each
        subclass runs instead (an override, or a sibling base's method: `self.execute()` in a
        `Planner` mixin runs `Executor.execute` in `class Agent(Planner, Executor)`)."""
        targets = []
        own = self.method(class_key, name)
        if own:
            targets.append(own)
        for sub in sorted(self.subclasses(class_key)):
            override = self.method(sub, name)
            if override and override not in targets:
                targets.append(override)
        return targets

    def is_property(self, function) -> bool:
        """A method that reading the attribute of the same name runs (``@property``)."""
        return any(d.split(".")[-1] in self.catalog.language.property_decorators for d in function.decorators)

    def is_kind_of(self, class_key: str, patterns, include_self: bool = False) -> bool:
        """Does a base of the class (or the class itself) match one of the catalog ``patterns``?"""
        return any(pt.matches(b) for b in self.base_paths(class_key, include_self) for pt in patterns)

    def base_paths(self, class_key: str, include_self: bool = True) -> frozenset[str]:
        """The dotted paths of a class's bases (and of itself), as the catalog names them: a project
        checked from above its import root (`smolagents-1.26.0-py3-none-any/smolagents/...`)
        still subclasses `smolagents.tools.Tool`."""
        found = self._base_paths.get((class_key, include_self))
        if found is None:
            keys = [*self.mro(class_key), *self.all_bases(class_key)] if include_self else self.all_bases(class_key)
            found = self._base_paths[class_key, include_self] = frozenset(import_path(class_path(k)) for k in keys)
        return found

    def attr_nodes(self, node: str) -> list[str]:
        """Attribute nodes of the same attribute on bases and subclasses."""
        where = ref(node)
        key = where.class_key
        if key not in self.classes:
            return []
        related = set(self.mro(key)) | self.subclasses(key)
        return sorted(attr_node(k, where.name) for k in related if k != key)

