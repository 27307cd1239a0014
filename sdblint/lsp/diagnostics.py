"""Findings as LSP diagnostics, hovers and quick fixes: plain conversions, no server state."""
from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from ..checks import RuleDoc
from ..findings.model import Finding
from ..findings.suppress import comment

SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
            "info": types.DiagnosticSeverity.Information}
SOURCE = "sdblint"


def uri_of(root: Path, rel: str) -> str:
    return (root / rel).resolve().as_uri()


def line_range(line: int, column: int = 1, end_line: int | None = None, end_column: int | None = None) -> types.Range:
    """1-based lines and columns (sdblint's) to a 0-based LSP range."""
    end_line = line if end_line is None else end_line
    end_column = column if end_column is None else end_column
    return types.Range(types.Position(line - 1, column - 1), types.Position(end_line - 1, end_column - 1))


def diagnostic(f: Finding, root: Path, rule: RuleDoc) -> types.Diagnostic:
    """The sink is the diagnostic; each step of the flow is related information, so an editor can walk
    from the model call to the action."""
    related = [types.DiagnosticRelatedInformation(types.Location(uri_of(root, s.path), line_range(s.line)), s.note)
               for s in f.flow]
    return types.Diagnostic(
        range=line_range(f.line, f.column, f.end_line, f.end_column), message=f.message,
        severity=SEVERITY[f.severity], code=f.code, source=SOURCE,
        code_description=types.CodeDescription(href=rule.url), related_information=related or None,
        data={"fingerprint": f.fingerprint, "statement_end": f.stmt_lines[1]})


def hover(diagnostics: list[types.Diagnostic], position: types.Position, rules: dict[str, RuleDoc]) -> types.Hover | None:
    """The rule's documentation for the sdblint diagnostics under the cursor."""
    docs = [rules[d.code].render() for d in diagnostics if contains(d.range, position) and d.code in rules]
    if not docs:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, "\n---\n".join(dict.fromkeys(docs))))


def contains(r: types.Range, p: types.Position) -> bool:
    return (r.start.line, r.start.character) <= (p.line, p.character) <= (r.end.line, r.end.character)


def suppression_action(uri: str, d: types.Diagnostic, lines: list[str]) -> types.CodeAction:
    """Insert `# sdblint: ignore[CODE] <reason>` at the end of the statement's last line (where a comment
    always fits), as the same text `check --add-noqa` writes."""
    end = d.data["statement_end"] if isinstance(d.data, dict) else d.range.start.line + 1
    text = lines[end - 1].rstrip("\r\n") if end - 1 < len(lines) else ""
    at = types.Position(end - 1, len(text.encode("utf-16-le")) // 2)   # LSP counts UTF-16 code units
    edit = types.TextEdit(types.Range(at, at), f"  {comment([str(d.code)])}")
    return types.CodeAction(title=f"Suppress {d.code} on this statement (give a reason)",
                            kind=types.CodeActionKind.QuickFix, diagnostics=[d],
                            edit=types.WorkspaceEdit(changes={uri: [edit]}))
