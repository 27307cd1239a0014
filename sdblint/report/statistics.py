"""`--statistics`: the count of findings per rule instead of the findings (ruff's convention)."""
from __future__ import annotations

import json
from collections import Counter

from ..pipeline import Result


def counts(result: Result) -> list[tuple[str, str, int]]:
    """(code, name, count) per rule with findings, most frequent first, then by code."""
    names = {f.code: f.name for f in result.findings}
    per_code = Counter(f.code for f in result.findings)
    return sorted(((code, names[code], n) for code, n in per_code.items()), key=lambda t: (-t[2], t[0]))


def render(result: Result, machine: bool) -> str:
    rows = counts(result)
    if machine:
        return json.dumps([{"code": c, "name": name, "count": n} for c, name, n in rows], indent=2) + "\n"
    width = max((len(str(n)) for _, _, n in rows), default=1)
    return "".join(f"{n:>{width}}\t{code}\t{name}\n" for code, name, n in rows)


def verbose_lines(result: Result) -> list[str]:
    """`--verbose`: seconds per phase and what the run did with its files."""
    stats = result.stats
    lines = [f"{phase:<14} {seconds:8.2f} s" for phase, seconds in stats.timings]
    lines.append(f"{'total':<14} {sum(s for _, s in stats.timings):8.2f} s")
    lines.append(f"files: {stats.files} found, {stats.extracted} parsed, {stats.cached} from the cache, "
                 f"{len(result.errors)} could not be analysed")
    if stats.reused:
        lines.append("results: reused from the cache (no file, setting or sdblint code changed)")
    limits = ", ".join(f"{name} {n}" for name, n in stats.limits.items()) or "none"
    lines.append(f"limits hit: {limits}")
    return lines
