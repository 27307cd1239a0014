"""The project flow graph: one networkx MultiDiGraph over every module's facts.

Nodes are value references (see :mod:`sdblint.facts`) plus one node per risky argument
of each sink call (and, at dispatch sites, one for the key that picks the callable and one
for the arguments it gets). Every edge carries:

- ``kind``: ``flow`` (intraprocedural or through the heap), ``call`` (argument into a
  parameter), ``return`` (a return value out to every caller) or ``summary`` (argument to
  the call's result, through a function that returns what it was given);
- ``effects``: verification tags added when a value crosses the edge, e.g.
  ``("schema", "agent/x.py:12", "mod:Plan")`` or ``("parse", ...)``;
- ``attr``: the attributes read on the source value, dotted (Literal/Enum model fields);
- ``line`` and ``module``: where the flow happens, for explanations.
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .catalog import Catalog, Sink
from .facts import Arg, Call, Flow, Guard
from .project import Project, display_path

Tag = tuple[str, str, str]   # (kind, "path:line", detail)
MARKERS = frozenset({"parse", "name-only", "discarded"})
SUMMARY_ROUNDS = 6
INSTANCE_CALL_METHODS = ("__call__", "forward")


@dataclass(frozen=True)
class Source:
    node: str
    label: str
    callee: str
    path: str
    line: int
    effects: tuple[Tag, ...]


@dataclass(frozen=True)
class SinkSite:
    node: str
    call: Call
    category: str
    callee: str
    role: str          # "value", "callee" (model-chosen callable) or "arguments" (dispatched tool args)
    keys: tuple[str, ...]
    extra_adequate: tuple[str, ...] = ()
    not_adequate: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolution:
    """What one call is, once the project and the catalog have been consulted."""

    paths: tuple[str, ...]
    proposer: tuple[str, str] | None = None       # (label, path)
    sinks: tuple[tuple[Sink, str], ...] = ()
    verifier: tuple[str, str, str, str] | None = None  # (kind, returns, path, schema class)
    parser: bool = False
    sandboxed: bool = False
    functions: tuple[str, ...] = ()
    constructor: str | None = None                # class key


class FlowGraph:
    def __init__(self, project: Project, catalog: Catalog):
        self.project = project
        self.catalog = catalog
        self.graph = nx.MultiDiGraph()
        self.sources: dict[str, Source] = {}
        self.sinks: list[SinkSite] = []
        self.resolutions: dict[str, Resolution] = {}
        self.bindings: list[tuple[Call, str, Flow, str]] = []   # (call, function key, arg flow, param node)
        self.node_scope: dict[str, str] = {}
        self._guard_memo: dict[tuple, tuple[Tag, ...]] = {}

    # ------------------------------------------------------------ building
    def build(self) -> "FlowGraph":
        p = self.project
        # What a parameter holds (a client, a tool object) comes from its call sites; with
        # those known, calls on parameters resolve too.
        param_flows: dict[str, list[Flow]] = {}
        for call in p.calls.values():
            functions, constructor = self.project_targets(call, sorted(p.callee_paths(call)))
            init = p.init_of(constructor) if constructor else None
            targets = [(key, self.is_bound_method(call, key)) for key in functions] + ([(init, True)] if init else [])
            for key, bound in targets:
                for flow, param in self.param_targets(call, key, bound):
                    param_flows.setdefault(param, []).append(flow)
        p.set_param_flows(param_flows)
        for call in p.calls.values():
            self.resolutions[call.id] = self.resolve(call)
        for d in p.defs.values():
            self.node_scope[d.node] = d.scope
            for f in d.flows:
                self.edge(f, d.node, d.scope)
        for target, stores in p.stores.items():
            for s in stores:
                scope = self.scope_of(s.flows)
                for f in s.flows:
                    self.edge(f, target, scope)
        for f in p.functions.values():
            ret = f"r:{f.key}"
            self.node_scope[ret] = f.key
            for param in f.params:
                self.node_scope[param.node] = f.key
            for flow in f.returns:
                self.edge(flow, ret, f.key)
        for module in p.modules.values():
            for name, nodes in module.module_defs:
                for node in nodes:
                    self.graph.add_edge(node, f"g:{module.module}:{name}", kind="flow", effects=(), attr="", line=0, module=module.module)
        for node in [n for n in self.graph.nodes if n.startswith("g:")]:
            _, module, name = node.split(":", 2)
            entity = p.resolve_name(module, name)
            for target in entity.nodes:
                if target.startswith("n:") and not target.startswith(f"n:{module}::<module>::{name}#"):
                    self.graph.add_edge(target, node, kind="flow", effects=(), attr="", line=0, module=module)
                elif target.startswith("a:"):
                    self.graph.add_edge(target, node, kind="flow", effects=(), attr="", line=0, module=module)
            if entity.kind == "value" and entity.nodes:
                owner = entity.nodes[0].split("::")[0][2:]
                if owner != module:
                    self.graph.add_edge(f"g:{owner}:{name}", node, kind="flow", effects=(), attr="", line=0, module=module)
        for f in p.functions.values():
            if f.class_name and any(d.split(".")[-1] in ("property", "cached_property") for d in f.decorators):
                module = f.key.split("::")[0]
                self.graph.add_edge(f"r:{f.key}", f"a:{module}:{f.class_name}:{f.name}", kind="flow",
                                    effects=(), attr="", line=f.loc.line, module=module)
        for node in [n for n in self.graph.nodes if n.startswith("a:")]:
            for related in p.attr_nodes(node):
                self.graph.add_edge(related, node, kind="flow", effects=(), attr="", line=0, module=node.split(":")[1])
        for call in p.calls.values():
            self.node_scope[call.id] = call.scope
            self.call_edges(call, self.resolutions[call.id])
        self.tool_sources()
        self.graph_node_returns()
        self.add_summaries()
        return self

    # ------------------------------------------------------------ graph builders
    def graph_node_returns(self) -> None:
        """`builder.add_node("plan", plan)` ... `builder.compile().invoke(...)`: what the node
        functions return reaches the result of running the graph."""
        p = self.project
        if not self.catalog.graph_builders:
            return
        registered: dict[str, set[str]] = {}
        runs: list[Call] = []
        for call in p.calls.values():
            paths = self.resolutions[call.id].paths
            for register, run in self.catalog.graph_builders:
                if any(register.matches(x) for x in paths) and call.args:
                    node_fn = [a for a in call.args if a.index is not None or a.keyword == "action"][-1]
                    keys = {k for path in p.flow_paths(node_fn.flows) if (e := p.path_entity(path))
                            for k in p.function_keys(e)}
                    for r in call.receiver:
                        if r.alias == "":
                            registered.setdefault(r.src, set()).update(keys)
                elif any(run.matches(x) for x in paths):
                    runs.append(call)
        for call in runs:
            for builder in self.builders_of(call):
                for key in sorted(registered.get(builder, ())):
                    self.graph.add_edge(f"r:{key}", call.id, kind="return", effects=(), attr="",
                                        line=call.loc.line, module=self.module_of(call.scope))

    def builders_of(self, call: Call) -> set[str]:
        """Objects on the receiver chain of ``call`` (`app` <- `builder.compile()` <- `builder`)."""
        p = self.project
        todo = [f.src for f in call.receiver if f.alias == ""]
        found: set[str] = set()
        for _ in range(4):
            found.update(todo)
            nxt = []
            for node in todo:
                if node in p.defs:
                    nxt.extend(f.src for f in p.defs[node].flows if f.alias == "")
                elif node in p.calls:
                    nxt.extend(f.src for f in p.calls[node].receiver if f.alias == "")
            todo = nxt
        return found

    # ------------------------------------------------------------ tool entry points
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

    def scope_of(self, flows) -> str:
        for f in flows:
            scope = self.node_scope.get(f.src)
            if scope:
                return scope
        return ""

    def module_of(self, scope: str) -> str:
        return scope.split("::")[0]

    def edge(self, flow: Flow, target: str, scope: str, kind: str = "flow", extra: tuple[Tag, ...] = ()) -> None:
        effects = self.guard_effects(flow.guards, scope) + extra
        self.graph.add_edge(flow.src, target, kind=kind, effects=tuple(dict.fromkeys(effects)),
                            attr=flow.attr, line=flow.line, module=self.module_of(scope))

    # ------------------------------------------------------------ resolution
    def resolve(self, call: Call) -> Resolution:
        """What a call is: a proposer, verifier, parser or sink from the catalog (in that order of
        precedence), or calls of project functions and constructors."""
        p, catalog = self.project, self.catalog
        paths = sorted(p.callee_paths(call))
        direct = self.method_targets(call, paths)
        if direct is not None:
            return Resolution(tuple(paths), functions=tuple(direct))
        suffix_paths = [path + p.call_suffix(call) for path in paths]
        scope_name = call.scope.split("::", 1)[-1]
        for path in paths + suffix_paths:
            proposer = catalog.proposer(path)
            if proposer and proposer.applies_in(scope_name):
                return Resolution(tuple(paths), proposer=(proposer.label, path))
        # A receiver we cannot resolve (`TOOL_ARGS[name].model_validate_json(...)`) still has a
        # method name, which is enough for verifiers and parsers (never for sinks or proposers).
        checked = paths or ([f"?.{call.method}"] if call.callee_kind == "attr" else [])
        for path in checked:
            verifiers = catalog.verifiers_for(path)
            verifiers = [v for v in verifiers if v.when_kwarg is None or any(
                a.keyword == v.when_kwarg[0] and (a.dotted or a.literal) == v.when_kwarg[1] for a in call.args)]
            if verifiers:
                v = verifiers[-1] if any(x.returns == "guard" for x in verifiers[1:]) else verifiers[0]
                schema = ""
                if v.schema_from == "receiver":
                    schema = self.schema_of_receiver(call)
                return Resolution(tuple(paths), verifier=(v.kind, v.returns, path, schema))
            if catalog.is_parser(path):
                return Resolution(tuple(paths), parser=True)
            if catalog.is_sandboxed(path):
                return Resolution(tuple(paths), sandboxed=True)
        sinks = []
        for path in paths:
            for sink in catalog.sinks_for(path):
                if self.sink_applies(sink, call):
                    sinks.append((sink, path))
        if sinks:
            return Resolution(tuple(paths), sinks=tuple(sinks))
        functions, constructor = self.project_targets(call, paths)
        return Resolution(tuple(paths), functions=tuple(functions), constructor=constructor)

    def method_targets(self, call: Call, paths: list[str]) -> list[str] | None:
        """`self.method(...)` (with overrides) and `super().method(...)`."""
        p = self.project
        if call.callee_kind != "attr":
            return None
        first = call.func_flows[0] if call.func_flows else None
        if first is not None and first.src.startswith("a:") and first.alias == "":
            targets = p.dispatch_targets(":".join(first.src.split(":")[1:3]), call.method)
            if targets:
                return targets
        if any(path.startswith("builtins.super().") for path in paths):
            target = p.super_method(call.scope, call.method)
            if target:
                return [target]
        return None

    def project_targets(self, call: Call, paths: list[str]) -> tuple[list[str], str | None]:
        """The project functions (or the class constructed) a call can run, by its callee paths."""
        p = self.project
        direct = self.method_targets(call, paths)
        if direct is not None:
            return direct, None
        functions: list[str] = []
        constructor = None
        for path in paths:
            entity = p.path_entity(path)
            if entity is None:
                continue
            if entity.kind in ("func", "method"):
                functions.extend(k for k in p.function_keys(entity) if k not in functions)
            elif entity.kind == "class":
                constructor = entity.key
            elif entity.kind == "instance":
                # Calling an object runs its `__call__`; DSPy and torch modules route that to `forward`.
                for name in INSTANCE_CALL_METHODS:
                    targets = p.dispatch_targets(entity.key, name)
                    if targets:
                        functions.extend(k for k in targets if k not in functions)
                        break
        if call.selector is not None:
            functions.extend(k for k in self.table_functions(call) if k not in functions)
        return functions, constructor

    def table_functions(self, call: Call) -> list[str]:
        """Project functions a dispatch can reach through a fixed dict of tools."""
        p = self.project
        found: list[str] = []
        todo = [f.src for f in call.func_flows]
        seen: set[str] = set()
        while todo and len(seen) < 64:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            if node.startswith("n:") and node in p.defs:
                d = p.defs[node]
                if d.literal_kind == "dict":
                    found.extend(self.functions_named(f.src) for f in d.flows)
                else:
                    todo.extend(f.src for f in d.flows)
            elif node.startswith("c:") and node in p.calls and p.calls[node].method == "get":
                todo.extend(f.src for f in p.calls[node].receiver)
            elif node.startswith("c:") and node in p.calls:
                found.extend(self.getattr_self_methods(p.calls[node]))
            elif node.startswith("g:"):
                _, module, name = node.split(":", 2)
                todo.extend(p.resolve_name(module, name).nodes)
            elif node.startswith("a:"):
                for store in p.stores.get(node, ()):
                    if store.literal_kind == "dict":
                        found.extend(self.functions_named(f.src) for f in store.flows)
        return sorted({k for k in found if k})

    def getattr_self_methods(self, call: Call) -> list[str]:
        """``getattr(self, name)``: the model can pick any public method of the class."""
        p = self.project
        if "builtins.getattr" not in p.callee_paths(call) or not call.args:
            return []
        function = p.functions.get(call.scope)
        if function is None or not function.class_name or not function.params:
            return []
        if not any(f.src == function.params[0].node for f in call.args[0].flows):
            return []
        class_key = f"{call.scope.split('::')[0]}:{function.class_name}"
        names = {name for k in p.mro(class_key) + sorted(p.subclasses(class_key)) for name in p.methods.get(k, {})}
        return [t for name in sorted(names) if not name.startswith("_") for t in p.dispatch_targets(class_key, name)]

    def functions_named(self, node: str) -> str:
        p = self.project
        if node.startswith("n:") and node in p.defs:
            binds = p.defs[node].binds
            return binds[5:] if binds.startswith("func:") else ""
        if node.startswith("g:"):
            _, module, name = node.split(":", 2)
            entity = p.resolve_name(module, name)
            return entity.key if entity.kind == "func" else ""
        if node.startswith("a:"):
            _, module, qual, attr = node.split(":", 3)
            return p.method(f"{module}:{qual}", attr) or ""
        return ""

    def schema_of_receiver(self, call: Call) -> str:
        for path in self.project.flow_paths(call.receiver):
            entity = self.project.path_entity(path)
            if entity is not None and entity.kind == "class":
                return entity.key
        return ""

    @staticmethod
    def arg_text(call: Call, index: int | None, keyword: str | None) -> str | None:
        for a in call.args:
            if (index is not None and a.index == index) or (keyword and a.keyword == keyword):
                return a.literal if a.literal is not None else (a.dotted or "?")
        return None

    def sink_applies(self, sink: Sink, call: Call) -> bool:
        if sink.when_arg:
            c = sink.when_arg
            text = self.arg_text(call, c.index, c.keyword)
            text = c.default if text is None else text
            if text is None or not any(x in text for x in c.contains):
                return False
        if sink.unless_arg:
            c = sink.unless_arg
            text = self.arg_text(call, c.index, c.keyword)
            if text is not None and any(x in text for x in c.contains):
                return False
        return True

    # ------------------------------------------------------------ guards
    def guard_effects(self, guards: tuple[Guard, ...], scope: str) -> tuple[Tag, ...]:
        if not guards:
            return ()
        key = (guards, scope)
        cached = self._guard_memo.get(key)
        if cached is None:
            cached = self._guard_memo[key] = self._guard_effects(guards, scope)
        return cached

    def _guard_effects(self, guards: tuple[Guard, ...], scope: str) -> tuple[Tag, ...]:
        path = self.project.modules[self.module_of(scope)].path if self.module_of(scope) in self.project.modules else ""
        out: list[Tag] = []
        for g in guards:
            where = f"{path}:{g.line}"
            if g.kind in ("allowlist", "fullmatch", "type", "policy", "host-fixed"):
                # A membership test remembers its container: an allow-list built from model output
                # is no allow-list (checked once propagation knows what is tainted).
                out.append((g.kind, where, "in:" + ",".join(g.container) if g.container else ""))
            elif g.kind == "mapping":
                if self.is_fixed_mapping(g.mapping, scope):
                    out.append(("allowlist", where, g.mapping))
            elif g.kind == "call":
                out.extend(self.call_guard_effects(g, where))
        return tuple(out)

    def call_guard_effects(self, guard: Guard, where: str) -> list[Tag]:
        """What a call used as a check proves: a verifier kind, or a marker explaining why not."""
        call = self.project.calls.get(guard.call)
        if call is None:
            return []
        call = self.checking_call(call)
        res = self.resolutions.get(call.id) or self.resolve(call)
        if res.verifier:
            kind, returns, path, _ = res.verifier
            used_as_check = guard.predicate if returns == "predicate" else returns == "guard" or not call.discarded
            if not used_as_check:
                return [("discarded", where, path)] if guard.keyed or kind == "human" else []
            return [(kind, where, path)] if kind == "human" or guard.keyed else []
        if not guard.keyed:
            return []
        if res.constructor and call.discarded and (self.project.is_enum(res.constructor) or self.project.is_pydantic(res.constructor)):
            return [("discarded", where, res.constructor.replace(":", "."))]
        for key in res.functions:
            f = self.project.functions[key]
            if f.can_reject or (guard.predicate and f.is_predicate):
                return [("custom", where, f.qualname)]
            if f.is_predicate:
                return [("discarded", where, f.qualname)]
            if self.catalog.verifier_name.search(f.name):
                return [("name-only", where, f.qualname)]
        return []

    def name_only(self, key: str) -> tuple[Tag, ...]:
        """A function named like a verifier (`sanitize_sql`) whose body cannot reject."""
        f = self.project.functions[key]
        if f.can_reject or f.is_predicate or not self.catalog.verifier_name.search(f.name):
            return ()
        path = self.project.modules[key.split("::")[0]].path
        return (("name-only", f"{path}:{f.loc.line}", f.qualname),)

    def checking_call(self, call: Call, depth: int = 0) -> Call:
        """`input(...).strip().lower()`, or `answer.lower()` after `answer = input(...)`: the call that
        carries the check is the innermost one on the receiver chain."""
        res = self.resolutions.get(call.id) or self.resolve(call)
        if res.verifier or res.functions or res.constructor or depth > 4:
            return call
        p = self.project
        for flow in call.receiver:
            if flow.alias is None:
                continue
            inner = [flow.src] if flow.src.startswith("c:") else [
                f.src for f in getattr(p.defs.get(flow.src), "flows", ()) if f.alias == "" and f.src.startswith("c:")]
            for src in inner:
                found = self.checking_call(p.calls[src], depth + 1) if src in p.calls else None
                if found is not None and (self.resolutions.get(found.id) or self.resolve(found)).verifier:
                    return found
        return call

    def is_fixed_mapping(self, mapping: str, scope: str) -> bool:
        p = self.project
        module = self.module_of(scope)
        head, _, rest = mapping.partition(".")
        candidates: list[tuple[str, str]] = []    # (literal kind, node)
        if head in ("self", "cls") and rest and "." not in rest and "::" in scope:
            qual = scope.split("::", 1)[1].rpartition(".")[0]
            stores = p.stores.get(f"a:{module}:{qual}:{rest}", [])
            candidates = [(s.literal_kind, s.target) for s in stores]
        elif not rest:
            local = p.defs_named.get((scope, head), [])
            if local:
                candidates = [(d.literal_kind, d.node) for d in local]
            else:
                entity = p.resolve_name(module, head)
                candidates = [(p.defs[n].literal_kind, n) for n in entity.nodes if n in p.defs]
        return bool(candidates) and all(kind == "dict" for kind, _ in candidates)

    # ------------------------------------------------------------ call edges
    def call_edges(self, call: Call, res: Resolution) -> None:
        p = self.project
        scope = call.scope
        module = p.call_module[call.id]
        arg_flows = [f for a in call.args for f in a.flows]
        if res.proposer:
            label, path = res.proposer
            self.sources[call.id] = Source(call.id, label, display_path(path), module.path, call.loc.line, self.source_effects(call, res))
            return
        if res.verifier:
            kind, returns, path, schema = res.verifier
            if returns == "value":
                tag = (kind, f"{module.path}:{call.loc.line}", schema)
                checked = [f for a in call.args[:1] for f in a.flows] if call.args else list(call.receiver)
                for f in checked:
                    self.edge(f, call.id, scope, extra=(tag,))
            else:
                for f in arg_flows:
                    self.edge(f, call.id, scope)
            return
        if res.parser:
            tag = ("parse", f"{module.path}:{call.loc.line}", "")
            for f in arg_flows + [r for r in call.receiver if r.alias is None]:
                self.edge(f, call.id, scope, extra=(tag,))
            return
        if res.sandboxed:
            return
        if res.sinks:
            for sink, path in res.sinks:
                self.sink_edges(call, sink, path, scope)
            return
        if res.functions:
            for key in res.functions:
                self.bind(call, key, skip_self=self.is_bound_method(call, key))
        if res.constructor:
            self.constructor_edges(call, res.constructor, scope)
            return
        if call.selector is not None:
            self.dispatch_sinks(call, scope)
        if res.functions:
            return
        if call.method in self.catalog.mutators:
            for target in call.receiver:
                if target.alias is not None:
                    for f in arg_flows:
                        self.edge(f, target.src, scope)
        if any(pt.matches(path) for path in res.paths for pt in self.catalog.callback_runners):
            self.callback_returns(call)
        if any(pt.matches(path) for path in res.paths for pt in self.catalog.opaque_calls):
            return   # `len(x)`, `type(x)`: nothing of the model's text survives
        if call.is_lookup:
            # `d.get(k, default)` / `getattr(o, n, default)`: the result comes from the container or
            # the default, not from the key.
            key_index = 1 if call.callee_kind == "name" else 0
            arg_flows = [f for a in call.args if a.index != key_index for f in a.flows]
        for f in arg_flows:
            self.edge(f, call.id, scope)
        for f in call.receiver:
            self.edge(f, call.id, scope)

    def callback_returns(self, call: Call) -> None:
        """`to_thread(ask, q)`: the result is what the function handed over returns."""
        p = self.project
        for a in call.args:
            for f in a.flows:
                if f.alias != "":
                    continue
                for path in p.paths(f.src):
                    entity = p.path_entity(path)
                    for key in p.function_keys(entity) if entity else ():
                        self.graph.add_edge(f"r:{key}", call.id, kind="return", effects=(), attr="",
                                            line=call.loc.line, module=self.module_of(call.scope))

    def source_effects(self, call: Call, res: Resolution) -> tuple[Tag, ...]:
        """Client-side validation into a pydantic model makes the output schema-verified."""
        p = self.project
        label, path = res.proposer
        proposer = next(x for x in self.catalog.proposers if x.label == label and any(pt.matches(path) for pt in x.patterns))
        module = p.call_module[call.id]
        where = f"{module.path}:{call.loc.line}"
        for a in call.args:
            if a.keyword in proposer.schema_args and a.dotted:
                entity = p.resolve_dotted(module.module, a.dotted)
                if entity.kind == "class" and p.is_pydantic(entity.key):
                    return (("schema", where, entity.key),)
        # An LCEL chain `prompt | llm | PydanticOutputParser(...)` validates what it returns.
        for candidate in res.paths:
            if any(v.kind == "schema" and v.returns == "value" for v in self.catalog.verifiers_for(candidate)):
                return (("schema", where, ""),)
        for segment in proposer.schema_segments:
            marker = f".{segment}(@"
            for candidate in res.paths:
                if marker in candidate:
                    ref = candidate.split(marker, 1)[1].split(")", 1)[0]
                    key = p.schema_class(ref)
                    if key and p.is_pydantic(key):
                        return (("schema", where, key),)
        return ()

    def is_bound_method(self, call: Call, key: str) -> bool:
        f = self.project.functions[key]
        # `obj.method(...)`, and methods reached by a lookup (`getattr(self, name)`, `{"a": self.a}`),
        # are bound: the first parameter is not an argument.
        return bool(f.class_name) and not f.is_static and (call.callee_kind == "attr" or call.selector is not None)

    def param_targets(self, call: Call, key: str, skip_self: bool):
        """(argument flow, parameter node) pairs for a call of function ``key``."""
        f = self.project.functions[key]
        params = list(f.params[1:] if skip_self else f.params)
        by_name = {prm.name: prm for prm in params}
        star = next((prm for prm in params if prm.star == "*"), None)
        double = next((prm for prm in params if prm.star == "**"), None)
        positional = [prm for prm in params if not prm.star]
        explicit = 0   # positional arguments already bound when a `*args` or `**kwargs` is met
        for a in call.args:
            if a.star == "**":
                targets = [prm for prm in params[explicit:] if prm.star != "*"]
            elif a.star == "*":
                targets = positional[explicit:] + [star]
            elif a.keyword:
                targets = [by_name.get(a.keyword, double)]
            elif a.index is not None:
                explicit = a.index + 1
                targets = [positional[a.index]] if a.index < len(positional) else [star]
            else:
                targets = []
            for prm in targets:
                if prm is not None:
                    for flow in a.flows:
                        yield flow, prm.node

    def bind(self, call: Call, key: str, skip_self: bool) -> None:
        for flow, param in self.param_targets(call, key, skip_self):
            self.edge(flow, param, call.scope, kind="call")
            self.bindings.append((call, key, flow, param))
        self.graph.add_edge(f"r:{key}", call.id, kind="return", effects=(), attr="", line=call.loc.line,
                            module=self.module_of(call.scope))

    def constructor_edges(self, call: Call, class_key: str, scope: str) -> None:
        p = self.project
        module = p.call_module[call.id]
        where = f"{module.path}:{call.loc.line}"
        if p.is_enum(class_key):
            tag: Tag | None = ("enum", where, class_key)
        elif p.is_pydantic(class_key):
            tag = ("schema", where, class_key)
        else:
            tag = None
        init = p.init_of(class_key)
        if init:
            self.bind(call, init, skip_self=True)
            self.graph.remove_edge(f"r:{init}", call.id)
        for a in call.args:
            for f in a.flows:
                self.edge(f, call.id, scope, extra=(tag,) if tag else ())

    def sink_edges(self, call: Call, sink: Sink, path: str, scope: str) -> None:
        query = self.arg_text(call, 0, None) or ""
        for index, a in enumerate(call.args):
            category = sink.category
            if sink.bound_args and self.arg_matches(a, sink.bound_args):
                if not any(query.lstrip().upper().startswith(v) for v in sink.write_verbs):
                    continue
                category = sink.bound_category
            elif sink.args and not self.arg_matches(a, sink.args):
                continue
            node = f"{call.id}:{category}:{index}"
            for f in a.flows:
                self.edge(f, node, scope)
            self.sinks.append(SinkSite(node, call, category, display_path(path), "value", a.keys,
                                       sink.extra_adequate, sink.not_adequate))
        if sink.category == "file" and not sink.args and call.receiver:
            # `Path(model_path).unlink()`: the receiver is the path being written.
            node = f"{call.id}:{sink.category}:receiver"
            for f in call.receiver:
                self.edge(f, node, scope)
            self.sinks.append(SinkSite(node, call, sink.category, display_path(path), "value", ()))

    @staticmethod
    def arg_matches(arg: Arg, names: tuple[str, ...]) -> bool:
        if arg.star:
            return True
        return (arg.index is not None and str(arg.index) in names) or (arg.keyword is not None and arg.keyword in names)

    def dispatch_sinks(self, call: Call, scope: str) -> None:
        """SDB107 at a dispatch site: the key that picks the callable, and the arguments it gets."""
        node = f"{call.id}:dispatch:callee"
        for f in call.selector or ():
            self.edge(f, node, scope)
        self.sinks.append(SinkSite(node, call, "dispatch", call.callee_text, "callee", ()))
        args_node = f"{call.id}:dispatch:arguments"
        for a in call.args:
            for f in a.flows:
                self.edge(f, args_node, scope)
        self.sinks.append(SinkSite(args_node, call, "dispatch", call.callee_text, "arguments",
                                   tuple(k for a in call.args for k in a.keys)))

    # ------------------------------------------------------------ summaries
    def add_summaries(self) -> None:
        """Argument -> result edges through functions that return (part of) a parameter.

        Rounds repeat until no summary is new; a function is re-examined only when a
        summary edge was added inside it in the previous round.
        """
        from .propagate import reachable_effects

        done: set[tuple[str, str, tuple]] = set()
        cache: dict[str, list[tuple[Tag, ...]]] = {}
        dirty: set[str] | None = None
        for _ in range(SUMMARY_ROUNDS):
            changed: set[str] = set()
            fresh: set[str] = set()
            for call, key, flow, param in self.bindings:
                if param not in cache or (dirty is not None and key in dirty and param not in fresh):
                    cache[param] = reachable_effects(self, param, f"r:{key}", key)
                    fresh.add(param)
                for effects in cache[param]:
                    effects = effects + self.name_only(key)
                    marker = (call.id, flow.src, effects)
                    if marker in done:
                        continue
                    done.add(marker)
                    changed.add(call.scope)
                    self.edge(flow, call.id, call.scope, kind="summary", extra=effects)
            if not changed:
                break
            dirty = changed
