"""Tool entry points: parameters of functions a framework calls with model-chosen arguments."""
from __future__ import annotations

from ...extract.syntax import URL_MARK
from ...kinds import VerifierKind
from ...nodes import class_key, scope_key, scope_module, scope_qualname
from ...project.values import is_container_path
from ..types import Effect, Origin, Source

ACCESSORS = ("setter", "deleter")   # `@name.setter`: runs on assignment to a property


class ToolEntries:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def entry_points(self) -> dict:
        """Tool entry points by function key, with their catalog entry."""
        if self._entry_points is None:
            registered = self.registered_tools()
            found = {f.key: self.tool_entry_of(f) or registered.get(f.key) for f in self.project.functions.values()}
            self._entry_points = {key: entry for key, entry in found.items() if entry is not None}
        return self._entry_points

    def tool_sources(self) -> None:
        """Parameters of functions a framework calls with model-chosen arguments."""
        p = self.project
        ignore = self.catalog.tool_param_ignore
        for key, entry in self.entry_points().items():
            f = p.functions[key]
            module = p.modules[scope_module(f.key)]
            where = f"{module.path}:{f.loc.line}"
            effects = (Effect(VerifierKind.SIGNATURE, where, entry.label),) if entry.schema_validated else ()
            for param in f.params[1 if self.is_bound(key) else 0:]:
                if param.name in ignore:
                    continue
                checked = self.constraint_effects(param, where) if entry.schema_validated else ()
                self.sources[param.node] = Source(param.node, entry.label, f"{f.qualname}({param.name})",
                                                  module.path, f.loc.line, effects + checked, Origin.TOOL)

    def constraint_effects(self, param, where: str) -> tuple[Effect, ...]:
        """What the framework's check of a constrained parameter proves: a `Literal` is an
        allow-list, a pattern anchored at both ends a full match (one written for a URL only if it
        fixes the host: `^https://api\\.x\\.com/.*$`), a number with both bounds an allow-list."""
        kind, _, pattern = param.constraint.partition(":")
        if kind == "literal" or param.annotation == "literal":
            return (Effect(VerifierKind.ALLOWLIST, where, f"Literal {param.name}"),)
        if kind == "bounded":
            # A number between two bounds is one of a fixed set of values, and carries no text.
            return (Effect(VerifierKind.ALLOWLIST, where, f"bounds of {param.name}"),)
        if kind == "pattern" and anchored(pattern) and (URL_MARK not in pattern or
                                                        self.catalog.fixed_host_url.match(regex_prefix(pattern))):
            return (Effect(VerifierKind.FULLMATCH, where, pattern),)
        return ()


    def registered_tools(self) -> dict:
        """Functions handed to a framework's tool-registering call (`FunctionTool.from_defaults(fn=f)`,
        `register_function(f, ...)`, `Agent(tools=[f])`), by function key."""
        entries = [e for e in self.catalog.tool_entries if e.registers]
        found: dict = {}
        if not entries:
            return found
        p = self.project
        for call in p.calls.values():
            paths = self.resolutions[call.id].paths if call.id in self.resolutions else ()
            for entry in entries:
                if not any(pt.matches(path) for path in paths for pt in entry.registers):
                    continue
                flows = tuple(f for a in call.args if self.arg_matches(a, entry.register_args) for f in a.flows)
                for path in sorted(p.flow_paths(flows)):
                    while is_container_path(path):
                        path = path[1:-1]   # `Agent(tools=[f, g])`: each element is registered
                    target = p.path_entity(path)
                    if target is not None and target.kind == "func":
                        found.setdefault(target.key, entry)
        return found

    def decorator_paths(self, f, dotted: str) -> set[str]:
        """Callee paths of a decorator as written: names local to the enclosing function first
        (`server = Server(...)` inside `serve()`, then `@server.call_tool()`; or its parameter
        `mcp: FastMCP`), else the module's."""
        p = self.project
        head, _, rest = dotted.partition(".")
        outer = scope_qualname(f.key).rpartition(".")[0]
        outer_key = scope_key(scope_module(f.key), outer) if outer else ""
        nodes = [d.node for d in p.defs_named.get((outer_key, head), [])] if outer else []
        if outer and not nodes and outer_key in p.functions:
            # `def register(mcp: FastMCP): @mcp.tool() ...`: the server is the enclosing function's parameter.
            nodes = [prm.node for prm in p.functions[outer_key].params if prm.name == head]
        if nodes:
            suffix = f".{rest}" if rest else ""
            return {path + suffix for node in nodes for path in p.paths(node)}
        return set(p.dotted_paths(scope_module(f.key), dotted))

    def tool_entry_of(self, f):
        p = self.project
        module = scope_module(f.key)
        decorator_paths = {path for d in f.decorators if d for path in self.decorator_paths(f, d)}
        owner = class_key(module, f.class_name) if f.class_name else None
        for entry in self.catalog.tool_entries:
            if any(pt.matches(path) for path in decorator_paths for pt in entry.decorators):
                return entry
            if owner and entry.has_method(f.name) and p.is_kind_of(owner, entry.base_classes, include_self=True):
                return entry
            if any(pt.matches(module) for pt in entry.modules) and self.is_shipped_tool(f):
                return entry
        return None

    def is_shipped_tool(self, f) -> bool:
        """A public function (or public method of a public class) of a module where the library ships
        ready-made tools is a tool, unless it is a property or its setter (read or assigned, not
        called with the model's arguments) or a factory that builds a toolkit object
        (`create_file_tools(workspace)`: its parameters configure the tools, the model fills the
        tools' own). Private names, nested functions and methods of nested classes are helpers."""
        parts = f.qualname.split(".")
        if len(parts) > 2 or any(part.startswith("_") for part in parts):
            return False
        if self.project.is_property(f) or any(d.rpartition(".")[2] in ACCESSORS for d in f.decorators):
            return False
        results = [self.resolutions.get(r.src) for r in f.returns]
        return not (results and all(r is not None and r.constructor for r in results))


def anchored(pattern: str) -> bool:
    """Does the regular expression match whole values only (pydantic searches: `^...$` is a full match)?"""
    return pattern.startswith(("^", "\\A")) and pattern.endswith(("$", "\\Z", "\\z")) and not pattern.endswith("\\$")


def regex_prefix(pattern: str) -> str:
    """The literal text an anchored regular expression starts with (`^https://api\\.x\\.com/` gives
    `https://api.x.com/`), up to its first operator."""
    out, i = [], 2 if pattern.startswith("\\A") else 1
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and not pattern[i + 1].isalnum():
            out.append(pattern[i + 1])
            i += 2
            continue
        if c in ".^$*+?{}[]|()\\":
            break
        out.append(c)
        i += 1
    return "".join(out)
