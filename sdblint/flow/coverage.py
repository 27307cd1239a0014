"""Coverage: what a run recognised, so that a silent run can be explained. No finding because no
model call was recognised is a different answer from model output that never reaches an action
unchecked. Counted once here, from the flow graph; the reporters only format it."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .types import Origin

if TYPE_CHECKING:   # annotations only: the graph (networkx, libcst) loads when a run analyses
    from .graph import FlowGraph


@dataclass(frozen=True)
class ModelCall:
    """A place where model output enters the code: a proposer call, or a hook or agent a model library
    hands its text to."""
    path: str
    line: int
    callee: str
    family: str          # the catalog's label for the library (openai, anthropic, langchain, ...)


@dataclass(frozen=True)
class Coverage:
    model_calls: tuple[ModelCall, ...] = ()               # by path, line, callee
    tool_entry_points: tuple[tuple[str, int], ...] = ()   # (framework, how many functions), by framework
    sinks: tuple[tuple[str, int], ...] = ()               # (category, how many calls), by category

    @property
    def model_families(self) -> tuple[tuple[str, int], ...]:
        """(family, how many model calls), by family."""
        return tuple(sorted(Counter(c.family for c in self.model_calls).items()))

    @property
    def tool_entry_point_count(self) -> int:
        return sum(n for _, n in self.tool_entry_points)

    @property
    def sink_count(self) -> int:
        return sum(n for _, n in self.sinks)


def coverage_of(fg: FlowGraph) -> Coverage:
    """What the flow graph recognised: its model output sources, the functions the model calls as tools, the sink calls (one per call and
    category, however many of its arguments are watched)."""
    calls = sorted((ModelCall(s.path, s.line, s.callee, s.label) for s in fg.sources.values()
                    if s.origin is Origin.MODEL), key=lambda c: (c.path, c.line, c.callee, c.family))
    tools = Counter(entry.label for entry in fg.entry_points().values())
    sinks = Counter(category for _, category in {(site.call.id, site.category) for site in fg.sinks})
    return Coverage(tuple(calls), tuple(sorted(tools.items())), tuple(sorted(sinks.items())))
