"""The full text format: each finding with its verifier, pattern and flow, and a code frame on a terminal."""
from __future__ import annotations

import click

from ..pipeline import Result

SEVERITY_COLOR = {"error": "red", "warning": "yellow", "info": "blue"}


def render(result: Result, color: bool = False, quiet: bool = False) -> str:
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
    if result.stats.limits and not quiet:
        hits = ", ".join(f"{name} {count}" for name, count in result.stats.limits.items())
        out.append(f"Analysis limits reached, so some flows may be missing: {hits} (see sdblint/limits.py).")
    count = len(result.findings)
    summary = f"Found {count} finding{'s' if count != 1 else ''} in {result.files} file{'s' if result.files != 1 else ''}"
    if result.errors:
        summary += f" ({len(result.errors)} could not be analysed)"
    out.append(summary + ".")
    return "\n".join(out) + "\n"
