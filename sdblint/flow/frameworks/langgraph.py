"""Graph builders (LangGraph): what node functions return reaches the result of running the graph."""
from __future__ import annotations

from ...facts import Call
from ...limits import MAX_BUILDER_HOPS


class GraphBuilders:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

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
                    node_fn = [a for a in call.args if a.index is not None or a.keyword in self.catalog.graph_node_keywords][-1]
                    keys = {k for path in sorted(p.flow_paths(node_fn.flows)) if (e := p.path_entity(path))
                            for k in p.function_keys(e)}
                    for r in call.receiver:
                        if r.alias == "":
                            registered.setdefault(r.src, set()).update(keys)
                elif any(run.matches(x) for x in paths):
                    runs.append(call)
        for call in runs:
            for builder in self.builders_of(call):
                for key in sorted(registered.get(builder, ())):
                    self.returns_to(key, call)

    def builders_of(self, call: Call) -> set[str]:
        """Objects on the receiver chain of ``call`` (`app` <- `builder.compile()` <- `builder`)."""
        p = self.project
        todo = [f.src for f in call.receiver if f.alias == ""]
        found: set[str] = set()
        for hop in range(MAX_BUILDER_HOPS + 1):
            if hop == MAX_BUILDER_HOPS:
                if todo:
                    p.limits.hit("MAX_BUILDER_HOPS")
                break
            found.update(todo)
            nxt = []
            for node in todo:
                if node in p.defs:
                    nxt.extend(f.src for f in p.defs[node].flows if f.alias == "")
                elif node in p.calls:
                    nxt.extend(f.src for f in p.calls[node].receiver if f.alias == "")
            todo = nxt
        return found

