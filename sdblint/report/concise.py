"""The concise format: exactly one line per finding, ``path:line:col: severity CODE message``, then
the summary. The VS Code problem matcher in ``editors/vscode/`` reads these lines."""
from __future__ import annotations

from ..findings.model import Finding
from ..gate import notes
from ..pipeline import Result
from .view import ReportView


def finding_line(f: Finding, view: ReportView) -> str:
    return f"{view.shown(f.path)}:{f.line}:{f.column}: {f.severity} {f.code} {f.message}"


def summary_line(result: Result) -> str:
    count = len(result.findings)
    summary = f"Found {count} finding{'s' if count != 1 else ''} in {result.files} file{'s' if result.files != 1 else ''}"
    if result.errors:
        summary += f" ({len(result.errors)} could not be analysed)"
    left_out = notes(result)
    return summary + (f"; not reported: {', '.join(left_out)}." if left_out else ".")


def render(result: Result, view: ReportView) -> str:
    out = [f"{view.shown(e.path)}: error: {e.message}" for e in result.errors]
    out += [finding_line(f, view) for f in result.findings]
    out.append(summary_line(result))
    return "\n".join(out) + "\n"
