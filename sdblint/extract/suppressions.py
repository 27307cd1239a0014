"""Suppression comments: `# sdblint: ignore[SDB102] reason` and `# noqa: SDB102`, per line. Codes
may be prefixes (`ignore[SDB1]`), like every other selector. A bare `# noqa` or `# sdblint: ignore`
names no code and suppresses nothing; its lines are recorded so that a run can say so."""
from __future__ import annotations

import io
import re
import tokenize

SUPPRESSION = re.compile(
    r"#\s*(?:sdblint:\s*ignore\[(?P<ids>[A-Z0-9,\s]+)\]|noqa:\s*(?P<noqa>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))",
    re.IGNORECASE,
)
# What follows a waiver's codes on its line: the reason (`# sdblint: ignore[SDB102] fixed command set`).
REASON = re.compile(r"#\s*sdblint:\s*ignore\[[^\]]*\]\s*(?P<reason>.*)$", re.IGNORECASE)
BARE = re.compile(r"#\s*(?:noqa\b(?!\s*:)|sdblint:\s*ignore\b(?!\s*\[))", re.IGNORECASE)


def comments(source: str) -> list[tuple[int, str]]:
    """(line, text) of every comment that may hold a suppression; the tokenizer runs only when a
    line looks like one, so a string containing `# noqa` is never mistaken for a comment."""
    if not (SUPPRESSION.search(source) or BARE.search(source)):
        return []
    found = []
    try:
        # newline="": lines end where Python ends them (\n, \r\n or a lone \r: a CR-only file has lines too)
        for token in tokenize.generate_tokens(io.StringIO(source, newline="").readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.string))
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def suppressions(source: str) -> tuple[tuple[tuple[int, tuple[str, ...]], ...], tuple[int, ...]]:
    """(codes named by suppression comments per line, lines of bare suppressions); comments only,
    never string contents."""
    coded, bare = [], []
    for number, text in comments(source):
        codes: list[str] = []
        for match in SUPPRESSION.finditer(text):
            ids = match.group("ids") or match.group("noqa") or ""
            codes.extend(c.strip().upper() for c in ids.split(",") if c.strip())
        if codes:
            coded.append((number, tuple(codes)))
        elif BARE.search(text):
            bare.append(number)
    return tuple(coded), tuple(bare)


def reason_of(line: str) -> str:
    """The reason a `# sdblint: ignore[CODES] reason` comment on ``line`` gives; empty for none or a `# noqa`."""
    match = REASON.search(line)
    return match.group("reason").strip() if match else ""
