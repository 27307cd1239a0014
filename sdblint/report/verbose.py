"""`--verbose`: what a run spent its time on and did with its files, for stderr."""
from __future__ import annotations

from ..pipeline import Result
from .view import ReportView


def verbose_lines(result: Result, view: ReportView) -> list[str]:
    """Seconds per phase, file counts, whether the results were reused, the limits hit, and each
    model call recognised (`path:line callee (family)`)."""
    stats = result.stats
    lines = [f"{phase:<14} {seconds:8.2f} s" for phase, seconds in stats.timings]
    lines.append(f"{'total':<14} {sum(s for _, s in stats.timings):8.2f} s")
    lines.append(f"files: {file_counts(result)}")
    if stats.reused:
        lines.append(f"results: reused from the cache ({stats.reused})")
    limits = ", ".join(f"{name} {n}" for name, n in stats.limits.items()) or "none"
    lines.append(f"limits hit: {limits}")
    lines.append(f"model calls recognised: {len(result.coverage.model_calls)}")
    lines += [f"  {view.shown(c.path)}:{c.line} {c.callee} ({c.family})" for c in result.coverage.model_calls]
    return lines


def file_counts(result: Result) -> str:
    stats = result.stats
    return (f"{stats.files} found, {stats.extracted} parsed, {stats.cached} from the cache, "
            f"{len(result.errors)} could not be analysed")
