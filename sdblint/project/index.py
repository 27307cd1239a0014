"""The project index: a read-only view over every module's facts.

Answers "what does this name, attribute chain or call refer to?" across modules. Each job is a
mixin in its own module: names and imports (:mod:`.names`, :mod:`.layout`), classes
(:mod:`.hierarchy`), value paths (:mod:`.values`), receivers and partials (:mod:`.callees`),
model classes (:mod:`.models`). The index is complete when
constructed; what call sites pass to parameters arrives as a constructor input
(:meth:`Project.with_param_flows` makes a new index, it never changes this one).
"""
from __future__ import annotations

import copy
from dataclasses import replace

from ..catalog import Catalog
from ..facts import Call, ClassInfo, Def, Flow, Function, ModuleFacts, Store
from ..failures import Failures
from ..limits import LimitHits
from ..nodes import attr_node, class_key, scope_module
from .entity import Entity
from .callees import Callees
from .hierarchy import Hierarchy
from .layout import Layout
from .models import Models
from .names import Names
from .values import ValuePaths


class Project(Names, Hierarchy, ValuePaths, Callees, Models):
    def __init__(self, modules: list[ModuleFacts], catalog: Catalog,
                 param_flows: dict[str, tuple[Flow, ...]] | None = None, limits: LimitHits | None = None,
                 failures: Failures | None = None):
        """The catalog says which library classes validate on construction (``schema_bases``,
        ``enum_bases``), which calls compose pipelines, and what Python's decorators mean."""
        self.catalog = catalog
        self.modules = {m.module: m for m in modules}
        self.functions: dict[str, Function] = {}
        self.classes: dict[str, ClassInfo] = {}          # "mod:Qual" -> info
        self.class_module: dict[str, str] = {}
        self.defs: dict[str, Def] = {}
        self.defs_named: dict[tuple[str, str], list[Def]] = {}
        self.calls: dict[str, Call] = {}
        self.call_module: dict[str, ModuleFacts] = {}
        self.calls_by_scope: dict[str, list[Call]] = {}
        self.stores: dict[str, list[Store]] = {}
        self.puts: dict[str, list[Flow]] = {}            # container node -> what `append`/`extend` put in
        self.methods: dict[str, dict[str, str]] = {}     # class key -> method name -> function key
        self.params: dict[str, tuple[Function, int]] = {}
        self.function_paths: dict[str, str] = {}
        for m in modules:
            for f in m.functions:
                self.functions[f.key] = f
                self.function_paths[f"{m.module}.{f.qualname}"] = f.key
                for p in f.params:
                    self.params[p.node] = (f, p.index)
                if f.class_name:
                    self.methods.setdefault(class_key(m.module, f.class_name), {})[f.name] = f.key
            for c in m.classes:
                key = class_key(m.module, c.qualname)
                self.classes[key] = c
                self.class_module[key] = m.module
            for d in m.defs:
                self.defs[d.node] = d
                self.defs_named.setdefault((d.scope, d.name), []).append(d)
            for c in m.calls:
                self.calls[c.id] = c
                self.call_module[c.id] = m
                self.calls_by_scope.setdefault(c.scope, []).append(c)
                self.index_puts(c)
            for s in m.stores:
                self.stores.setdefault(s.target, []).append(s)
        self._names: dict[tuple[str, str], Entity] = {}
        imported = {".".join(parts[:i]) for m in modules for _, target in m.imports
                    for parts in [target.split(".")] for i in range(1, len(parts) + 1)}
        self.layout = Layout.of({m.module: m.path for m in modules}, imported)
        self.failures = failures if failures is not None else Failures()
        self._bases: dict[str, list[str]] = {}
        self._mro: dict[str, tuple[str, ...]] = {}
        self._base_paths: dict[tuple[str, bool], frozenset[str]] = {}
        # A class whose bases cannot be resolved is reported and taken as having none.
        self.failures.each("index classes", list(self.classes), self._index_bases, self._where_class)
        self._subclasses: dict[str, set[str]] = {key: set() for key in self.classes}
        for key, bases in self._bases.items():
            for base in bases:
                if base in self._subclasses:
                    self._subclasses[base].add(key)
        # With the bases known the hierarchy is fixed: what is read off it from now on is memoised
        # (anything read while the bases were being resolved is forgotten).
        self._mro.clear()
        self._base_paths.clear()
        self._paths: dict[str, frozenset[str]] = {}
        self._expanded: dict[tuple[str, int], frozenset[str]] = {}
        self._in_progress: set[str] = set()
        self._param_flows = param_flows or {}
        self.limits = limits if limits is not None else LimitHits()
        self.failures.each("validator fields", [f for f in self.functions.values() if f.class_name and f.decorators],
                           self._index_validator_fields, lambda f: (self.modules[scope_module(f.key)].path, f.loc.line, f.qualname))

    def _index_validator_fields(self, f: Function) -> None:
        """`@model_validator(mode="before") def v(cls, values): values["client"] = OpenAI()`: the store
        is the field `self.client` of the class."""
        module = scope_module(f.key)
        patterns = self.catalog.language.values_validators
        if len(f.params) < 2 or not any(pt.matches(path) for d in f.decorators if d
                                        for path in self.dotted_paths(module, d) for pt in patterns):
            return
        owner = class_key(module, f.class_name)
        for s in self.stores.get(f.params[1].node, ()):
            if s.key:
                self.stores.setdefault(attr_node(owner, s.key), []).append(replace(s, target=attr_node(owner, s.key), key=""))

    def _index_bases(self, key: str) -> None:
        self._bases[key] = self._resolve_bases(key)

    def _where_class(self, key: str) -> tuple[str, int, str]:
        return self.modules[self.class_module[key]].path, self.classes[key].loc.line, key

    def flows_into_param(self, node: str) -> tuple[Flow, ...]:
        """What the call sites pass to a parameter (empty before :meth:`with_param_flows`)."""
        return tuple(self._param_flows.get(node, ()))

    def with_param_flows(self, param_flows: dict[str, tuple[Flow, ...]]) -> "Project":
        """The same project with what call sites pass to each parameter, an input to value paths.
        The indexes are shared (they are read-only); only the value paths are computed anew."""
        clone = copy.copy(self)
        clone._param_flows = param_flows
        clone._paths = {}
        clone._expanded = {}
        clone._in_progress = set()
        return clone

