"""The gate: which of a run's findings a CI gate or a hook reports, after the analysis.

The analysis always sees the whole project (flows cross files); the gate then keeps the findings
that are new against a baseline (:mod:`.baseline`) or against a git revision (:mod:`.revision`), or
that touch the files a hook was given (:func:`touching`). What it leaves out is counted in
``Result.gate`` and said in every summary, so nothing disappears silently; the findings it leaves out
as known (in the baseline, present at the revision) stay in ``Result.unchanged``, for the SARIF
report's ``baselineState``.
"""
from __future__ import annotations

from dataclasses import replace

from ..findings.model import Finding
from ..pipeline import Result


def locations(f: Finding) -> set[tuple[str, int]]:
    """Every (path, line) a finding's flows touch: the sink's lines, each step, each model call."""
    return ({(f.path, n) for n in range(f.line, f.end_line + 1)} | {(s.path, s.line) for flow in f.flows for s in flow}
            | {(s.path, s.line) for s in f.sources})


def touching(findings, lines_of) -> list[Finding]:
    """The findings with a step on a line that ``lines_of(path)`` (a set of lines, or ``None`` for the
    whole file, or an empty set for none) says is of interest."""
    def touched(f: Finding) -> bool:
        for path, line in locations(f):
            lines = lines_of(path)
            if lines is None or line in lines:
                return True
        return False
    return [f for f in findings if touched(f)]


# How each count of ``Result.gate`` reads in a summary.
NOTES = {
    "baseline_matched": "{n} in the baseline",
    "baseline_stale": "{n} stale baseline entries (fixed or moved; `sdblint baseline` rewrites the file)",
    "existed_at_rev": "{n} already present at the --diff revision",
    "outside_files": "{n} touching none of the given files",
}


def notes(result: Result) -> list[str]:
    return [NOTES[key].format(n=n) for key, n in result.gate if n]


def gated(result: Result, kept: list[Finding], unchanged: list[Finding] | None = None, **counts: int) -> Result:
    """``result`` reporting only ``kept``, with what was left out counted under ``counts``' names;
    ``unchanged`` (given when the gate compared against a baseline or a revision): the findings
    left out because they were there before."""
    if unchanged is None:
        return replace(result, findings=tuple(kept), gate=result.gate + tuple(counts.items()))
    return replace(result, findings=tuple(kept), gate=result.gate + tuple(counts.items()), compared=True,
                   unchanged=tuple(sorted((*result.unchanged, *unchanged), key=position)))


def position(f: Finding) -> tuple:
    return f.path, f.line, f.column, f.code


def changed_first(findings, changed: dict[str, set[int] | None]) -> list[Finding]:
    """``findings`` with those that have a step on a changed line (``changed``: path -> lines, ``None``
    for a whole new file) first, each part in its own order: what a reviewer of the change reads first."""
    on_changed = touching(findings, lambda path: changed.get(path, set()))
    first = {id(f) for f in on_changed}
    return on_changed + [f for f in findings if id(f) not in first]
