"""`functools.partial(f, a, k=v)`: the arguments it holds are `f`'s now, and a later call of the
partial hands its own arguments to `f` after them."""
from __future__ import annotations

from dataclasses import replace

from ..facts import Call
from ..nodes import return_node


def shifted(call: Call, by: int) -> Call:
    """``call`` with its positional arguments ``by`` places further on (`partial(f, a)(b)` hands
    `b` to the second parameter of `f`); what would fall before the first is left out."""
    return replace(call, args=tuple(a if a.index is None else replace(a, index=a.index + by)
                                    for a in call.args if a.index is None or a.index + by >= 0))


class Partials:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def partial_edges(self, call: Call) -> None:
        """`partial(f, a, k=v)`: `a` and `v` are `f`'s arguments, whoever calls the partial later."""
        function = tuple(f for a in call.args if a.index == 0 for f in a.flows)
        for key in self.functions_of(function, read_off=True):
            self.bind(shifted(call, -1), key, skip_self=self.is_bound(key))
            self.graph.remove_edge(return_node(key), call.id)   # the partial is a callable, not its result
