"""Names: what a name or dotted chain written in a module refers to, across imports."""
from __future__ import annotations

from ..limits import MAX_IMPORT_HOPS
from ..nodes import attr_node, class_key, scope_key
from .entity import Entity


class Names:
    """Mixin of :class:`~sdblint.project.index.Project`."""

    def find_module(self, dotted: str, importer: str) -> str | None:
        """The project module an absolute import written in module ``importer`` names, where
        Python would pick it over an installed library (see :mod:`.layout`)."""
        return self.layout.find(dotted, importer)

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
            inner = f"{entity.key}.{attr}"
            if inner in self.classes:
                return Entity("class", inner)
            return Entity("value", "", (attr_node(entity.key, attr),))
        return Entity("external", attr)

    def resolve_name(self, module: str, name: str, depth: int = 0) -> Entity:
        key = (module, name)
        found = self._names.get(key)
        if found is None:
            found = self._names[key] = self._resolve_name(module, name, depth)
        return found

    def _resolve_name(self, module: str, name: str, depth: int) -> Entity:
        facts = self.modules.get(module)
        if facts is None:
            return Entity("external", f"{module}.{name}")
        if depth > MAX_IMPORT_HOPS:
            self.limits.hit("MAX_IMPORT_HOPS")
            return Entity("external", f"{module}.{name}")
        function_key = scope_key(module, name)
        if function_key in self.functions:
            return Entity("func", function_key)
        if class_key(module, name) in self.classes:
            return Entity("class", class_key(module, name))
        defs = dict(facts.module_defs).get(name)
        if defs:
            return Entity("value", "", defs)
        target = dict(facts.imports).get(name)
        if target is not None:
            found = self.find_module(target, module)
            if found:
                return Entity("module", found)
            owner, _, attr = target.rpartition(".")
            found = self.find_module(owner, module) if owner else None
            if found and found != module:
                return self.resolve_name(found, attr, depth + 1)
            return Entity("external", target)
        sub = f"{module}.{name}" if facts.path.endswith("__init__.py") else None
        if sub in self.modules:
            return Entity("module", sub)
        return Entity("external", f"builtins.{name}")

