"""The language server: analyses the project with the open buffers standing in for their files once
a burst of edits has paused (see :mod:`.scheduler`), publishes each file's diagnostics with the
version of the buffer they describe, and answers hovers and quick fixes at once from what it last
published."""
from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..checks import load_rules
from ..config.errors import ConfigError
from ..config.settings import load_settings
from ..extract.cache import DEFAULT_CACHE_DIR
from ..pipeline import Cancelled, Options, Result, run
from .buffers import Document, Inputs, LastGood, Snapshot
from .diagnostics import SOURCE, Positions, diagnostic, error_diagnostic, hover, suppression_action, uri_of
from .scheduler import Scheduler
from .transport import FramedReader, GuardedProtocol

KEPT_NOTE = " (the findings shown are from the last version of this file that parsed)"


class SdblintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("sdblint", __version__, protocol_cls=GuardedProtocol)
        self.published: dict[str, list[types.Diagnostic]] = {}   # uri -> diagnostics (server thread only)
        self.loop: asyncio.AbstractEventLoop | None = None
        # Only the analysis thread touches these three.
        self.last_good = LastGood()
        self.shown: str | None = None    # the error last shown to the user; shown again only when it changes
        self.analyses = 0
        self.scheduler: Scheduler[Snapshot] = Scheduler(self.analyse)

    def project_folder(self) -> Path:
        root = self.workspace.root_path
        if root:
            return Path(root)
        documents = list(self.workspace.text_documents.values())
        return Path(documents[0].path).parent if documents else Path.cwd()

    def changed(self) -> None:
        """A buffer was opened, edited, saved or closed: analyse the new state once edits pause."""
        self.loop = asyncio.get_running_loop()
        documents = tuple(Document(d.uri, Path(d.path), d.version, d.source)
                          for d in self.workspace.text_documents.values() if d.path.endswith(".py"))
        self.scheduler.submit(Snapshot(self.project_folder(), documents, self.workspace.position_codec))

    def on_server_thread(self, action: Callable[[], None]) -> None:
        """Everything the client receives is sent from the server's own thread, in order."""
        assert self.loop is not None   # set by the notification that asked for the analysis
        self.loop.call_soon_threadsafe(action)

    def analyse(self, snapshot: Snapshot, stale: Callable[[], bool]) -> None:
        """One analysis, on the analysis thread; nothing is published when a newer snapshot came meanwhile."""
        self.analyses += 1
        number, started = self.analyses, time.perf_counter()
        try:
            settings = load_settings(None, snapshot.folder)
            inputs = self.last_good.inputs(snapshot.documents)
            result = run([settings.root, *inputs.buffers], settings,
                         Options(cache_dir=settings.root / DEFAULT_CACHE_DIR, cancelled=stale), inputs.buffers)
            found = diagnostics_by_uri(result, settings.root, inputs, snapshot)
        except Cancelled as cancelled:
            self.on_server_thread(lambda: self.log(f"sdblint: analysis {number} cancelled before its {cancelled} "
                                                   "phase: the buffers changed"))
            return
        except Exception as error:  # a config error, or a bug of ours: it must not end the analysis thread
            message = f"sdblint: {error}" if isinstance(error, ConfigError) else \
                f"sdblint: internal error: {type(error).__name__}: {error}"
            self.show_once(message)
            self.on_server_thread(lambda: self.log(f"sdblint: analysis {number} failed: {message}"))
            return
        self.shown = None
        if stale():
            return
        summary = f"sdblint: analysis {number} done in {time.perf_counter() - started:.2f} s ({result.files} files)"
        self.on_server_thread(lambda: self.publish(snapshot, found, summary))

    def show_once(self, message: str) -> None:
        """An error the user must see, once until it changes: repeated on every keystroke it would
        only be in the way (the log has every one)."""
        if message != self.shown:
            self.shown = message
            self.on_server_thread(lambda: self.window_show_message(
                types.ShowMessageParams(types.MessageType.Error, message)))

    def log(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(types.MessageType.Log, message))

    def publish(self, snapshot: Snapshot, found: dict[str, list[types.Diagnostic]], summary: str) -> None:
        """Every open buffer's diagnostics with its version (an editor drops those of an older one),
        and those of other files that changed."""
        self.log(summary)
        versions = {d.uri: d.version for d in snapshot.documents}
        for uri in sorted(set(found) | set(self.published)):
            diagnostics = found.get(uri, [])
            if uri in versions or diagnostics != self.published.get(uri, []):
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, diagnostics, versions.get(uri)))
        self.published = found


def diagnostics_by_uri(result: Result, root: Path, inputs: Inputs, snapshot: Snapshot) -> dict[str, list[types.Diagnostic]]:
    """The findings and the files not analysed, per file (an open file under the URI its client
    gave); a buffer that does not parse gets its own syntax error and keeps what its last text
    that parsed gave."""
    rules = load_rules()
    client_uris = {d.path.resolve().as_uri(): d.uri for d in snapshot.documents}
    positions: dict[str, Positions] = {}

    def positions_of(rel: str) -> Positions:
        if rel not in positions:
            file = result.sources.get(rel, root / rel).resolve()
            positions[rel] = Positions.of(inputs.texts[file] if file in inputs.texts else disk_text(file),
                                          snapshot.codec)
        return positions[rel]

    def uri(rel: str) -> str:
        plain = uri_of(root, rel)
        return client_uris.get(plain, plain)

    found: dict[str, list[types.Diagnostic]] = {}
    for f in result.findings:
        found.setdefault(uri(f.path), []).append(diagnostic(f, root, rules[f.code], positions_of(f.path)))
    for error in result.errors:
        if uri(error.path) not in inputs.broken:   # the buffer's own error, below, replaces the file's on disk
            found.setdefault(uri(error.path), []).append(error_diagnostic(error, positions_of(error.path)))
    for d in snapshot.documents:
        if d.uri in inputs.broken:
            note = KEPT_NOTE if found.get(d.uri) else ""
            found.setdefault(d.uri, []).insert(0, error_diagnostic(inputs.broken[d.uri], Positions.of(d.text, snapshot.codec), note))
    return found


def disk_text(file: Path) -> str:
    try:
        return file.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def create_server() -> SdblintServer:
    server = SdblintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SdblintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.changed()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SdblintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.changed()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SdblintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.changed()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SdblintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.changed()   # the file on disk stands in for the closed buffer again

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: SdblintServer, params: None) -> None:
        ls.scheduler.stop()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: SdblintServer, params: types.HoverParams) -> types.Hover | None:
        return hover(ls.published.get(params.text_document.uri, []), params.position, load_rules())

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_actions(ls: SdblintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri, rules = params.text_document.uri, load_rules()
        try:
            text = ls.workspace.get_text_document(uri).source   # a file not open is read from disk
        except (OSError, UnicodeDecodeError):   # nor on disk: nothing to insert a comment into
            return []
        return [suppression_action(uri, d, text, ls.workspace.position_codec) for d in params.context.diagnostics
                if d.source == SOURCE and d.code in rules]

    return server


def serve() -> None:
    """The server on standard input and output. The protocol reads and writes duplicates of them,
    and the process's own stdin and stdout become /dev/null and stderr: a worker process forked to
    extract files closes ``sys.stdin`` first, which would wait forever on the lock of the thread
    that reads the client (the session hung on any project with files to extract in parallel), and
    anything printed by accident must not land in the client's stream."""
    client_in = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    client_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, sys.stdin.fileno())
    os.close(nothing)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    create_server().start_io(FramedReader(client_in), client_out)
