"""Call resolution: what one call is, once the project and the catalog have been consulted."""
from __future__ import annotations

from itertools import takewhile

from ..catalog import Sink
from ..catalog.model import UNTYPED_RECEIVER, ArgCondition, name_words
from ..facts import Call
from ..nodes import (
    NodeKind,
    class_key,
    kind_of,
    ref,
    scope_module,
    scope_qualname,
)
from ..project.entity import Entity
from .types import ProposerUse, Resolution, VerifierUse
from .walk import ValueWalk


def paths_or_method(call: Call, paths) -> list[str]:
    """``paths``, or for a method on a receiver that cannot be resolved
    (`TOOL_ARGS[name].model_validate_json(...)`) the method name alone (`?.model_validate_json`):
    enough to recognise a verifier, a parser or a predicate, and the sinks written for an untyped
    receiver (`?.execute` with SQL text); never a proposer."""
    if paths:
        return list(paths)
    return [UNTYPED_RECEIVER + call.method] if call.callee_kind == "attr" else []


class Resolve:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def resolve(self, call: Call) -> Resolution:
        """What a call is: a proposer, verifier, parser or sink from the catalog (in that order of
        precedence), or calls of project functions and constructors."""
        p, catalog = self.project, self.catalog
        paths = sorted(p.callee_paths(call))
        direct = self.method_targets(call, paths)
        if direct is not None:
            return self.project_call(paths, direct)
        suffix_paths = [path + p.call_suffix(call) for path in paths]
        scope_name = scope_qualname(call.scope)
        for path in paths + suffix_paths:
            proposer = catalog.proposer(path)
            if proposer and proposer.applies_in(scope_name):
                return Resolution(tuple(paths), proposer=ProposerUse(proposer.label, path))
        model, completes = self.model_class_around(call.scope)
        if model is not None:
            path = next((x for x in paths if any(pt.matches(x) for pt in model.transports)), None)
            if path is not None:
                # The model server's answer; elsewhere in the class, talking to it is no action.
                writes = completes and model.writes_text
                return Resolution(tuple(paths), proposer=ProposerUse(model.label, path) if writes else None)
        for path in paths_or_method(call, paths):
            verifiers = catalog.verifiers_for(path)
            verifiers = [v for v in verifiers if v.when_kwarg is None or any(
                a.keyword == v.when_kwarg[0] and (a.dotted or a.literal) == v.when_kwarg[1] for a in call.args)]
            if verifiers:
                v = verifiers[-1] if any(x.returns == "guard" for x in verifiers[1:]) else verifiers[0]
                schema = ""
                if v.schema_from == "receiver":
                    schema = self.schema_of_receiver(call)
                return Resolution(tuple(paths), verifier=VerifierUse(v.kind, v.returns, path, schema))
            if catalog.is_parser(path):
                return Resolution(tuple(paths), parser=True)
            if catalog.is_sandboxed(path):
                return Resolution(tuple(paths), sandboxed=True)
        recorder = next((r for r in map(catalog.recorder, paths) if r), None)
        sinks = []
        for path in paths_or_method(call, paths):
            for sink in catalog.sinks_for(path):
                # A receiver sdblint cannot type matches only the sinks written for one (`?.execute`).
                if (paths or sink.untyped) and self.sink_applies(sink, call):
                    sinks.append((sink, path))
        functions, constructor = self.project_targets(call, paths)
        if sinks:
            # A sink the tree itself implements (a check of the library that defines it) stays a sink
            # at the call, and the call runs the implementation too: the flow goes on into it.
            return Resolution(tuple(paths), sinks=tuple(sinks), recorder=recorder, proposer=self.endpoint_proposer(call, sinks),
                              implemented_by=tuple(functions))
        recorder = recorder or next((r for r in map(self.recorder_method, functions) if r), None)
        return self.project_call(paths, functions, constructor, recorder)

    def project_call(self, paths: list[str], functions: list[str], constructor: str | None = None,
                     recorder=None) -> Resolution:
        """A call of project functions; one that can only run a project's abstract model interface
        (its implementations live outside the tree) is a proposer."""
        interface = self.model_interface_of(functions)
        if interface is not None:
            return Resolution(tuple(paths), proposer=ProposerUse(self.catalog.model_interface.label, interface))
        return Resolution(tuple(paths), functions=tuple(functions), constructor=constructor, recorder=recorder)

    def model_interface_of(self, functions: list[str]) -> str | None:
        """The path of the model interface method a call runs, when every method it can run is
        abstract and one is named and typed like a model interface (``[model_interface]``)."""
        interface = self.catalog.model_interface
        p = self.project
        if interface is None or not functions or not all(p.functions[k].is_abstract for k in functions):
            return None
        for key in functions:
            f = p.functions[key]
            params = [prm.name for prm in f.params[1 if self.is_bound(key) else 0:]]
            if f.class_name and interface.matches(f.class_name.rpartition(".")[2], f.name, tuple(params)):
                return f"{scope_module(key)}.{f.qualname}"
        return None

    def endpoint_proposer(self, call: Call, sinks) -> ProposerUse | None:
        """A request to a model API that writes text (`requests.post(".../v1/chat/completions")`):
        what it answers is model output. It stays a sink for its URL (which host it reaches)."""
        for sink, path in sinks:
            endpoint = self.model_endpoint(call, sink.url_args) if sink.url_args else None
            if endpoint is not None and endpoint.writes_text:
                return ProposerUse(endpoint.label, path)
        return None

    def model_class_around(self, scope: str):
        """The model class ``scope`` is a method of (or nested in), if any, and whether that
        method is one the framework calls for a completion."""
        if not self.catalog.model_classes:
            return None, False
        found = self._model_scope_memo.get(scope)
        if found is not None:
            return found
        p = self.project
        module, parts = scope_module(scope), scope_qualname(scope).split(".")
        found = (None, False)
        for i in range(1, len(parts)):
            owner = class_key(module, ".".join(parts[:i]))
            if owner in p.classes:
                # A class can be two models (an embedding model built on an LLM): the one whose method this is.
                models = [m for m in self.catalog.model_classes if p.is_kind_of(owner, m.base_classes, include_self=True)]
                model = next((m for m in models if parts[i] in m.methods), models[0] if models else None)
                found = (model, model is not None and parts[i] in model.methods)
                break
        self._model_scope_memo[scope] = found
        return found

    def recorder_method(self, key: str):
        """The recorder a project method is, as a subclass's override of a recording method
        (`add_message` of a LangChain chat history)."""
        f = self.project.functions[key]
        if not f.class_name:
            return None
        owner = class_key(scope_module(key), f.class_name)
        return next((r for r in self.catalog.recorders if f.name in r.methods
                     and self.project.is_kind_of(owner, r.base_classes, include_self=True)), None)

    def method_targets(self, call: Call, paths: list[str]) -> list[str] | None:
        """`self.method(...)` (with overrides) and `super().method(...)`."""
        p = self.project
        if call.callee_kind != "attr":
            return None
        first = call.func_flows[0] if call.func_flows else None
        if first is not None and kind_of(first.src) is NodeKind.ATTR and first.alias == "":
            targets = p.dispatch_targets(ref(first.src).class_key, call.method)
            if targets:
                return targets
        if any(path.startswith(self.catalog.language.super_call + ".") for path in paths):
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
        exact = p.receiver_classes(call)
        for path in paths:
            entity = p.path_entity(path)
            if entity is None:
                continue
            if entity.kind in ("func", "method"):
                functions.extend(k for k in p.function_keys(entity, exact) if k not in functions)
            elif entity.kind == "class":
                constructor = entity.key
            elif entity.kind == "instance":
                # Calling an object runs its `__call__` (or what the catalog says it routes to).
                for name in self.catalog.language.instance_call_methods:
                    targets = p.function_keys(Entity("method", f"{entity.key}|{name}"),
                                              p.constructed_classes(call.func_flows))
                    if targets:
                        functions.extend(k for k in targets if k not in functions)
                        break
        if call.selector is not None or call.callee_kind == "other" or (
                not paths and call.callee_kind == "attr" and any(f.alias is None for f in call.receiver)):
            # A callable taken out of a container (`TOOLS[name](...)`, `spec["function"](...)`,
            # `self.tools[name].execute(...)`): what was put in it.
            functions.extend(k for k in self.stored_callables(call) if k not in functions)
        if not functions:
            functions.extend(self.model_interface_targets(call))
        return functions, constructor

    def model_interface_targets(self, call: Call) -> list[str]:
        """`llm.call(prompt)` on a receiver that no project function and no catalog entry resolves
        (`llm = getattr(config, "llm")`, a field declared `Any`, `**kwargs`) but named as the project's model interface is named (`self.config.llm`
        and `class LLM`): that interface's method of this name and its overrides. A receiver named
        otherwise, or a project with no such interface, resolves to nothing, as before."""
        interface = self.catalog.model_interface
        if interface is None or call.callee_kind != "attr" or call.method not in interface.methods:
            return []
        receiver = call.callee_text[: -len(call.method) - 1].rpartition(".")[2]
        words = name_words(receiver) & interface.class_words
        if not words:
            return []
        return [key for class_words, targets in self.interface_methods(call.method) if words & class_words
                for key in targets]

    def interface_methods(self, method: str) -> list[tuple[frozenset[str], list[str]]]:
        """The project's model interface classes with method ``method`` (named and typed like one,
        ``[model_interface]``): the words of each class's name, and the methods a call runs."""
        found = self._interface_memo.get(method)
        if found is None:
            p, interface = self.project, self.catalog.model_interface
            found = []
            for f in sorted(p.functions.values(), key=lambda f: f.key):
                if f.name != method or not f.class_name:
                    continue
                class_name = f.class_name.rpartition(".")[2]
                params = tuple(prm.name for prm in f.params[1 if self.is_bound(f.key) else 0:])
                if interface.matches(class_name, f.name, params):
                    words = frozenset(name_words(class_name) & interface.class_words)
                    found.append((words, p.dispatch_targets(class_key(scope_module(f.key), f.class_name), method)))
            self._interface_memo[method] = found
        return found

    def schema_of_receiver(self, call: Call) -> str:
        for path in sorted(self.project.flow_paths(call.receiver)):
            entity = self.project.path_entity(path)
            if entity is not None and entity.kind == "class":
                return entity.key
        return ""

    @staticmethod
    def arg_text(call: Call, index: int | None, keyword: str | None) -> str | None:
        for a in call.args:
            if (index is not None and a.index == index) or (keyword and a.keyword == keyword):
                return a.literal if a.literal is not None else (a.text or a.dotted or "?")
        return None

    def sink_applies(self, sink: Sink, call: Call) -> bool:
        return (self.conditions_hold(sink.when_arg, sink.unless_arg, call) and not self.options_ended(sink, call)
                and not any(self.opened_so(c, call) for c in sink.unless_opened))

    def opened_so(self, condition: ArgCondition, call: Call) -> bool:
        """Was every handle ``call`` writes to opened with ``condition`` holding (`open(p, "a")`,
        directly or through the names that hold it)?"""
        openers = self.receiver_makers(call)
        return bool(openers) and all(self.argument_holds(condition, c, None, all) for c in openers)

    def writes_document(self, call: Call) -> bool:
        """Does ``call`` write to a file whose path, wherever it was opened or made (`open(path)`,
        `Path(path)`), ends like a document people read (`[files] documents`: "{}/summary.md")?"""
        texts = [self.path_text(m) for m in self.receiver_makers(call)]
        return bool(texts) and all(t and self.catalog.document_files.search(t) for t in texts)

    def path_text(self, maker: Call) -> str:
        """The constant text of the path a call opens or makes: `open(path, ...)`'s first argument,
        the last part of `Path(root, "notes.md")`."""
        positional = sorted((a for a in maker.args if a.index is not None), key=lambda a: a.index)
        joins = any(pt.matches(path) for path in self.resolutions[maker.id].paths for pt in self.catalog.path_joiners)
        arg = positional[-1] if joins and positional else next(
            (a for a in maker.args if a.index == 0 or a.keyword == "file"), None)
        if arg is None:
            return ""
        return arg.literal if arg.literal is not None else arg.text

    def receiver_makers(self, call: Call) -> list[Call]:
        """The calls that made ``call``'s receiver (its `open(...)`, its `Path(...)`), through the
        names that hold it; [] when it is anything else too."""
        p = self.project
        makers, walk = [], ValueWalk(f.src for f in call.receiver if f.alias in ("", None))
        for node in walk:
            if node in p.calls:
                makers.append(p.calls[node])
            elif kind_of(node) is NodeKind.DEF and node in p.defs and p.defs[node].flows:
                walk.push(f.src for f in p.defs[node].flows if f.alias in ("", None))
            else:
                return []
        return makers

    def options_ended(self, sink: Sink, call: Call) -> bool:
        """Does a literal `--` come before every value the code did not write in the sink's
        command line (`["git", "clone", "--", url]`, `repo.git.diff("--", path)`)? Then those values
        are operands, never options (`--upload-pack=...`)."""
        ends = sink.end_of_options
        if ends is None:
            return False
        if ends.positional:
            positional = sorted((a for a in call.args if a.index is not None), key=lambda a: a.index)
            head = list(takewhile(lambda a: a.literal is not None, positional))
            return "--" in (a.literal for a in head)
        argv = next((a for a in call.args if self.arg_matches(a, sink.args)), None)
        head = argv.words[:argv.literals] if argv is not None else ()
        return bool(head) and head[0].rpartition("/")[2] in ends.programs and "--" in head[1:]

    def conditions_hold(self, when, unless, call: Call) -> bool:
        """A catalog entry's `when_arg` holds (its default standing in for an absent argument) and
        its `unless_arg` does not (an absent argument never matches it)."""
        if when and not self.argument_holds(when, call, when.default, any):
            return False
        return not (unless and self.argument_holds(unless, call, None, all))

    def argument_holds(self, condition: ArgCondition, call: Call, default: str | None, quantifier) -> bool:
        """Does the argument a condition is about hold it: for `any` (a `when_arg`) or `all` (an
        `unless_arg`) of the values it can be (`mode = "w" if append else "x"`)? A value not known
        holds a condition that says so (`if_unknown`: an unknown mode may write); otherwise its
        text, or its name, is matched."""
        arg = next((a for a in call.args if (condition.index is not None and a.index == condition.index)
                    or (condition.keyword and a.keyword == condition.keyword)), None)
        if arg is None:
            return default is not None and condition.holds(default)
        if arg.literal is not None:
            return condition.holds(arg.literal)
        if arg.values:
            return quantifier(condition.holds(v) for v in arg.values)
        if condition.if_unknown:
            return True
        return condition.holds(arg.text or arg.dotted or "?")

