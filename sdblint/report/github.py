"""The github format: GitHub Actions workflow commands, one ``::error``/``::warning``/``::notice`` line
per finding, which Actions turns into annotations on the pull request's diff.

The lines follow the workflow-command syntax of GitHub's ``@actions/core`` toolkit
(``::command key=value,...::message``) and its escaping. Paths are shown from the current directory:
a workflow step runs in the checkout root, and GitHub resolves annotation paths against it.
"""
from __future__ import annotations

from collections import Counter

from ..facts import ParseError
from ..findings.model import Finding
from ..gate import notes
from ..pipeline import Result
from .concise import coverage_line, unchecked
from .view import ReportView

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
SEVERITIES = ("error", "warning", "info")


def escape_data(text: str) -> str:
    """The message: ``%`` first, so that the escapes added after it are not escaped again."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: ``:`` and ``,`` would otherwise end the value or the property list."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}"


def location(f: Finding, view: ReportView) -> dict[str, object]:
    """Where the annotation goes. Columns only on a one-line range: GitHub's annotations accept
    columns only when start and end line are the same."""
    one_line = f.line == f.end_line
    return {"file": view.shown(f.path), "line": f.line, **({"col": f.column} if one_line else {}),
            "endLine": f.end_line, **({"endColumn": f.end_column} if one_line else {})}


def finding_annotation(f: Finding, view: ReportView) -> str:
    flow = [f"{view.shown(step.path)}:{step.line}: {step.note}" for step in f.flow]
    return command(COMMAND[f.severity], {**location(f, view), "title": f"{f.code} {f.name}"},
                   "\n".join([view.message(f), *flow]))


def error_annotation(e: ParseError, view: ReportView) -> str:
    """A file that could not be checked: an error at its line and column when Python cannot parse it
    (the run fails), else a warning."""
    if e.syntax:
        where = {"file": view.shown(e.path), "line": e.line, "col": e.column}
        return command("error", {**where, "title": "sdblint: Python cannot parse this file"}, e.message)
    where = {"file": view.shown(e.path), **({"line": e.line} if e.line else {})}
    return command("warning", {**where, "title": "sdblint could not check this file"}, e.message)


def summary_notice(result: Result) -> str:
    """The closing notice: Actions shows only 10 annotations of each level per step, so it says
    how many there are and where the complete list is; and what the run recognised, so that a job
    with no annotation says whether sdblint saw any model call at all."""
    counts = Counter(f.severity for f in result.findings)
    total = len(result.findings)
    text = (f"{total} finding{'s' if total != 1 else ''} "
            f"({', '.join(f'{counts[s]} {s}' for s in SEVERITIES)}) in {result.files} "
            f"file{'s' if result.files != 1 else ''}")
    if result.errors:
        text += f"; {unchecked(result.errors)}"
    left_out = notes(result)
    if left_out:
        text += f"; not reported: {', '.join(left_out)}"
    return command("notice", {"title": "sdblint"},
                   f"{text}. {coverage_line(result)} GitHub shows at most 10 annotations of each level per step: "
                   "the full list is in the SARIF report (`--output-format sarif`, uploaded to code scanning).")


def render(result: Result, view: ReportView) -> str:
    out = [error_annotation(e, view) for e in result.errors]
    out += [finding_annotation(f, view) for f in result.findings]
    out.append(summary_notice(result))
    return "\n".join(out) + "\n"
