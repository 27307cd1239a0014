"""What every check gets and gives: the analysed project in, findings out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..flow.graph import FlowGraph
from ..flow.propagate import Propagation
from ..runtime_patterns import PatternHit
from .docs import RuleDoc


@dataclass(frozen=True)
class Analysis:
    """The input of every check: the flow graph, where model output went, the patterns found."""

    graph: FlowGraph
    propagation: Propagation
    patterns: tuple[PatternHit, ...]
    rules: dict[str, RuleDoc]


class Check(Protocol):
    """One rule or rule family. ``codes`` are the rule codes it can report (each documented in
    ``rules/rules.toml``); ``run`` reports them over an :class:`Analysis`."""

    name: str

    def codes(self, analysis_rules: dict[str, RuleDoc]) -> tuple[str, ...]: ...

    def run(self, analysis: Analysis, failures) -> list: ...
