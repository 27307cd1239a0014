"""Reporters: text for people, JSON for tools (DESIGN.md §3)."""
from __future__ import annotations

import json
from collections import Counter

import click

from . import __version__
from .engine import RunResult

SEVERITY_COLOR = {"error": "red", "warning": "yellow", "info": "blue"}


def finding_dict(f) -> dict:
    return {
        "code": f.code, "name": f.name, "severity": f.severity,
        "path": f.path, "line": f.line, "column": f.column, "end_line": f.end_line, "end_column": f.end_column,
        "message": f.message,
        "sink": {"callee": f.sink_callee, "category": f.sink_category},
        "sources": [{"path": s.path, "line": s.line, "callee": s.callee} for s in f.sources],
        "flow": [{"path": s.path, "line": s.line, "note": s.note} for s in f.flow],
        "verifier": {"status": f.verifier_status, "detail": f.verifier_detail,
                     **({"location": f.verifier_location} if f.verifier_location else {})},
        "pattern": {"id": f.pattern_id, "weakness": f.pattern_weakness},
        "fingerprint": f.fingerprint,
    }


def to_json(result: RunResult) -> str:
    document = {
        "version": __version__,
        "findings": [finding_dict(f) for f in result.findings],
        "patterns": [
            {"id": h.id, "scope": h.scope, "confidence": h.confidence,
             "evidence": [{"path": e.path, "line": e.line, "why": e.why} for e in h.evidence],
             "weaknesses": list(h.weaknesses)}
            for h in result.patterns
        ],
        "errors": [{"path": e.path, "message": e.message} for e in result.errors],
        "summary": {
            "files": result.files,
            "findings": len(result.findings),
            "by_code": dict(sorted(Counter(f.code for f in result.findings).items())),
        },
    }
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def to_text(result: RunResult, color: bool, quiet: bool) -> str:
    lines: dict[str, list[str]] = {}
    out: list[str] = []
    for e in result.errors:
        out.append(click.style(f"{e.path}: error: {e.message}", fg="red", bold=True) if color else f"{e.path}: error: {e.message}")
    for f in result.findings:
        head = f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}"
        out.append(click.style(head, bold=True) if color else head)
        if quiet:
            continue
        out.append(f"    verifier: {f.verifier_status} - {f.verifier_detail}"
                   + (f" ({f.verifier_location})" if f.verifier_location else ""))
        out.append(f"    pattern: {f.pattern_id} - {f.pattern_weakness}")
        for step in f.flow:
            out.append(f"    {step.path}:{step.line}: {step.note}")
        if color:
            if f.path not in lines:
                file = (result.sources or {}).get(f.path)
                lines[f.path] = file.read_text(encoding="utf-8", errors="replace").splitlines() if file else []
            source = lines[f.path]
            for n in range(max(1, f.line - 1), min(len(source), f.end_line + 1) + 1):
                marker = ">" if f.line <= n <= f.end_line else " "
                text = f"  {marker} {n:4} | {source[n - 1]}"
                out.append(click.style(text, fg=SEVERITY_COLOR.get(f.severity)) if marker == ">" else click.style(text, dim=True))
        out.append("")
    count = len(result.findings)
    summary = f"Found {count} finding{'s' if count != 1 else ''} in {result.files} file{'s' if result.files != 1 else ''}"
    if result.errors:
        summary += f" ({len(result.errors)} could not be parsed)"
    out.append(summary + ".")
    return "\n".join(out) + "\n"
