"""Forwarding: a function that hands on its `*args`/`**kwargs` (`def run_as_str(*args): return
str(run(*args))`), or calls a function it was given (`def in_executor(func, *args): func(*args)`),
is bound at each of its call sites: one caller's arguments reach only the parameters, and the
function, that this caller picked, not every function any caller handed over."""
from __future__ import annotations

from dataclasses import replace

from ..facts import Arg, Call, Flow
from ..limits import MAX_FORWARDED_BINDS


class Forwarding:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def find_forwarding(self, entry_functions: set[str]) -> None:
        """Which calls forward which function's parameters (tool entry points excluded: the
        framework, not a call site of the project, fills their parameters)."""
        p = self.project
        for call in p.calls.values():
            called = self.called_param(call)
            owners = {called[0].key} if called else set()
            for a in call.args:
                for f in a.flows:
                    owner = self.star_param_owner(f, a.star)
                    if owner:
                        owners.add(owner)
            for key in sorted(owners - entry_functions):
                self.forwards.setdefault(key, []).append(call)
                if called and called[0].key == key:
                    self.forwarded_callees.add(call.id)
                for prm in p.functions[key].params:
                    if prm.star:
                        self.forwarded_stars.add(prm.node)

    def called_param(self, call: Call):
        """(function, parameter) when ``call`` calls a parameter of a function (`func(*args)`)."""
        if call.callee_kind != "name" or len(call.func_flows) != 1 or call.func_flows[0].alias != "":
            return None
        function, index = self.project.params.get(call.func_flows[0].src, (None, 0))
        return (function, function.params[index]) if function else None

    def star_param_owner(self, flow: Flow, star: str) -> str:
        if not star or flow.alias != "":
            return ""
        function, index = self.project.params.get(flow.src, (None, 0))
        return function.key if function and function.params[index].star == star else ""

    def skips_at_forwarder(self, call: Call, arg: Arg) -> bool:
        """Handled at the call sites of the forwarding function instead (:meth:`forward_through`)."""
        return call.id in self.forwarded_callees or (
            bool(arg.star) and bool(arg.flows) and all(f.src in self.forwarded_stars for f in arg.flows))

    def forward_through(self, outer: Call, key: str, skip_self: bool, depth: int, written: Call) -> None:
        """``outer`` calls ``key``: bind its arguments through each call forwarding them onwards
        (``written``: the call in the code that started it, for explanations)."""
        for inner in self.forwards.get(key, ()):
            args = tuple(self.forwarded_args(outer, key, skip_self, inner))
            synthetic = replace(inner, args=args)
            called = self.called_param(inner) if inner.id in self.forwarded_callees else None
            if called:
                passed = self.flows_into(outer, key, skip_self, called[1].node)
                targets = [(g, self.is_bound(g)) for g in self.functions_of(passed)]
            else:
                targets = [(g, self.is_bound_method(inner, g)) for g in self.resolutions[inner.id].functions]
            for g, bound in targets:
                used = self.forwarded_binds.get(written.id, 0)
                if used >= MAX_FORWARDED_BINDS:
                    self.project.limits.hit("MAX_FORWARDED_BINDS")
                    return
                self.forwarded_binds[written.id] = used + 1
                # A prompt handed on to a model class's completion method is a model call, not an action.
                self.bind(synthetic, g, bound, targets=() if self.model_class_around(g)[1] else None, depth=depth + 1,
                          written=written)

    def forwarded_args(self, outer: Call, key: str, skip_self: bool, inner: Call):
        """``inner``'s arguments as ``outer`` fills them: `*args` becomes what ``outer`` passed
        beyond the named parameters, `**kwargs` the keywords it passed that are not named."""
        f = self.project.functions[key]
        params = list(f.params[1:] if skip_self else f.params)
        positional = [prm for prm in params if not prm.star]
        named = {prm.name for prm in positional}
        extras = [a for a in outer.args if a.index is not None and a.index >= len(positional)]
        position = 0
        for a in inner.args:
            owner = self.star_param_owner(a.flows[0], a.star) if a.flows else ""
            if owner == key and a.star == "*":
                for j, e in enumerate(extras):
                    yield replace(e, index=position + j)
                yield from (replace(e, index=None) for e in outer.args if e.star == "*")
                position += len(extras)
            elif owner == key and a.star == "**":
                yield from (e for e in outer.args if (e.keyword and e.keyword not in named) or e.star == "**")
            else:
                if inner.id in self.forwarded_callees:
                    # The call of a parameter binds nothing itself: all of its arguments are this caller's.
                    flows = tuple(g for flow in a.flows for g in self.substituted(outer, key, skip_self, flow))
                else:
                    flows = ()   # bound where it is written, through the forwarding function's own parameters
                yield replace(a, flows=flows, index=position if a.index is not None else None)
                position += a.index is not None

    def substituted(self, outer: Call, key: str, skip_self: bool, flow: Flow):
        """A flow from one of ``key``'s parameters becomes what ``outer`` passes into it."""
        function, _ = self.project.params.get(flow.src, (None, 0))
        if function is None or function.key != key:
            yield flow
            return
        yield from self.flows_into(outer, key, skip_self, flow.src)

    def flows_into(self, outer: Call, key: str, skip_self: bool, param: str) -> list[Flow]:
        """What ``outer`` passes into parameter node ``param`` of ``key``."""
        return [flow for flow, node, _ in self.param_targets(outer, key, skip_self) if node == param]

    def functions_of(self, flows, read_off: bool = False) -> list[str]:
        """The project functions that values handed over as they are (`func=self._run`) can be;
        with ``read_off``, also a function read off another value (`worker.run`, `tools.shell`)."""
        p = self.project
        found: list[str] = []
        for path in sorted(p.flow_paths(tuple(f for f in flows if f.alias == "" or (read_off and f.alias)))):
            entity = p.path_entity(path)
            found.extend(k for k in (p.function_keys(entity) if entity else ()) if k not in found)
        return found

    def is_bound(self, key: str) -> bool:
        """A method handed over as a value (`func=self._run`) is bound to its object."""
        f = self.project.functions[key]
        return bool(f.class_name) and not f.is_static
