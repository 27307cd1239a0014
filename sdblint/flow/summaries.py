"""Function summaries: argument -> result edges through functions that return what they get."""
from __future__ import annotations

from collections import deque

from ..limits import MAX_STATES_PER_NODE, SUMMARY_ROUNDS
from ..nodes import return_node
from .types import EdgeKind, Effect


class Summaries:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def add_summaries(self) -> None:
        """Argument -> result edges through functions that return (part of) a parameter.

        Rounds repeat until no summary is new; a function is re-examined only when a
        summary edge was added inside it in the previous round.
        """
        done: set[tuple[str, str, tuple]] = set()
        cache: dict[tuple[str, str], list[tuple[Effect, ...]]] = {}
        dirty: set[str] | None = None

        def reaching(param: str, key: str, target: str) -> list[tuple[Effect, ...]]:
            if (param, target) not in cache or (dirty is not None and key in dirty and (param, target) not in fresh):
                cache[param, target] = reachable_effects(self, param, target, key)
                fresh.add((param, target))
            return cache[param, target]

        for _ in range(SUMMARY_ROUNDS):
            changed: set[str] = set()
            fresh: set[tuple[str, str]] = set()
            for call, key, flow, param, written in self.bindings:
                result = self.summarised_call(call, written)
                for effects in reaching(param, key, return_node(key)):
                    effects = effects + self.name_only(key)
                    marker = (result.id, flow.src, effects)
                    if marker in done:
                        continue
                    done.add(marker)
                    changed.add(result.scope)
                    self.edge(flow, result.id, result.scope, kind=EdgeKind.SUMMARY, extra=effects)
                fields = dict(self.project.functions[key].returned_fields or ())
                for read in self.field_reads.get(result.id, ()):
                    # `cmd, redirects = f(command)`: the argument into the field read, through what
                    # the function returns in that field (the read's edges carry only its own output).
                    for returned in fields.get(read.key, ()):
                        for effects in reaching(param, key, returned.src):
                            extra = effects + self.name_only(key) + self.guard_effects(returned.guards, key) \
                                + self.guard_effects(read.guards, read.scope) + read.extra
                            marker = (read.target, flow.src, extra)
                            if marker in done:
                                continue
                            done.add(marker)
                            changed.add(read.scope)
                            self.edge(flow, read.target, read.scope, kind=EdgeKind.SUMMARY, extra=extra, store=read.store)
            if not changed:
                break
            dirty = changed
        else:
            self.project.limits.hit("SUMMARY_ROUNDS")


    def summarised_call(self, call, written):
        """The call whose result a function bound at ``call`` returns into. A call that a forwarding
        function makes in its own body (`def run_as_str(*a): return str(run(*a))`) stands for the
        call ``written`` in the code; one made by a function nested in it (the wrapper a decorator
        returns: `def wrap(fn): def inner(*a): return fn(*a)`) returns into itself, not into the
        call that built the wrapper."""
        if call.id == written.id or call.scope in self.resolutions[written.id].functions:
            return written
        return call


def reachable_effects(fg, start: str, target: str, scope: str) -> list[tuple[Effect, ...]]:
    """Distinct tag sets with which ``start`` reaches ``target`` inside one function."""
    graph = fg.graph
    if start not in graph or target not in graph or not graph.in_degree(target):
        return []   # nothing flows out of the parameter, or the function returns nothing
    successors, node_scope = fg.successors, fg.node_scope
    seen: set[tuple[str, frozenset]] = set()
    per_node: dict[str, int] = {}
    dropped = 0
    found: set[frozenset] = set()
    queue = deque([(start, frozenset())])
    while queue:
        node, tags = queue.popleft()
        if node == target:
            found.add(tags)
            continue
        for nxt, parallel in successors[node].items():
            if nxt != target and node_scope.get(nxt) != scope:
                continue
            for data in parallel.values():
                edge = data["edge"]
                if edge.kind is EdgeKind.CALL or edge.kind is EdgeKind.RETURN:
                    continue
                key = (nxt, tags | frozenset(edge.effects))
                if key in seen:
                    continue
                if per_node.get(nxt, 0) >= MAX_STATES_PER_NODE:
                    dropped += 1
                    continue
                seen.add(key)
                per_node[nxt] = per_node.get(nxt, 0) + 1
                queue.append(key)
    if dropped:
        fg.project.limits.hit("MAX_STATES_PER_NODE", dropped)
    return [tuple(sorted(t)) for t in sorted(found, key=lambda t: sorted(t))]
