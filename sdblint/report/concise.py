"""The concise format: exactly one line per finding, ``path:line:col: severity CODE message``, then
the summary. The VS Code problem matcher in ``editors/vscode/`` reads these lines."""
from __future__ import annotations

from ..facts import ParseError
from ..findings.model import Finding
from ..gate import notes
from ..pipeline import Result
from .view import ReportView


def finding_line(f: Finding, view: ReportView) -> str:
    return f"{view.shown(f.path)}:{f.line}:{f.column}: {f.severity} {f.code} {f.message}"


def error_line(e: ParseError, view: ReportView) -> str:
    """A file that could not be checked; one Python cannot parse with where, as compilers write it
    (`path:line:col: error: message`, which the VS Code problem matcher reads too)."""
    where = f":{e.line}:{e.column}" if e.syntax else ""
    return f"{view.shown(e.path)}{where}: error: {e.message}"


def unchecked(errors: tuple[ParseError, ...]) -> str:
    """How many files were not checked, those Python cannot parse (which fail the run) apart."""
    unparsable = sum(e.syntax for e in errors)
    counts = [f"{unparsable} Python cannot parse"] if unparsable else []
    if len(errors) > unparsable:
        counts.append(f"{len(errors) - unparsable} could not be analysed")
    return ", ".join(counts)


def summary_line(result: Result) -> str:
    count = len(result.findings)
    summary = f"Found {count} finding{'s' if count != 1 else ''} in {result.files} file{'s' if result.files != 1 else ''}"
    if result.errors:
        summary += f" ({unchecked(result.errors)})"
    left_out = notes(result)
    return summary + (f"; not reported: {', '.join(left_out)}." if left_out else ".")


def render(result: Result, view: ReportView) -> str:
    out = [error_line(e, view) for e in result.errors]
    out += [finding_line(f, view) for f in result.findings]
    out.append(summary_line(result))
    return "\n".join(out) + "\n"
