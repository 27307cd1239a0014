"""Inserting suppression comments (`check --add-noqa`, the editor's quick fix), as text edits."""
from __future__ import annotations

import io

REASON_PLACEHOLDER = "TODO: say why this is safe"


def comment(codes) -> str:
    return f"# sdblint: ignore[{', '.join(sorted(set(codes)))}] {REASON_PLACEHOLDER}"


class NoSuchLine(ValueError):
    """A finding's line is not in the text (the file changed since it was checked)."""


def python_lines(text: str) -> list[str]:
    """The lines of ``text`` as Python counts them, each with its line break: only `\n`, `\r\n`
    and a lone `\r` end a line. (`str.splitlines` also breaks at a form feed, `\x0b`, `\x1c`-`\x1e`,
    `\x85`, `\u2028` and `\u2029`, which Python reads as part of the line: a comment added there
    would land on another line than the finding's.)"""
    return io.StringIO(text, newline="").readlines()


def with_suppressions(text: str, codes_by_line: dict[int, set[str]]) -> str:
    """``text`` with a suppression comment at the end of each given line (1-based), after any comment
    already there; line endings are kept as they are. :class:`NoSuchLine` if a line is not there."""
    lines = python_lines(text)
    for number, codes in codes_by_line.items():
        if not 1 <= number <= len(lines):
            raise NoSuchLine(f"line {number} is not in the file (it has {len(lines)}): has it changed since it was checked?")
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        lines[number - 1] = f"{body}  {comment(codes)}{line[len(body):]}"
    return "".join(lines)


def suppression_lines(findings) -> dict[str, dict[int, set[str]]]:
    """Path -> line -> codes: each finding is waived on the last line of its statement, where a
    comment can always go (never inside the call's brackets or a string)."""
    out: dict[str, dict[int, set[str]]] = {}
    for f in findings:
        out.setdefault(f.path, {}).setdefault(f.stmt_lines[1], set()).add(f.code)
    return out
