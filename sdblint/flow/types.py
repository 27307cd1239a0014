"""The flow graph's typed values: sources, sink sites, call resolutions, effects."""
from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Sink
from ..facts import Call

Tag = tuple[str, str, str]   # (kind, "path:line", detail)
MARKERS = frozenset({"parse", "name-only", "discarded"})


@dataclass(frozen=True)
class Source:
    node: str
    label: str
    callee: str
    path: str
    line: int
    effects: tuple[Tag, ...]


@dataclass(frozen=True)
class SinkSite:
    node: str
    call: Call
    category: str
    callee: str
    role: str          # "value", "callee" (model-chosen callable) or "arguments" (dispatched tool args)
    keys: tuple[str, ...]
    extra_adequate: tuple[str, ...] = ()
    not_adequate: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolution:
    """What one call is, once the project and the catalog have been consulted."""

    paths: tuple[str, ...]
    proposer: tuple[str, str] | None = None       # (label, path)
    sinks: tuple[tuple[Sink, str], ...] = ()
    verifier: tuple[str, str, str, str] | None = None  # (kind, returns, path, schema class)
    parser: bool = False
    sandboxed: bool = False
    functions: tuple[str, ...] = ()
    constructor: str | None = None                # class key


