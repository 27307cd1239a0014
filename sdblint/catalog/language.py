"""What Python itself does that the flow graph must know, as catalog data."""
from __future__ import annotations

from dataclasses import dataclass, field

from .patterns import Pattern


@dataclass(frozen=True)
class Language:
    """What Python itself does that the graph must know (``[python]`` in rules/frameworks.toml)."""

    instance_call_methods: tuple[str, ...] = ()
    super_call: str = ""
    attribute_lookup: str = ""
    partial_calls: tuple[Pattern, ...] = ()               # `functools.partial(f, ...)`: calling it calls `f`
    property_decorators: frozenset[str] = frozenset()
    classmethod_decorators: frozenset[str] = frozenset()
    predicate_calls: tuple[Pattern, ...] = ()
    generated_init_decorators: tuple[Pattern, ...] = ()   # `@dataclass`: the constructor sets the fields
    generated_init_bases: tuple[Pattern, ...] = ()        # `NamedTuple`, pydantic models: the same
    element_inserts: dict[str, int] = field(default_factory=dict)   # `append`: the argument that is an element
    element_extends: frozenset[str] = frozenset()         # `extend`: the argument's elements go in
    values_validators: tuple[Pattern, ...] = ()           # `@model_validator(mode="before")`: `values[k]` is a field
