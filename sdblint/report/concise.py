"""The concise format: exactly one line per finding, ``path:line:col: severity CODE message``, and
per file Python cannot parse, ``path:line:col: error: message``; then the summary and what the run
recognised. The VS Code problem matcher in ``editors/vscode/`` reads these lines."""
from __future__ import annotations

from ..facts import ParseError
from ..findings.model import Finding
from ..gate import notes
from ..pipeline import Result
from .view import ReportView


def finding_line(f: Finding, view: ReportView) -> str:
    return f"{view.shown(f.path)}:{f.line}:{f.column}: {f.severity} {f.code} {view.message(f)}"


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


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


# How many families or categories a text summary names; the json format has them all.
BREAKDOWN_SHOWN = 6


def breakdown(counts: tuple[tuple[str, int], ...]) -> str:
    """` (openai 2, anthropic 1)`: the most first, then by name."""
    ordered = sorted(counts, key=lambda item: (-item[1], item[0]))
    shown = [f"{name} {n}" for name, n in ordered[:BREAKDOWN_SHOWN]]
    if len(ordered) > BREAKDOWN_SHOWN:
        shown.append(f"{len(ordered) - BREAKDOWN_SHOWN} more")
    return f" ({', '.join(shown)})" if shown else ""


def coverage_line(result: Result) -> str:
    """What the run recognised; a run that recognised no model call says so, since that, not safe
    code, is then why it reports nothing."""
    c = result.coverage
    tools = f"{counted(c.tool_entry_point_count, 'tool entry point')}{breakdown(c.tool_entry_points)}"
    sinks = counted(c.sink_count, "sink")
    if not c.model_calls:
        followed = f"only the arguments of {tools} were" if c.tool_entry_points else "no model output was"
        return (f"No model call recognised, so {followed} followed ({sinks} recognised). If this code calls a "
                "model through a client sdblint does not know, declare it with [[tool.sdblint.proposer]].")
    return (f"Recognised {counted(len(c.model_calls), 'model call')}{breakdown(c.model_families)}, {tools} and "
            f"{sinks}{breakdown(c.sinks)}.")


def render(result: Result, view: ReportView) -> str:
    out = [error_line(e, view) for e in result.errors]
    out += [finding_line(f, view) for f in result.findings]
    out += [summary_line(result), coverage_line(result)]
    return "\n".join(out) + "\n"
