"""Streaming callbacks: code a model library calls with the model's output as it streams. A
function handed to a proposer call as its callback (gpt4all `generate(prompt, callback=on_token)`)
gets the text in the parameters the catalog names; so does a method of a handler subclass
(`on_llm_new_token(self, token)` of a LangChain callback handler), however the handler is passed."""
from __future__ import annotations

from ...catalog.model import takes_text
from ...facts import Call, Flow, Function
from ...nodes import class_key, scope_module
from ..types import EdgeKind, Origin, Resolution, Source


class StreamCallbacks:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def hook_sources(self) -> None:
        """Parameters of output hooks (``[[output_hook]]`` in rules/frameworks.toml)."""
        p = self.project
        hooks = self.catalog.output_hooks
        if not hooks:
            return
        for f in p.functions.values():
            if not f.class_name or f.is_static:
                continue
            owner = class_key(scope_module(f.key), f.class_name)
            hook = next((h for h in hooks if f.name in h.methods and p.is_kind_of(owner, h.base_classes)), None)
            if hook is None:
                continue
            module = p.modules[scope_module(f.key)]
            for param in text_params(f, hook.methods[f.name], bound=True):
                self.sources[param.node] = Source(param.node, hook.label, f"{f.qualname}({param.name})",
                                                  module.path, f.loc.line, (), Origin.MODEL)

    def callback_edges(self, call: Call, res: Resolution) -> None:
        """The model's text reaches the parameters of the functions a proposer call's streaming
        callback argument can be (``callbacks`` of its ``[[proposer]]`` entry)."""
        proposer = self.catalog.proposer(res.proposer.path)
        if proposer is None or not proposer.callbacks:
            return
        for spec in proposer.callbacks:
            for a in call.args:
                if a.star or not self.arg_matches(a, spec.args):
                    continue
                # A partial (`partial(on_token, ctx)`) gets the text after the arguments it holds.
                held = self.project.partial_bound(a.flows) or 0
                for key in self.functions_of(a.flows):
                    for param in text_params(self.project.functions[key], spec.params, bound=self.is_bound(key), held=held):
                        self.add(call.id, param.node, EdgeKind.CALL)
                        self.callback_bindings.append((call, key, Flow(call.id, call.loc.line), param.node, call))


def text_params(f: Function, names: tuple[str, ...], bound: bool, held: int = 0):
    """The parameters of ``f`` that ``names`` lists (positions count after a bound `self` and
    the ``held`` positional arguments of a partial)."""
    params = (f.params[1:] if bound else f.params)[held:]
    return [prm for position, prm in enumerate(params) if prm.star != "**" and takes_text(names, position, prm.name)]
