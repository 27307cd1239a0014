"""The JSON format (DESIGN.md §3): one object with stable keys, the same bytes for the same input."""
from __future__ import annotations

import json
from collections import Counter

from .. import __version__
from ..facts import ParseError
from ..flow.coverage import Coverage
from ..pipeline import Result
from .view import ReportView


def steps(flow) -> list[dict]:
    return [{"path": s.path, "line": s.line, "note": s.note} for s in flow]


def finding_dict(f) -> dict:
    return {
        "code": f.code, "name": f.name, "severity": f.severity,
        "path": f.path, "line": f.line, "column": f.column, "end_line": f.end_line, "end_column": f.end_column,
        "message": f.message,
        "sink": {"callee": f.sink_callee, "category": f.sink_category},
        "sources": [{"path": s.path, "line": s.line, "callee": s.callee} for s in f.sources],
        "flow": steps(f.flow),
        "flows": [steps(flow) for flow in f.flows],
        "verifier": {"status": f.verifier_status, "detail": f.verifier_detail,
                     **({"location": f.verifier_location} if f.verifier_location else {})},
        "pattern": {"id": f.pattern_id, "weakness": f.pattern_weakness},
        "fingerprint": f.fingerprint,
    }


def error_dict(e: ParseError) -> dict:
    """A file that could not be checked. ``kind`` "syntax-error": Python itself cannot parse it (the
    run fails); "not-analysed": only sdblint could not (a time budget, a crash, an unreadable file)."""
    return {"path": e.path, **({"line": e.line} if e.line else {}), **({"column": e.column} if e.column else {}),
            "kind": e.kind, "message": e.message}


def coverage_dict(c: Coverage) -> dict:
    """What the run recognised, counted (the model calls themselves are listed by `-v`)."""
    return {
        "model_calls": {"total": len(c.model_calls), "by_family": dict(c.model_families)},
        "tool_entry_points": {"total": c.tool_entry_point_count, "by_family": dict(c.tool_entry_points)},
        "sinks": {"total": c.sink_count, "by_category": dict(c.sinks)},
    }


def document(result: Result, root: str) -> dict:
    return {
        "version": __version__,
        "root": root,   # what every path in the document is relative to
        "findings": [finding_dict(f) for f in result.findings],
        "patterns": [
            {"id": h.id, "scope": h.scope, "confidence": h.confidence,
             "evidence": [{"path": e.path, "line": e.line, "why": e.why} for e in h.evidence],
             "weaknesses": list(h.weaknesses)}
            for h in result.patterns
        ],
        "errors": [error_dict(e) for e in result.errors],
        "summary": {
            "files": result.files,
            "findings": len(result.findings),
            "by_code": dict(sorted(Counter(f.code for f in result.findings).items())),
            "limits_hit": result.stats.limits,
            "coverage": coverage_dict(result.coverage),
            **({"gate": dict(result.gate)} if result.gate else {}),
        },
    }


def render(result: Result, view: ReportView) -> str:
    return json.dumps(document(result, str(view.root)), indent=2, sort_keys=False) + "\n"


