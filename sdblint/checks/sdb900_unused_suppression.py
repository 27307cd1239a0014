"""SDB900 unused-suppression: a suppression comment that hides no finding (opt-in, like ruff's RUF100).

It runs after selection, on what the suppressions did, so it is not in the registry of checks over
the flow graph; its documentation is in ``rules/rules.toml`` like every rule's.
"""
from __future__ import annotations

from ..findings.model import Finding
from .docs import RuleDoc

UNUSED_SUPPRESSION = "SDB900"


def unused_suppressions(suppressions: dict[str, dict[int, tuple[str, ...]]], used: set[tuple[str, int, str]],
                        selection, known: tuple[str, ...], rule: RuleDoc) -> list[Finding]:
    """A finding per code in a suppression comment that hid nothing in this run. Codes of other tools
    (`# noqa: E501`) are theirs; a code naming no rule that is on for the file cannot be judged; and a
    suppression of this rule itself is left alone."""
    out = []
    for path, lines in sorted(suppressions.items()):
        for line, codes in sorted(lines.items()):
            for named in codes:
                names = [c for c in known if c.startswith(named)]
                if (path, line, named) in used or not names or names == [UNUSED_SUPPRESSION]:
                    continue
                if not any(selection.selects(c, path) for c in names if c != UNUSED_SUPPRESSION):
                    continue
                out.append(Finding.at_line(
                    rule.code, rule.name, rule.severity, path, line,
                    f"unused suppression: no {named} finding on this statement; remove `{named}` from the comment",
                    identity=named, scope=""))
    return out
