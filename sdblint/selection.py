"""Which findings a run reports: rule selection, suppression comments, per-file ignores."""
from __future__ import annotations

import fnmatch

from .errors import ConfigError


def expand(codes: tuple[str, ...], known: list[str], source: str, key: str) -> set[str]:
    out: set[str] = set()
    for code in codes:
        prefix = "" if code.upper() == "ALL" else code.upper()
        matched = {k for k in known if k.startswith(prefix)}
        if not matched:
            raise ConfigError(source, key, f"a rule code or prefix such as SDB1 or SDB102, got {code!r}")
        out |= matched
    return out


def selected_codes(known: list[str], select, extend_select, ignore, source: str) -> set[str]:
    chosen = expand(select, known, source, "select") | expand(extend_select, known, source, "extend-select")
    return chosen - expand(ignore, known, source, "ignore")


def suppressed(code: str, lines: tuple[int, int], suppressions: dict[int, tuple[str, ...]]) -> bool:
    """A `# sdblint: ignore[CODE]` or `# noqa: CODE` on any line of the reported statement."""
    return any(code in suppressions.get(n, ()) for n in range(lines[0], lines[1] + 1))


def ignored_for_file(code: str, path: str, per_file_ignores, known: list[str], source: str) -> bool:
    for glob, codes in per_file_ignores:
        if fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], glob):
            if code in expand(codes, known, source, f"per-file-ignores.{glob}"):
                return True
    return False
