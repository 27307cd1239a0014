"""The full format (the default): each finding with its verifier, pattern and flow, and a code frame
on a terminal. Paths are shown from the current directory, so an editor or terminal can follow them."""
from __future__ import annotations

import click

from ..pipeline import Result
from .concise import coverage_line, error_line, finding_line, summary_line
from .view import ReportView

SEVERITY_COLOR = {"error": "red", "warning": "yellow", "info": "blue"}


def render(result: Result, view: ReportView) -> str:
    lines: dict[str, list[str]] = {}
    out: list[str] = []
    for e in result.errors:
        text = error_line(e, view)
        out.append(click.style(text, fg="red", bold=True) if view.color else text)
    for f in result.findings:
        head = finding_line(f, view)
        out.append(click.style(head, bold=True) if view.color else head)
        if view.quiet:
            continue
        out.append(f"    verifier: {f.verifier_status} - {f.verifier_detail}"
                   + (f" ({view.verifier_location(f)})" if f.verifier_location else ""))
        out.append(f"    pattern: {f.pattern_id} - {f.pattern_weakness}")
        for step in f.flow:
            out.append(f"    {view.shown(step.path)}:{step.line}: {step.note}")
        if len(f.flows) > 1:
            others = ", ".join(f"{view.shown(flow[0].path)}:{flow[0].line}" for flow in f.flows[1:])
            out.append(f"    +{len(f.flows) - 1} more flow{'s' if len(f.flows) > 2 else ''} (from {others})")
        if view.color:
            if f.path not in lines:
                file = (result.sources or {}).get(f.path)
                lines[f.path] = file.read_text(encoding="utf-8", errors="replace").splitlines() if file else []
            source = lines[f.path]
            for n in range(max(1, f.line - 1), min(len(source), f.end_line + 1) + 1):
                marker = ">" if f.line <= n <= f.end_line else " "
                text = f"  {marker} {n:4} | {source[n - 1]}"
                out.append(click.style(text, fg=SEVERITY_COLOR.get(f.severity)) if marker == ">" else click.style(text, dim=True))
        out.append("")
    if result.stats.limits and not view.quiet:
        hits = ", ".join(f"{name} {count}" for name, count in result.stats.limits.items())
        out.append(f"Analysis limits reached, so some flows may be missing: {hits} (see sdblint/limits.py).")
    out += [summary_line(result), coverage_line(result)]
    return "\n".join(out) + "\n"
