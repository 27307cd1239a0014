"""Suppression comments: `# sdblint: ignore[SDB102] reason` and `# noqa: SDB102`, per line, and
`# sdblint: noqa[SDB102]` on a line of its own, for the whole file. Codes may be prefixes
(`ignore[SDB1]`), like every other selector, separated by commas or spaces (`# noqa: S605 SDB102`,
as ruff accepts). A bare `# noqa` or `# sdblint: ignore` names no code and suppresses nothing; its
lines are recorded so that a run can say so.

A file-wide waiver is recorded under its line number negated (see :func:`file_wide`), so that the
facts keep one table of waivers by line and SDB900 can still point at the comment."""
from __future__ import annotations

import io
import re
import tokenize

CODE = r"[A-Z]+[0-9]+"
SUPPRESSION = re.compile(
    rf"#\s*(?:sdblint:\s*(?P<kind>ignore|noqa)\[(?P<ids>[A-Z0-9,\s]+)\]|noqa:\s*(?P<noqa>{CODE}(?:[\s,]+{CODE})*))",
    re.IGNORECASE,
)
SEPARATORS = re.compile(r"[\s,]+")
# What follows a waiver's codes up to another comment: the reason (`# sdblint: ignore[SDB102] fixed command set`).
REASON = re.compile(r"#\s*sdblint:\s*(?:ignore|noqa)\[[^\]]*\]\s*(?P<reason>[^#]*)", re.IGNORECASE)
BARE = re.compile(r"#\s*(?:noqa\b(?!\s*:)|sdblint:\s*ignore\b(?!\s*\[))", re.IGNORECASE)


def file_wide(line: int) -> int:
    """The key of a file-wide waiver written on ``line``."""
    return -line


def comment_line(key: int) -> int:
    """The line of the comment recorded under ``key`` (a line, or a file-wide waiver's key)."""
    return -key if key < 0 else key


def comments(source: str) -> list[tuple[int, str, bool]]:
    """(line, text, alone on its line) of every comment that may hold a suppression; the tokenizer
    runs only when a line looks like one, so a string containing `# noqa` is never mistaken for a comment."""
    if not (SUPPRESSION.search(source) or BARE.search(source)):
        return []
    found = []
    try:
        # newline="": lines end where Python ends them (\n, \r\n or a lone \r: a CR-only file has lines too)
        for token in tokenize.generate_tokens(io.StringIO(source, newline="").readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.string, token.line.lstrip().startswith("#")))
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def suppressions(source: str) -> tuple[tuple[tuple[int, tuple[str, ...]], ...], tuple[int, ...]]:
    """(codes named by suppression comments per line, file-wide ones under :func:`file_wide` of their
    line; lines of bare suppressions); comments only, never string contents."""
    coded, bare = [], []
    for number, text, alone in comments(source):
        per_line: list[str] = []
        whole_file: list[str] = []
        for match in SUPPRESSION.finditer(text):
            ids = match.group("ids") or match.group("noqa") or ""
            codes = [c.upper() for c in SEPARATORS.split(ids) if c]
            # `# sdblint: noqa[...]` waives the file only from a line of its own, as ruff's `# ruff: noqa`
            (whole_file if (match.group("kind") or "").lower() == "noqa" and alone else per_line).extend(codes)
        if per_line:
            coded.append((number, tuple(per_line)))
        if whole_file:
            coded.append((file_wide(number), tuple(whole_file)))
        if not (per_line or whole_file) and BARE.search(text):
            bare.append(number)
    return tuple(sorted(coded)), tuple(bare)


def reason_of(line: str) -> str:
    """The reason a `# sdblint: ignore[CODES] reason` comment on ``line`` gives; empty for none or a `# noqa`."""
    match = REASON.search(line)
    return match.group("reason").strip() if match else ""
