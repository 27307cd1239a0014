"""Guards to verification effects: what a check proves about the values it guards."""
from __future__ import annotations

from ..facts import RECEIVER, Call, Function, Guard
from ..kinds import Marker, VerifierKind
from ..limits import MAX_CHECKING_CALL_DEPTH
from ..nodes import (
    NodeKind,
    attr_node,
    class_key,
    class_path,
    kind_of,
    scope_module,
    scope_qualname,
)
from .resolve import paths_or_method
from .types import Effect

# Guard kinds the extractor decides by the shape of a condition alone.
SHAPE_GUARDS = frozenset({"allowlist", "fullmatch", "type", "policy", "ast-allowlist"})


def custom_kind(f: Function, rejected: frozenset[str]) -> VerifierKind:
    """What a project function that rejects proves about the parameters it rejects: a denylist
    when every rejection of every one of them matches something bad, an AST allow-list when one
    walks the parsed value and rejects node types outside a fixed set, else a custom check."""
    shapes = {dict(f.rejection_shapes).get(name, "") for name in rejected}
    if shapes and all(s == VerifierKind.DENYLIST.value for s in shapes):
        return VerifierKind.DENYLIST
    if VerifierKind.AST_ALLOWLIST.value in shapes:
        return VerifierKind.AST_ALLOWLIST
    return VerifierKind.CUSTOM


class Effects:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def guard_effects(self, guards: tuple[Guard, ...], scope: str) -> tuple[Effect, ...]:
        if not guards:
            return ()
        key = (guards, scope)
        cached = self._guard_memo.get(key)
        if cached is None:
            cached = self._guard_memo[key] = self._guard_effects(guards, scope)
        return cached

    def _guard_effects(self, guards: tuple[Guard, ...], scope: str) -> tuple[Effect, ...]:
        module = self.project.modules.get(scope_module(scope))
        path = module.path if module else ""
        out: list[Effect] = []
        for g in guards:
            where = f"{path}:{g.line}"
            if g.kind in SHAPE_GUARDS:
                # A membership test remembers its container: an allow-list built from model output
                # is no allow-list (checked once propagation knows what is tainted).
                out.append(Effect(VerifierKind(g.kind), where, container=g.container))
            elif g.kind == "prefix":
                if self.catalog.fixed_host_url.match(g.prefix):
                    out.append(Effect(VerifierKind.HOST_FIXED, where))
            elif g.kind == "base":
                out.append(Effect(VerifierKind.HOST_FIXED, where, container=g.container))
            elif g.kind == "refused-prefix":
                kind = self.catalog.refused_prefixes.get(g.prefix)
                if kind is not None:
                    out.append(Effect(kind, where))
            elif g.kind == "mapping":
                if self.is_fixed_mapping(g.mapping, scope):
                    out.append(Effect(VerifierKind.ALLOWLIST, where, g.mapping))
            elif g.kind == "call":
                out.extend(self.call_guard_effects(g, where))
            elif g.kind == "field":
                if g.mapping in self.catalog.transcript_contents and not self.catalog.transcript_speakers.isdisjoint(g.container):
                    out.append(Effect(VerifierKind.TRANSCRIPT, where))
        return tuple(out)

    def call_guard_effects(self, guard: Guard, where: str) -> list[Effect]:
        """What a call used as a check proves: a verifier kind, or a marker explaining why not."""
        call = self.project.calls.get(guard.call)
        if call is None:
            return []
        call = self.checking_call(call)
        res = self.resolutions.get(call.id) or self.resolve(call)
        if res.verifier:
            verifier = res.verifier
            returns, human = verifier.returns, verifier.kind is VerifierKind.HUMAN
            used_as_check = guard.predicate if returns == "predicate" else returns == "guard" or not call.discarded
            if not used_as_check:
                # An unkeyed statement call (`confirm("Go?", default=True)` without `abort=True`) is
                # not about the value: the finding's status tells the ignored approval by itself.
                return [Effect(Marker.DISCARDED, where, verifier.path)] if guard.keyed else []
            return [Effect(verifier.kind, where, verifier.path)] if human or guard.keyed else []
        if not guard.keyed or guard.arg == RECEIVER:
            return []   # what a project method raises on is not known to be its receiver
        if res.constructor and call.discarded and (self.project.is_enum(res.constructor) or self.project.is_pydantic(res.constructor)):
            return [Effect(Marker.DISCARDED, where, class_path(res.constructor))]
        for key in res.functions:
            f = self.project.functions[key]
            rejected = self.rejected_params(call, guard, key)
            if rejected or (guard.predicate and self.is_predicate(f)):
                return [Effect(custom_kind(f, rejected), where, f.qualname)]
            if self.is_predicate(f):
                return [Effect(Marker.DISCARDED, where, f.qualname)]
            if self.catalog.verifier_name.search(f.name):
                return [Effect(Marker.NAME_ONLY, where, f.qualname)]
        return []

    def rejected_params(self, call: Call, guard: Guard, key: str) -> frozenset[str]:
        """The parameters of function ``key``, called as ``call``, on which it can reject the value
        ``guard`` is about ("*": it rejects, on what is unknown). It must raise, or (when the caller
        reads its answer) return None or False, on a branch that depends on the parameter receiving
        that value: `debug_print(debug, text)` returning early on the flag rejects nothing."""
        f = self.project.functions[key]
        on = set(f.raises_on) if call.discarded and not guard.predicate else {*f.raises_on, *f.rejects_on}
        if not on or "*" in on or guard.arg < 0:
            return frozenset(on)
        receiving = {node for _, node, _ in self.param_targets(call, key, self.is_bound_method(call, key), frozenset({guard.arg}))}
        return frozenset(prm.name for prm in f.params if prm.node in receiving and prm.name in on)

    def is_predicate(self, f: Function) -> bool:
        """Does ``f`` answer yes or no: by the shape of what it returns, or by returning the answer of
        a call the catalog knows as a predicate (a method on an untyped receiver by its name)?"""
        if f.is_predicate or not f.returned_calls:
            return f.is_predicate
        known = self._predicate_memo.get(f.key)
        if known is None:
            patterns = self.catalog.language.predicate_calls
            known = any(pt.matches(path) for call_id in f.returned_calls
                        for path in paths_or_method(self.project.calls[call_id], self.resolutions[call_id].paths)
                        for pt in patterns)
            self._predicate_memo[f.key] = known
        return known

    def name_only(self, key: str) -> tuple[Effect, ...]:
        """A function named like a verifier (`sanitize_sql`) whose body cannot reject (memoised:
        asked for every binding of every call of the function, in every summary round)."""
        found = self._name_only_memo.get(key)
        if found is None:
            f = self.project.functions[key]
            found = ()
            if not (f.raises_on or f.rejects_on or self.is_predicate(f) or not self.catalog.verifier_name.search(f.name)):
                path = self.project.modules[scope_module(key)].path
                found = (Effect(Marker.NAME_ONLY, f"{path}:{f.loc.line}", f.qualname),)
            self._name_only_memo[key] = found
        return found

    def checking_call(self, call: Call, depth: int = 0) -> Call:
        """`input(...).strip().lower()`, or `answer.lower()` after `answer = input(...)`: the call that
        carries the check is the innermost one on the receiver chain."""
        res = self.resolutions.get(call.id) or self.resolve(call)
        if res.verifier or res.functions or res.constructor:
            return call
        if depth > MAX_CHECKING_CALL_DEPTH:
            self.project.limits.hit("MAX_CHECKING_CALL_DEPTH")
            return call
        p = self.project
        for flow in call.receiver:
            if flow.alias is None:
                continue
            inner = [flow.src] if kind_of(flow.src) is NodeKind.CALL else [
                f.src for f in getattr(p.defs.get(flow.src), "flows", ()) if f.alias == "" and kind_of(f.src) is NodeKind.CALL]
            for src in inner:
                found = self.checking_call(p.calls[src], depth + 1) if src in p.calls else None
                if found is not None and (self.resolutions.get(found.id) or self.resolve(found)).verifier:
                    return found
        return call

    def is_fixed_mapping(self, mapping: str, scope: str) -> bool:
        p = self.project
        module = scope_module(scope)
        head, _, rest = mapping.partition(".")
        candidates: list[tuple[str, str]] = []    # (literal kind, node)
        if head in ("self", "cls") and rest and "." not in rest and "::" in scope:
            owner = class_key(module, scope_qualname(scope).rpartition(".")[0])
            stores = p.stores.get(attr_node(owner, rest), [])
            candidates = [(s.literal_kind, s.target) for s in stores]
        elif not rest:
            local = p.defs_named.get((scope, head), [])
            if local:
                candidates = [(d.literal_kind, d.node) for d in local]
            else:
                entity = p.resolve_name(module, head)
                candidates = [(p.defs[n].literal_kind, n) for n in entity.nodes if n in p.defs]
        return bool(candidates) and all(kind == "dict" for kind, _ in candidates)

