"""SDB900 unused-suppression: a suppression comment that hides no finding (opt-in, like ruff's RUF100).

It runs after selection, on what the suppressions did, so it is not in the registry of checks over
the flow graph; its documentation is in ``rules/rules.toml`` like every rule's.
"""
from __future__ import annotations

import re

from ..extract.suppressions import comment_line, reason_of
from ..findings.model import Finding
from ..findings.suppress import REASON_PLACEHOLDER
from .docs import RuleDoc

# Python's own line breaks (str.splitlines() also breaks on form feeds and more, which Python does not).
LINE_BREAK = re.compile(r"\r\n|\r|\n")

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
                    rule.code, rule.name, rule.severity, path, comment_line(line),
                    f"unused suppression: no {named} finding on this statement; remove `{named}` from the comment",
                    identity=named, scope=""))
    return out


def placeholder_waivers(sources: dict[str, bytes], suppressions: dict[str, dict[int, tuple[str, ...]]],
                        rule: RuleDoc) -> list[Finding]:
    """A finding per suppression comment whose reason is still the one `--add-noqa` wrote, so that
    "TODO: say why" does not stay forever. ``sources``: the text of each file with suppressions."""
    out = []
    for path, lines in sorted(suppressions.items()):
        text = LINE_BREAK.split(sources[path].decode("utf-8", "replace")) if path in sources else []
        for line in sorted({comment_line(key) for key in lines}):
            if line <= len(text) and reason_of(text[line - 1]) == REASON_PLACEHOLDER:
                out.append(Finding.at_line(
                    rule.code, rule.name, rule.severity, path, line,
                    f"the waiver's reason is still the --add-noqa placeholder `{REASON_PLACEHOLDER}`: "
                    "say why the flow is safe, or fix it", identity="placeholder", scope=""))
    return out
