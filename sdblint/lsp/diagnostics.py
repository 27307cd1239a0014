"""Findings and parse errors as LSP diagnostics, hovers and quick fixes: plain conversions, no
server state. sdblint counts columns in code points; the client counts them in the units it
negotiated (``positionEncoding``: UTF-16 unless it offered UTF-8 or UTF-32), so each column is
converted with the text of its line."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.workspace import PositionCodec

from ..checks import RuleDoc
from ..facts import ParseError
from ..findings.model import Finding
from ..findings.suppress import comment

SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
            "info": types.DiagnosticSeverity.Information}
SOURCE = "sdblint"
# Where Python and LSP end a line; str.splitlines would also split at a form feed and other breaks.
LINE_END = re.compile(r"\r\n|\r|\n")


def uri_of(root: Path, rel: str) -> str:
    return (root / rel).resolve().as_uri()


def line_range(line: int) -> types.Range:
    """The start of a 1-based line, where a flow step points (column 0 in every encoding)."""
    return types.Range(types.Position(line - 1, 0), types.Position(line - 1, 0))


@dataclass(frozen=True)
class Positions:
    """One file's text, to turn sdblint's 1-based line and code-point column into a client position."""

    lines: tuple[str, ...]
    codec: PositionCodec

    @classmethod
    def of(cls, text: str, codec: PositionCodec) -> Positions:
        return cls(tuple(LINE_END.split(text)), codec)

    def at(self, line: int, column: int) -> types.Position:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        before = text[:column - 1]
        return types.Position(line - 1, self.codec.client_num_units(before) + (column - 1 - len(before)))

    def range(self, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        return types.Range(self.at(line, column), self.at(end_line, end_column))


def diagnostic(f: Finding, root: Path, rule: RuleDoc, positions: Positions) -> types.Diagnostic:
    """The sink is the diagnostic; each step of the flow is related information, so an editor can walk
    from the model call to the action."""
    related = [types.DiagnosticRelatedInformation(types.Location(uri_of(root, s.path), line_range(s.line)), s.note)
               for s in f.flow]
    end_line = f.line if f.end_line is None else f.end_line
    end_column = f.column if f.end_column is None else f.end_column
    return types.Diagnostic(
        range=positions.range(f.line, f.column, end_line, end_column), message=f.message,
        severity=SEVERITY[f.severity], code=f.code, source=SOURCE,
        code_description=types.CodeDescription(href=rule.url), related_information=related or None,
        data={"fingerprint": f.fingerprint, "statement_end": f.stmt_lines[1]})


def error_diagnostic(error: ParseError, positions: Positions, note: str = "") -> types.Diagnostic:
    """A file not analysed: an error where Python cannot parse it, a warning where only sdblint could not.
    CPython's syntax errors point at one character."""
    line, column = error.line or 1, error.column or 1
    return types.Diagnostic(
        range=types.Range(positions.at(line, column), positions.at(line, column + 1)), message=error.message + note,
        severity=types.DiagnosticSeverity.Error if error.syntax else types.DiagnosticSeverity.Warning,
        code=error.kind, source=SOURCE)


def hover(diagnostics: list[types.Diagnostic], position: types.Position, rules: dict[str, RuleDoc]) -> types.Hover | None:
    """The rule's documentation for the sdblint diagnostics under the cursor."""
    docs = [rules[d.code].render() for d in diagnostics if contains(d.range, position) and d.code in rules]
    if not docs:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, "\n---\n".join(dict.fromkeys(docs))))


def contains(r: types.Range, p: types.Position) -> bool:
    return (r.start.line, r.start.character) <= (p.line, p.character) <= (r.end.line, r.end.character)


def suppression_action(uri: str, d: types.Diagnostic, text: str, codec: PositionCodec) -> types.CodeAction:
    """Insert `# sdblint: ignore[CODE] <reason>` at the end of the statement's last line (where a comment
    always fits), as the same text `check --add-noqa` writes."""
    end = d.data["statement_end"] if isinstance(d.data, dict) else d.range.start.line + 1
    lines = LINE_END.split(text)
    at = types.Position(end - 1, codec.client_num_units(lines[end - 1]) if end - 1 < len(lines) else 0)
    edit = types.TextEdit(types.Range(at, at), f"  {comment([str(d.code)])}")
    return types.CodeAction(title=f"Suppress {d.code} on this statement (give a reason)",
                            kind=types.CodeActionKind.QuickFix, diagnostics=[d],
                            edit=types.WorkspaceEdit(changes={uri: [edit]}))
