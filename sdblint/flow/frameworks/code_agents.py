"""Agents built to act on what their model writes: constructing one is the sink of what it does
(running code is SDB101, a shell tool SDB102), with the agent's model as the source
(`create_pandas_dataframe_agent(llm, df, allow_dangerous_code=True)`, an agent handed a Python REPL
tool or a shell tool)."""
from __future__ import annotations

from ...facts import Call
from ...nodes import NodeKind, kind_of, sink_node
from ..types import Origin, SinkRole, SinkSite, Source
from ..walk import ValueWalk

# The slots of the two nodes a code agent adds at its construction call.
MODEL_SLOT = "model"
AGENT_SLOT = "agent"


class CodeAgents:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def code_agent_edges(self, call: Call, paths: tuple[str, ...]) -> None:
        agent = next((a for a in map(self.catalog.code_agent, paths) if a), None)
        if agent is None or not self.conditions_hold(agent.when_arg, agent.unless_arg, call):
            return
        categories = [category for category, tools in agent.with_tools
                      if any(self.builds_tool(a.flows, tools) for a in call.args)]
        if not agent.with_tools:
            categories = [agent.category]
        module = self.project.call_module[call.id]
        model = next((a for a in call.args if self.arg_matches(a, agent.model_args)), None)
        model_text = (model.dotted or model.literal or "the agent's model") if model else "the agent's model"
        for category in categories:
            source, sink = sink_node(call.id, category, MODEL_SLOT), sink_node(call.id, category, AGENT_SLOT)
            self.sources[source] = Source(source, agent.label, model_text, module.path, call.loc.line, (), Origin.MODEL)
            self.add(source, sink)
            self.node_scope[source] = call.scope
            self.sinks.append(SinkSite(sink, call, category, call.callee_text, SinkRole.AGENT, ()))

    def builds_tool(self, flows, patterns) -> bool:
        """Does a value built by one of ``patterns`` (a REPL tool) reach this argument, directly,
        in a list, or through the locals and calls that hold it?"""
        p = self.project
        walk = ValueWalk(f.src for f in flows)
        for node in walk:
            if kind_of(node) is NodeKind.CALL and node in p.calls:
                call = p.calls[node]
                res = self.resolutions.get(node) or self.resolve(call)
                if any(pt.matches(path) for path in res.paths for pt in patterns):
                    return True
                walk.push(f.src for f in call.receiver)
                walk.push(f.src for a in call.args for f in a.flows)
            elif node in p.defs:
                walk.push(f.src for f in p.defs[node].flows)
        return False
