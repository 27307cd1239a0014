"""The project flow graph: one networkx MultiDiGraph over every module's facts.

Nodes are value references (node ids, see :mod:`sdblint.nodes`) plus one node per risky
argument of each sink call (and, at dispatch sites, one for the key that picks the callable
and one for the arguments it gets). Every edge carries one :class:`~sdblint.flow.types.Edge`:

- ``kind``: ``flow`` (intraprocedural or through the heap), ``call`` (argument into a
  parameter), ``return`` (a return value out to every caller) or ``summary`` (argument to
  the call's result, through a function that returns what it was given);
- ``effects``: what crossing the edge proves (:class:`~sdblint.flow.types.Effect`: a schema
  check at `agent/x.py:12` into `mod:Plan`, a parse, ...);
- ``attr``: the attributes read on the source value, dotted (Literal/Enum model fields).
"""
from __future__ import annotations

import networkx as nx

from ..catalog import Catalog
from ..facts import Call, Flow
from ..failures import Failures
from ..nodes import (
    NodeKind,
    attr_node,
    class_key,
    global_node,
    kind_of,
    ref,
    return_node,
    scope_key,
    scope_module,
)
from ..project import Project
from .edges import Edges
from .effects import Effects
from .files import WrittenFiles
from .forwarding import Forwarding
from .frameworks.callbacks import StreamCallbacks
from .frameworks.code_agents import CodeAgents
from .frameworks.langgraph import GraphBuilders
from .frameworks.registries import Registries
from .frameworks.tools import ToolEntries
from .init_fields import InitFields
from .objects import Objects
from .partials import Partials
from .resolve import Resolve
from .sink_edges import SinkEdges
from .summaries import Summaries
from .types import Edge, Effect, FieldRead, Resolution, SinkSite, Source


class FlowGraph(Resolve, Effects, Edges, SinkEdges, Objects, InitFields, Partials, Forwarding, Summaries, GraphBuilders, ToolEntries,
                Registries, CodeAgents, WrittenFiles, StreamCallbacks):
    """The graph and what was found building it; each job is a mixin in its own module."""

    def __init__(self, project: Project, catalog: Catalog, failures: Failures):
        self.project = project
        self.catalog = catalog
        self.failures = failures
        self.graph = nx.MultiDiGraph()
        self.sources: dict[str, Source] = {}
        self.sinks: list[SinkSite] = []
        self.resolutions: dict[str, Resolution] = {}
        # (call bound, function key, arg flow, param node, the call as written in the code: a forwarding
        # function's own call stands for the call of the forwarding function that started it)
        self.bindings: list[tuple[Call, str, Flow, str, Call]] = []
        self.callback_bindings: list[tuple[Call, str, Flow, str, Call]] = []   # a proposer call's text into its callback
        self.node_scope: dict[str, str] = {}
        # Reading one of these runs a project property, which may read any field of the object.
        self.properties = frozenset(f.name for f in project.functions.values() if f.class_name and project.is_property(f))
        self._binding_calls: dict[tuple[str, str], Call] | None = None
        self._guard_memo: dict[tuple, tuple[Effect, ...]] = {}
        self._predicate_memo: dict[str, bool] = {}   # function key -> answers yes or no
        self._name_only_memo: dict[str, tuple[Effect, ...]] = {}
        self._interface_memo: dict = {}              # method name -> the model interfaces that define it
        self._model_scope_memo: dict = {}            # scope -> the model class it completes for
        self._reading_fields: set[str] = set()       # values whose returned-dict fields are being read
        self.field_reads: dict[str, list[FieldRead]] = {}   # call node -> the reads of one field of its result
        self._constructed: dict[str, tuple] = {}       # value -> the constructor calls that are all it can be
        self._written: frozenset[str] | None = None  # values written to after they were made
        self._init_fields: dict[tuple[str, str], tuple[str, ...] | None] = {}   # (__init__, parameter) -> fields it reaches
        self._init_consumers: dict | None = None     # value inside an `__init__` -> what consumes it there
        self._edges: dict[tuple, Edge] = {}          # one object per distinct edge data
        self._entry_points: dict | None = None
        self._decorated: dict[str, list[str]] | None = None   # decorator function -> functions it decorates
        self._attr_stores: dict[str, list] | None = None      # attribute name -> stores into it from outside
        self.forwards: dict[str, list[Call]] = {}    # function key -> calls that forward its parameters
        self.forwarded_callees: set[str] = set()     # calls of a parameter (`func(*args)`), bound per call site
        self.forwarded_stars: set[str] = set()       # `*args`/`**kwargs` parameters handed on, bound per call site
        self.forwarded_binds: dict[str, int] = {}    # call as written -> forwarded bindings made for it

    @classmethod
    def of(cls, project: Project, catalog: Catalog, failures: Failures) -> "FlowGraph":
        """The graph of a project. What a parameter holds (a client, a tool object) comes from its
        call sites; with those known, calls on parameters resolve too, so the graph is built over
        the project index that has them as input."""
        flows = cls(project, catalog, failures).param_flows()
        return cls(project.with_param_flows(flows), catalog, failures).build()

    @property
    def successors(self) -> dict:
        """node -> successor -> edge key -> edge data: networkx's own adjacency dicts, which its
        algorithms read too; for the walks over millions of states its views cost more than the walk."""
        return self.graph._succ

    def where(self, call: Call) -> tuple[str, int, str]:
        """Where a failure on ``call`` is reported."""
        return self.project.call_module[call.id].path, call.loc.line, call.text[:80]

    def where_node(self, node: str) -> tuple[str, int, str]:
        """Where a failure on a value node is reported: its module (the node names the value)."""
        module = self.project.modules.get(ref(node).module)
        return (module.path if module else "", 1, node)

    def binding_call(self, argument: str, param: str) -> Call | None:
        """The call site that passes value node ``argument`` into parameter node ``param``."""
        if self._binding_calls is None:
            self._binding_calls = {}
            # Callbacks are not summarised: what a callback returns is not the proposer call's result.
            for _, _, flow, target, call in self.bindings + self.callback_bindings:
                self._binding_calls.setdefault((flow.src, target), call)
        return self._binding_calls.get((argument, param))

    def param_flows(self) -> dict[str, tuple[Flow, ...]]:
        p = self.project
        found: dict[str, list[Flow]] = {}

        def arguments(call: Call) -> None:
            functions, constructor = self.project_targets(call, sorted(p.callee_paths(call)))
            init = p.init_of(constructor) if constructor else None
            targets = [(key, self.is_bound_method(call, key)) for key in functions] + ([(init, True)] if init else [])
            for key, bound in targets:
                for flow, param, _ in self.param_targets(call, key, bound):
                    found.setdefault(param, []).append(flow)

        self.failures.each("resolve arguments", p.calls.values(), arguments, self.where)
        return {param: tuple(flows) for param, flows in found.items()}

    def build(self) -> "FlowGraph":
        calls = self.project.calls.values()
        self.failures.each("resolve", calls, lambda call: self.resolutions.__setitem__(call.id, self.resolve(call)),
                           self.where)
        for call in calls:   # a call that failed to resolve is an unknown library call
            self.resolutions.setdefault(call.id, Resolution(()))
        with self.failures.contain("forwarding", "", 0):
            self.find_forwarding(set(self.entry_points()))
        for stage, step in (("build values", self.value_edges), ("build globals", self.global_edges),
                            ("build attributes", self.attribute_edges)):
            with self.failures.contain(stage, "", 0):
                step()
        self.node_scope.update((call.id, call.scope) for call in calls)
        self.failures.each("build", calls, lambda call: self.call_edges(call, self.resolutions[call.id]), self.where)
        for stage, step in (("written files", self.file_edges), ("tool entry points", self.tool_sources),
                            ("output hooks", self.hook_sources),
                            ("graph builders", self.graph_node_returns),
                            ("summaries", self.add_summaries)):
            with self.failures.contain(stage, "", 0):
                step()
        return self

    def value_edges(self) -> None:
        """Definitions, stores and returns: what flows into each value node."""
        p = self.project
        for d in p.defs.values():
            self.node_scope[d.node] = d.scope
            for f in d.flows:
                self.edge(f, d.node, d.scope)
        for target, stores in p.stores.items():
            for s in stores:
                scope = self.scope_of(s.flows)
                # `job.cmd = text` from outside: the field `self.cmd` that the class's methods read.
                fields = p.instance_attr_nodes(target, s.attr) if s.attr else ()
                # `job.cmd = text`, `d["cmd"] = text`: the object holds the text in that field only.
                field = s.attr or (f"[{s.key}]" if s.key else "")
                for f in s.flows:
                    self.edge(f, target, scope, store=field)
                    for node in fields:
                        self.edge(f, node, scope)
        for f in p.functions.values():
            ret = return_node(f.key)
            self.node_scope[ret] = f.key
            for param in f.params:
                self.node_scope[param.node] = f.key
            for flow in f.returns:
                self.edge(flow, ret, f.key)

    def global_edges(self) -> None:
        """Module-level names: their definitions, and what a name read from elsewhere resolves to."""
        p = self.project
        for module in p.modules.values():
            for name, nodes in module.module_defs:
                for node in nodes:
                    self.add(node, global_node(module.module, name))
        for node in [n for n in self.graph.nodes if kind_of(n) is NodeKind.GLOBAL]:
            read = ref(node)
            entity = p.resolve_name(read.module, read.name)
            for target in entity.nodes:
                target_ref = ref(target)
                own_definition = target_ref.scope == scope_key(read.module) and target_ref.name == read.name
                if (target_ref.kind is NodeKind.DEF and not own_definition) or target_ref.kind is NodeKind.ATTR:
                    self.add(target, node)
            if entity.kind == "value" and entity.nodes:
                owner = ref(entity.nodes[0]).module
                if owner != read.module:
                    self.add(global_node(owner, read.name), node)

    def attribute_edges(self) -> None:
        """Attributes: a property's return is the attribute; an attribute of a base or subclass is the same."""
        p = self.project
        for f in p.functions.values():
            if f.class_name and p.is_property(f):
                module = scope_module(f.key)
                self.add(return_node(f.key), attr_node(class_key(module, f.class_name), f.name))
        for node in [n for n in self.graph.nodes if kind_of(n) is NodeKind.ATTR]:
            for related in p.attr_nodes(node):
                self.add(related, node)
