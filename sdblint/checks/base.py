"""What every check gets and gives: the analysed project in, findings out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..failures import Failures
from ..findings.model import Finding
from ..flow.propagate import Propagation
from ..runtime_patterns import PatternHit
from .docs import RuleDoc

if TYPE_CHECKING:   # annotations only: the graph (networkx, libcst) loads when a run analyses
    from ..flow.graph import FlowGraph


@dataclass(frozen=True)
class Analysis:
    """The input of every check: the flow graph, where model output went, the patterns found."""

    graph: FlowGraph
    propagation: Propagation
    patterns: tuple[PatternHit, ...]
    rules: dict[str, RuleDoc]


class Check(Protocol):
    """One rule or rule family: ``codes`` are the rule codes it reports (each documented in
    ``rules/rules.toml``); ``run`` reports them over an :class:`Analysis`, containing a failure
    on one unit in ``failures`` so that the rest is still reported."""

    name: str
    codes: tuple[str, ...]

    def run(self, analysis: Analysis, failures: Failures) -> list[Finding]: ...
