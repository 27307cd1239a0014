"""Tool entry points: parameters of functions a framework calls with model-chosen arguments."""
from __future__ import annotations

from ..types import Source


class ToolEntries:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def tool_sources(self) -> None:
        """Parameters of functions a framework calls with model-chosen arguments."""
        p = self.project
        ignore = self.catalog.tool_param_ignore
        for f in p.functions.values():
            entry = self.tool_entry_of(f)
            if entry is None:
                continue
            module = p.modules[f.key.split("::")[0]]
            where = f"{module.path}:{f.loc.line}"
            effects = (("signature", where, entry.label),) if entry.schema_validated else ()
            bound = bool(f.class_name) and not f.is_static
            for param in f.params[1 if bound else 0:]:
                if param.name in ignore:
                    continue
                self.sources[param.node] = Source(param.node, entry.label, f"{f.qualname}({param.name})",
                                                  module.path, f.loc.line, effects)

    def tool_entry_of(self, f):
        p = self.project
        module = f.key.split("::")[0]
        decorator_paths = {path for d in f.decorators if d for path in p.dotted_paths(module, d)}
        base_paths: set[str] = set()
        if f.class_name:
            class_key = f"{module}:{f.class_name}"
            base_paths = {k.replace(":", ".") for k in p.mro(class_key)} | p.all_bases(class_key)
            base_paths = {b.replace(":", ".") for b in base_paths}
        for entry in self.catalog.tool_entries:
            if any(pt.matches(path) for path in decorator_paths for pt in entry.decorators):
                return entry
            if f.name in entry.methods and any(pt.matches(b) for b in base_paths for pt in entry.base_classes):
                return entry
        return None

