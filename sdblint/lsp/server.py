"""The language server: publishes diagnostics on open, change and save, from the in-memory buffers
(through the pipeline's ``buffers``), with the rule's page on hover and a suppression quick fix."""
from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..checks import load_rules
from ..config.errors import ConfigError
from ..config.settings import load_settings
from ..extract.cache import DEFAULT_CACHE_DIR
from ..pipeline import Options, run
from .diagnostics import SOURCE, diagnostic, hover, suppression_action, uri_of


class SdblintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("sdblint", __version__)
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}   # uri -> what was last published

    def project_folder(self) -> Path:
        root = self.workspace.root_path
        if root:
            return Path(root)
        documents = list(self.workspace.text_documents.values())
        return Path(documents[0].path).parent if documents else Path.cwd()

    def check(self) -> None:
        """Analyse the project with the open buffers standing in for their files, then publish every
        file's diagnostics and clear those of files that have none any more."""
        try:
            settings = load_settings(None, self.project_folder())
        except ConfigError as exc:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"sdblint: {exc}"))
            return
        buffers = {Path(doc.path): doc.source.encode("utf-8") for doc in self.workspace.text_documents.values()
                   if doc.path.endswith(".py")}
        result = run([settings.root, *buffers], settings, Options(cache_dir=settings.root / DEFAULT_CACHE_DIR), buffers)
        rules = load_rules()
        found: dict[str, list[types.Diagnostic]] = {}
        for f in result.findings:
            found.setdefault(uri_of(settings.root, f.path), []).append(diagnostic(f, settings.root, rules[f.code]))
        for uri in sorted(set(found) | set(self.diagnostics)):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, found.get(uri, [])))
        self.diagnostics = found


def create_server() -> SdblintServer:
    server = SdblintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SdblintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.check()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SdblintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.check()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SdblintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.check()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SdblintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.check()   # the file on disk stands in for the closed buffer again

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: SdblintServer, params: types.HoverParams) -> types.Hover | None:
        return hover(ls.diagnostics.get(params.text_document.uri, []), params.position, load_rules())

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_actions(ls: SdblintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        lines = ls.workspace.get_text_document(uri).lines
        return [suppression_action(uri, d, lines) for d in params.context.diagnostics if d.source == SOURCE]

    return server
