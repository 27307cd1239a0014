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


def render(result: Result, as_json: bool) -> str:
    rows = counts(result)
    if as_json:
        return json.dumps([{"code": c, "name": name, "count": n} for c, name, n in rows], indent=2) + "\n"
    width = max((len(str(n)) for _, _, n in rows), default=1)
    return "".join(f"{n:>{width}}\t{code}\t{name}\n" for code, name, n in rows)
