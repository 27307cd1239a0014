"""The gate: which of a run's findings a CI gate or a hook reports, after the analysis.

The analysis always sees the whole project (flows cross files); the gate then keeps the findings
that are new against a baseline (:mod:`.baseline`), that touch lines changed since a git revision
(:mod:`.diff`), or that touch the files a hook was given (:func:`touching`). What it leaves out is
counted in ``Result.gate`` and said in every summary, so nothing disappears silently.
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
    "outside_diff": "{n} on no line changed since the --diff revision",
    "outside_files": "{n} touching none of the given files",
}


def notes(result: Result) -> list[str]:
    return [NOTES[key].format(n=n) for key, n in result.gate if n]


def gated(result: Result, kept: list[Finding], **counts: int) -> Result:
    """``result`` reporting only ``kept``, with what was left out counted under ``counts``' names."""
    return replace(result, findings=tuple(kept), gate=result.gate + tuple(counts.items()))
