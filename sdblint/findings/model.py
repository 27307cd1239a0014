"""A finding: what is reported, where, and why (DESIGN.md §3)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    path: str
    line: int
    note: str


@dataclass(frozen=True)
class SourceRef:
    path: str
    line: int
    callee: str
    label: str


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    sink_callee: str
    sink_category: str
    sources: tuple[SourceRef, ...]
    flows: tuple[tuple[Step, ...], ...]   # one per source (up to MAX_FLOWS_PER_FINDING), the best first
    verifier_status: str
    verifier_detail: str
    verifier_location: str
    pattern_id: str
    pattern_weakness: str
    stmt_lines: tuple[int, int]
    call_text: str          # the sink call's text and its function, for the fingerprint
    scope_name: str
    fingerprint: str = ""   # set by :func:`sdblint.findings.fingerprint.with_fingerprints`

    @property
    def flow(self) -> tuple[Step, ...]:
        """The flow a reviewer reads first (the fewest checks, then the fewest hops)."""
        return self.flows[0] if self.flows else ()

    @classmethod
    def at_line(cls, code: str, name: str, severity: str, path: str, line: int, message: str,
                identity: str, scope: str) -> "Finding":
        """A finding about a line, not a flow (an unused suppression, an internal error); ``identity``
        and ``scope`` stand in for the sink call in its fingerprint."""
        return cls(code=code, name=name, severity=severity, path=path, line=line, column=1, end_line=line,
                   end_column=1, message=message, sink_callee="", sink_category="", sources=(), flows=(),
                   verifier_status="", verifier_detail="", verifier_location="", pattern_id="",
                   pattern_weakness="", stmt_lines=(line, line), call_text=identity, scope_name=scope)
