"""Edges: how each resolved call moves values (into parameters, results, sinks, receivers)."""
from __future__ import annotations

from dataclasses import replace

from ..facts import Arg, Call, Flow
from ..kinds import Marker, VerifierKind
from ..limits import MAX_FORWARDING_DEPTH
from ..nodes import NodeKind, kind_of, ref, return_node, sink_node
from ..project import display_path
from .partials import shifted
from .types import Edge, EdgeKind, Effect, FieldRead, Origin, Resolution, SinkRole, SinkSite, Source

# The sink category of dispatch sites: the one category the graph makes, not the catalog.
DISPATCH = "dispatch"


class Edges:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def scope_of(self, flows) -> str:
        for f in flows:
            scope = self.node_scope.get(f.src)
            if scope:
                return scope
        return ""

    def edge(self, flow: Flow, target: str, scope: str, kind: EdgeKind = EdgeKind.FLOW,
             extra: tuple[Effect, ...] = (), store: str = "") -> None:
        """``flow`` into ``target`` (into its field ``store``, if given)."""
        if flow.attr and not flow.attr.startswith("[") and self.object_field_edges(flow, target, scope, kind, extra, store):
            return   # `Edge(fact=text).uuid`: only what this object's constructor put in that attribute
        fields = self.field_flows(flow) if flow.attr.startswith("[") and flow.src not in self._reading_fields else None
        if fields is not None:
            # `d = self._prepare(q); d["url"]`: only that field of the dict the function returns. What
            # the function makes itself leaves it as a return does, to every caller; what a caller
            # handed in comes back only through that call's own summary (Summaries.add_summaries).
            self._reading_fields.add(flow.src)
            out = EdgeKind.RETURN if kind is EdgeKind.FLOW else kind
            for f in fields:
                self.edge(replace(f, guards=f.guards + flow.guards), target, scope, out, extra, store)
            self._reading_fields.discard(flow.src)
            if kind is EdgeKind.FLOW:
                key, call_id, _ = self.field_read(flow)
                self.field_reads.setdefault(call_id, []).append(FieldRead(key, target, scope, extra, store, flow.guards))
            return
        effects = self.guard_effects(flow.guards, scope) + extra
        if len(effects) > 1:
            effects = tuple(dict.fromkeys(effects))
        whole = bool(flow.attr) and self.reads_property(flow.src, flow.attr.split(".", 1)[0])
        self.graph.add_edge(flow.src, target, edge=self.edge_data(kind, effects, flow.attr, store, whole))

    def field_flows(self, flow: Flow) -> tuple[Flow, ...] | None:
        """What flows into field `[key]` of the value ``flow`` reads, when that value is the result
        of project functions that all return dicts with constant keys; None otherwise."""
        key, _, functions = self.field_read(flow)
        if not functions or any(f.returned_fields is None for f in functions):
            return None
        return tuple(fl for f in functions for k, flows in f.returned_fields if k == key for fl in flows)

    def field_read(self, flow: Flow):
        """For `d["key"]` off `d = f(...)` (`n` of `a, n = f()`): the key, the call's node, and the
        functions `f` can be."""
        p = self.project
        key = flow.attr[1:flow.attr.index("]")]
        d = p.defs.get(flow.src)
        source = d.flows[0].src if d is not None and len(d.flows) == 1 and d.flows[0].alias == "" else flow.src
        res = self.resolutions.get(source)
        return key, source, [p.functions[k] for k in res.functions] if res else []

    def field_text(self, arg: Arg) -> str:
        """The constant text of `d["url"]` when ``d`` is a dict a project function returns."""
        for flow in arg.flows:
            if not flow.attr.startswith("["):
                continue
            key, _, functions = self.field_read(flow)
            texts = [dict(f.returned_texts).get(key) for f in functions]
            if texts and all(texts):
                return texts[0] if len(set(texts)) == 1 else ""
        return ""

    def add(self, source: str, target: str, kind: EdgeKind = EdgeKind.FLOW) -> None:
        self.graph.add_edge(source, target, edge=self.edge_data(kind))

    def edge_data(self, kind: EdgeKind, effects: tuple[Effect, ...] = (), attr: str = "", store: str = "",
                  whole: bool = False) -> Edge:
        key = (kind, effects, attr, store, whole)
        found = self._edges.get(key)
        if found is None:
            found = self._edges[key] = Edge(kind, effects, attr, store, whole)
        return found

    def reads_property(self, node: str, attr: str) -> bool:
        """Does reading ``attr`` off value ``node`` run a property of a project class it may be an
        instance of (so that every field of the object may be read)?"""
        if attr not in self.properties:
            return False
        p = self.project
        return any(p.is_property(p.functions[method]) for a in p.instance_attr_nodes(node, attr)
                   for method in [p.method(ref(a).class_key, attr)] if method)

    def returns_to(self, function_key: str, call: Call) -> None:
        """What function ``function_key`` returns is the result of ``call``."""
        self.add(return_node(function_key), call.id, EdgeKind.RETURN)

    def call_edges(self, call: Call, res: Resolution) -> None:
        p = self.project
        scope = call.scope
        module = p.call_module[call.id]
        arg_flows = [f for a in call.args for f in a.flows]
        self.code_agent_edges(call, res.paths)
        if res.proposer:
            self.sources[call.id] = Source(call.id, res.proposer.label, display_path(res.proposer.path), module.path,
                                           call.loc.line, self.source_effects(call, res), Origin.MODEL)
            self.callback_edges(call, res)
            if not res.sinks:
                return
        if res.verifier:
            if res.verifier.returns == "value":
                tag = Effect(res.verifier.kind, f"{module.path}:{call.loc.line}", res.verifier.schema)
                checked = [f for a in call.args[:1] for f in a.flows] if call.args else list(call.receiver)
                for f in checked:
                    self.edge(f, call.id, scope, extra=(tag,))
            else:
                for f in arg_flows:
                    self.edge(f, call.id, scope)
            return
        if res.parser:
            tag = Effect(Marker.PARSE, f"{module.path}:{call.loc.line}")
            for f in arg_flows + [r for r in call.receiver if r.alias is None]:
                self.edge(f, call.id, scope, extra=(tag,))
            return
        if res.sandboxed:
            return
        targets = res.recorder.target_args if res.recorder else None
        if res.functions and all(self.model_class_around(key)[1] for key in res.functions):
            targets = ()   # a prompt handed to a model class's completion method is a model call, not an action
        if res.sinks:
            for sink, path in res.sinks:
                self.sink_edges(call, sink, path, scope, targets)
            self.bind_all(call, res.implemented_by, targets)
            return
        self.bind_all(call, res.functions, targets)
        if res.recorder and res.recorder.selects:
            return   # a retrieval: what a model-written query selects is not model output
        if res.constructor:
            self.constructor_edges(call, res.constructor, scope)
            return
        if call.selector is not None:
            self.dispatch_sinks(call, scope)
        if res.functions:
            return
        if self.catalog.mutates(call.method, res.paths):
            for target in call.receiver:
                if target.alias is not None:
                    for f in arg_flows:
                        self.edge(f, target.src, scope)
        if any(pt.matches(path) for path in res.paths for pt in self.catalog.callback_runners):
            self.callback_returns(call)
        if self.project.is_partial(call):
            self.partial_edges(call)
        if any(pt.matches(path) for path in res.paths for pt in self.catalog.opaque_calls):
            return   # `len(x)`, `type(x)`: nothing of the model's text survives
        if any(pt.matches(path) for path in res.paths for pt in self.catalog.serialisers):
            # `json.dumps(state)`: a document that holds the value, a record of it.
            tag = Effect(VerifierKind.SERIALISED, f"{module.path}:{call.loc.line}")
            for f in arg_flows + [r for r in call.receiver if r.alias is None]:
                self.edge(f, call.id, scope, extra=(tag,))
            return
        if call.is_lookup:
            # `d.get(k, default)` / `getattr(o, n, default)`: the result comes from the container or
            # the default, not from the key.
            key_index = 1 if call.callee_kind == "name" else 0
            arg_flows = [f for a in call.args if a.index != key_index for f in a.flows]
        deletion = self.deletion_effect(call, res)
        for f in arg_flows:
            self.edge(f, call.id, scope, extra=deletion if call.removed_pattern else ())
        # `kwargs.get("config")` reads that key of the dict, as `kwargs["config"]` does.
        key = f"[{call.first_literal}]" if call.is_lookup and call.callee_kind == "attr" and call.first_literal else ""
        for f in call.receiver:
            read = replace(f, attr=f"{f.attr}.{key}" if f.attr else key) if key else f
            self.edge(read, call.id, scope, extra=deletion if call.removed else ())

    def bind_all(self, call: Call, keys: tuple[str, ...], targets) -> None:
        """The call's arguments into the parameters of each project function it runs."""
        if not keys:
            return
        bound = self.project.partial_bound(call.func_flows)
        for key in keys:
            # A partial of a method (`partial(self.run, a)`) holds the method bound to its object.
            self.bind(shifted(call, bound) if bound else call, key, targets=targets,
                      skip_self=self.is_bound_method(call, key) or (bound is not None and self.is_bound(key)))

    def deletion_effect(self, call: Call, res: Resolution) -> tuple[Effect, ...]:
        """`x.replace("/", "")`, `re.sub(r"[^\\w.-]", "", x)`: the characters deleted from the value."""
        deleted = call.removed
        if call.removed_pattern and any(pt.matches(path) for path in res.paths for pt in self.catalog.strip_pattern_calls):
            deleted = self.catalog.deleted_by_pattern(call.removed_pattern)
        if not deleted:
            return ()
        return (Effect(Marker.DELETED, f"{self.project.call_module[call.id].path}:{call.loc.line}", deleted),)

    def callback_returns(self, call: Call) -> None:
        """`to_thread(ask, q)`: the result is what the function handed over returns."""
        for a in call.args:
            for key in self.functions_of(a.flows):
                self.returns_to(key, call)

    def source_effects(self, call: Call, res: Resolution) -> tuple[Effect, ...]:
        """Client-side validation into a pydantic model makes the output schema-verified."""
        p = self.project
        label, path = res.proposer.label, res.proposer.path
        proposer = next((x for x in self.catalog.proposers if x.label == label and any(pt.matches(path) for pt in x.patterns)), None)
        if proposer is None:   # a model server's answer inside a model class: nothing validates it
            return ()
        module = p.call_module[call.id]
        where = f"{module.path}:{call.loc.line}"
        for a in call.args:
            if a.keyword in proposer.schema_args and a.dotted:
                entity = p.resolve_dotted(module.module, a.dotted)
                if entity.kind == "class" and p.is_pydantic(entity.key):
                    return (Effect(VerifierKind.SCHEMA, where, entity.key),)
        # An LCEL chain `prompt | llm | PydanticOutputParser(...)` validates what it returns.
        for candidate in res.paths:
            if any(v.kind is VerifierKind.SCHEMA and v.returns == "value" for v in self.catalog.verifiers_for(candidate)):
                return (Effect(VerifierKind.SCHEMA, where),)
        for segment in proposer.schema_segments:
            marker = f".{segment}(@"
            for candidate in res.paths:
                if marker in candidate:
                    key = p.schema_class(candidate.split(marker, 1)[1].split(")", 1)[0])
                    if key and p.is_pydantic(key):
                        return (Effect(VerifierKind.SCHEMA, where, key),)
        return ()

    def is_bound_method(self, call: Call, key: str) -> bool:
        f = self.project.functions[key]
        # `obj.method(...)`, methods reached by a lookup (`getattr(self, name)`, `{"a": self.a}`) and a
        # local that holds a method read off an object (`run = self.run; run(x)`) are bound: the first
        # parameter is not an argument.
        return bool(f.class_name) and not f.is_static and (
            call.callee_kind == "attr" or call.selector is not None or self.holds_method_read(call))

    def holds_method_read(self, call: Call) -> bool:
        """Is ``call``'s callee a local name that holds only attributes read off objects?"""
        p = self.project
        defs = [p.defs.get(f.src) for f in call.func_flows]
        return bool(defs) and all(d is not None and d.flows and all(
            kind_of(g.src) is NodeKind.ATTR or (g.alias or "").startswith(".") for g in d.flows) for d in defs)

    def param_targets(self, call: Call, key: str, skip_self: bool, only: frozenset[int] | None = None):
        """(argument flow, parameter node, field) for a call of function ``key`` (of the arguments at
        the positions ``only`` in ``call.args``, if given). A keyword that lands in `**kwargs` is that
        key of it (field `[name]`); a named parameter bound from `**kwargs` reads that key of it."""
        f = self.project.functions[key]
        params = list(f.params[1:] if skip_self else f.params)
        by_name = {prm.name: prm for prm in params}
        star = next((prm for prm in params if prm.star == "*"), None)
        double = next((prm for prm in params if prm.star == "**"), None)
        positional = [prm for prm in params if not prm.star]
        explicit = 0   # positional arguments already bound when a `*args` or `**kwargs` is met
        for position, a in enumerate(call.args):
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
            if only is not None and position not in only:
                continue
            dumped = self.project.dumped_model(a) if a.star == "**" else ()
            for prm in targets:
                if prm is None:
                    continue
                if a.star == "**" and not prm.star:
                    flows = [replace(f, alias=f".{prm.name}", attr=prm.name) for f in dumped] if dumped else [
                        replace(f, alias=None if f.alias is None else f"{f.alias}.[]",
                                attr=f"{f.attr}.[{prm.name}]" if f.attr else f"[{prm.name}]") for f in a.flows]
                else:
                    flows = a.flows
                field = f"[{a.keyword}]" if a.keyword and prm.star == "**" else ""
                for flow in flows:
                    yield flow, prm.node, field

    def bind(self, call: Call, key: str, skip_self: bool, targets: tuple[str, ...] | None = None, depth: int = 0,
             written: Call | None = None) -> None:
        """Arguments into parameters (of a recorder, only the ``targets``: the content is a record);
        at ``depth`` 0 a call as written, deeper the call a forwarding function makes for the call
        ``written`` in the code (the one an explanation shows)."""
        only = None if targets is None else frozenset(i for i, a in enumerate(call.args) if self.arg_matches(a, targets))
        if depth == 0 and self.forwards:
            only = frozenset(i for i, a in enumerate(call.args)
                             if (only is None or i in only) and not self.skips_at_forwarder(call, a))
        for flow, param, field in self.param_targets(call, key, skip_self, only):
            self.edge(flow, param, call.scope, kind=EdgeKind.CALL, store=field)
            self.bindings.append((call, key, flow, param, written or call))
        if depth == 0 or not self.graph.has_edge(return_node(key), call.id):
            self.returns_to(key, call)
        if key in self.forwards:
            if depth < MAX_FORWARDING_DEPTH:
                self.forward_through(call, key, skip_self, depth, written or call)
            else:
                self.project.limits.hit("MAX_FORWARDING_DEPTH")

    @staticmethod
    def arg_matches(arg: Arg, names: tuple[str, ...]) -> bool:
        if arg.star:
            return True
        return (arg.index is not None and str(arg.index) in names) or (arg.keyword is not None and arg.keyword in names)

    def dispatch_sinks(self, call: Call, scope: str) -> None:
        """SDB107 at a dispatch site: the key that picks the callable, and the arguments it gets."""
        node = sink_node(call.id, DISPATCH, SinkRole.CALLEE.value)
        for f in call.selector or ():
            self.edge(f, node, scope)
        self.sinks.append(SinkSite(node, call, DISPATCH, call.callee_text, SinkRole.CALLEE, ()))
        args_node = sink_node(call.id, DISPATCH, SinkRole.ARGUMENTS.value)
        for a in call.args:
            for f in a.flows:
                self.edge(f, args_node, scope)
        self.sinks.append(SinkSite(args_node, call, DISPATCH, call.callee_text, SinkRole.ARGUMENTS,
                                   tuple(k for a in call.args for k in a.keys)))

