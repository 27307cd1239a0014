"""Inserting suppression comments (`check --add-noqa`, the editor's quick fix), as text edits."""
from __future__ import annotations

REASON_PLACEHOLDER = "TODO: say why this is safe"


def comment(codes) -> str:
    return f"# sdblint: ignore[{', '.join(sorted(set(codes)))}] {REASON_PLACEHOLDER}"


def with_suppressions(text: str, codes_by_line: dict[int, set[str]]) -> str:
    """``text`` with a suppression comment at the end of each given line (1-based), after any comment
    already there; line endings are kept as they are."""
    lines = text.splitlines(keepends=True)
    for number, codes in codes_by_line.items():
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
