"""The language server while someone types, in real stdio sessions: a burst of edits, half-typed
code, a broken config, text that is not ASCII, and a client that sends what it should not."""
from __future__ import annotations

import json
import re
import threading
import time

import pytest
from helpers import MODEL_MODULE, write
from lsp_client import SAFE, UNSAFE, Client

KEYSTROKE_GAP = 0.03   # seconds between two edits of a burst, as fast as the issue's
ANALYSIS_DONE = re.compile(r"sdblint: analysis (\d+) done")


def project(tmp_path, config: str = "[tool.sdblint]\n", cli: str = SAFE):
    root = write(tmp_path, {"pyproject.toml": config, "bot/__init__.py": "", "bot/model.py": MODEL_MODULE,
                            "bot/cli.py": cli})
    return root, (root / "bot" / "cli.py").resolve().as_uri(), (root / "bot" / "model.py").resolve().as_uri()


@pytest.fixture
def session(tmp_path):
    clients = []

    def start(root):
        clients.append(Client(root))
        return clients[-1]
    yield start
    for client in clients:
        client.kill()


def codes(published: dict) -> list[str]:
    return [d["code"] for d in published["diagnostics"]]


def last_analysis(client: Client) -> int:
    return max(int(ANALYSIS_DONE.match(m).group(1)) for m in client.logged("sdblint: analysis") if ANALYSIS_DONE.match(m))


def test_a_burst_of_edits_is_analysed_when_it_pauses_and_published_with_the_last_version(tmp_path, session):
    root, cli_uri, _ = project(tmp_path)
    client = session(root)
    client.initialize(root)
    client.open(cli_uri, UNSAFE)
    assert codes(client.published(cli_uri, 1)) == ["SDB102"]
    before = last_analysis(client)
    edits = 20
    for typed in range(1, edits + 1):   # a comment typed one key at a time above the flow: the sink moves down a line
        client.change(cli_uri, "#" + "x" * typed + "\n" + UNSAFE, version=1 + typed)
        time.sleep(KEYSTROKE_GAP)
    final = client.published(cli_uri, 1 + edits)
    (diagnostic,) = final["diagnostics"]
    assert diagnostic["range"]["start"] == {"line": 7, "character": 4}
    analyses = last_analysis(client) - before
    assert 1 <= analyses < edits
    versions = [m["params"]["version"] for m in client.received
                if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == cli_uri]
    assert versions == sorted(versions) and versions[-1] == 1 + edits
    # hover and quick fix answer from what was published, at the moved line
    shown = client.request("textDocument/hover", {"textDocument": {"uri": cli_uri}, "position": {"line": 7, "character": 8}})
    assert "## What it does" in shown["contents"]["value"]
    client.close()


@pytest.mark.parametrize(("offered", "announced", "codec", "width"), [
    (None, "utf-16", "utf-16-le", 2), (["utf-16"], "utf-16", "utf-16-le", 2),
    (["utf-8", "utf-16"], "utf-8", "utf-8", 1), (["utf-32"], "utf-32", "utf-32-le", 4)])
def test_columns_after_non_ascii_text_are_counted_in_the_negotiated_encoding(tmp_path, session, offered, announced,
                                                                              codec, width):
    before, call = '    x = "🚀🚀"; ', "subprocess.run(propose(task), shell=True)"
    text = UNSAFE.replace(f"    {call}", before + call)
    root, cli_uri, _ = project(tmp_path)
    client = session(root)
    capabilities = client.initialize(root, {"general": {"positionEncodings": offered}} if offered else {})
    assert capabilities["positionEncoding"] == announced
    client.open(cli_uri, text)
    (diagnostic,) = client.published(cli_uri, 1)["diagnostics"]

    def units(s: str) -> int:
        return len(s.encode(codec)) // width
    assert diagnostic["range"] == {"start": {"line": 6, "character": units(before)},
                                   "end": {"line": 6, "character": units(before + call)}}
    inside = {"line": 6, "character": units(before) + 2}
    assert client.request("textDocument/hover", {"textDocument": {"uri": cli_uri}, "position": inside}) is not None
    (action,) = client.request("textDocument/codeAction", {"textDocument": {"uri": cli_uri}, "range": diagnostic["range"],
                                                           "context": {"diagnostics": [diagnostic]}})
    (edit,) = action["edit"]["changes"][cli_uri]
    assert edit["range"]["start"] == {"line": 6, "character": units(before + call)}
    client.close()


def test_a_buffer_that_does_not_parse_shows_its_syntax_error_and_keeps_the_last_good_findings(tmp_path, session):
    root, cli_uri, model_uri = project(tmp_path)
    client = session(root)
    client.initialize(root)
    client.open(model_uri, MODEL_MODULE)
    client.open(cli_uri, UNSAFE)
    assert codes(client.published(cli_uri, 1)) == ["SDB102"]

    client.change(cli_uri, UNSAFE + "\n\ndef half(task:\n", version=2)   # half-typed
    published = client.published(cli_uri, 2)
    assert codes(published) == ["syntax-error", "SDB102"]
    syntax, kept = published["diagnostics"]
    assert (syntax["severity"], syntax["range"]["start"]["line"]) == (1, 9)
    assert "last version of this file that parsed" in syntax["message"]
    assert kept["range"]["start"] == {"line": 6, "character": 4}

    # the model wrapper half-typed: the flow through it into cli.py stays, from its last text that parsed
    client.change(model_uri, MODEL_MODULE + "\nif (\n", version=2)
    assert codes(client.published(model_uri, 2)) == ["syntax-error"]
    client.change(cli_uri, UNSAFE, version=3)
    assert codes(client.published(cli_uri, 3)) == ["SDB102"]

    # parsing again, the buffers' own text counts: no flow once the shell call is gone
    client.change(model_uri, MODEL_MODULE, version=3)
    assert codes(client.published(model_uri, 3)) == []
    client.change(cli_uri, SAFE, version=4)
    assert codes(client.published(cli_uri, 4)) == []

    # a new file that never parsed has only its syntax error (no text of it stands in)
    new_uri = (root / "bot" / "new.py").resolve().as_uri()
    client.open(new_uri, "def f(:\n")
    assert codes(client.published(new_uri, 1)) == ["syntax-error"]
    client.close()


def test_a_config_error_is_shown_once_per_config_change_not_once_per_edit(tmp_path, session):
    root, cli_uri, _ = project(tmp_path, config='[tool.sdblint]\nfail-on = "loud"\n')
    client = session(root)
    client.initialize(root)
    client.open(cli_uri, UNSAFE)

    def edit_and_wait_for_its_analysis(version: int) -> None:
        client.change(cli_uri, UNSAFE + "#" * version + "\n", version=version)
        client.wait(lambda m: m.get("method") == "window/logMessage" and f"analysis {version}" in m["params"]["message"])

    client.wait(lambda m: m.get("method") == "window/logMessage" and "analysis 1 failed" in m["params"]["message"])
    for version in range(2, 5):   # each edit analysed on its own, each failing on the same config
        edit_and_wait_for_its_analysis(version)
    (root / "pyproject.toml").write_text("[tool.sdblint]\nselect = 5\n")
    for version in range(5, 8):
        edit_and_wait_for_its_analysis(version)
    assert len(client.logged("sdblint: analysis")) == 7
    (root / "pyproject.toml").write_text("[tool.sdblint]\n")
    client.change(cli_uri, UNSAFE, version=8)
    assert codes(client.published(cli_uri, 8)) == ["SDB102"]
    (root / "pyproject.toml").write_text('[tool.sdblint]\nfail-on = "loud"\n')   # broken again: said again
    edit_and_wait_for_its_analysis(9)
    shown = client.shown()
    assert len(shown) == 3
    assert "fail-on" in shown[0] and "select" in shown[1] and shown[2] == shown[0]
    client.close()


@pytest.mark.parametrize("params", [[1, 2], 5, "hover", None, {}, {"textDocument": {"uri": "file:///x.py"}}])
def test_a_request_whose_params_cannot_be_read_is_answered_with_invalid_params(tmp_path, session, params):
    root, cli_uri, _ = project(tmp_path)
    client = session(root)
    client.initialize(root)
    assert client.ask("textDocument/hover", params)["error"]["code"] == -32602
    client.send("textDocument/didChange", params)   # a notification gets no answer, and breaks nothing
    client.open(cli_uri, UNSAFE)
    assert codes(client.published(cli_uri, 1)) == ["SDB102"]
    assert client.ask("textDocument/hover", {"textDocument": {"uri": cli_uri}, "position": {"line": 0, "character": 0}}) \
        == {"jsonrpc": "2.0", "id": client.next_id, "result": None}
    client.close()


def test_a_quick_fix_asked_for_a_file_neither_open_nor_on_disk_is_an_empty_answer(tmp_path, session):
    root, _, _ = project(tmp_path)
    client = session(root)
    client.initialize(root)
    at = {"start": {"line": 6, "character": 4}, "end": {"line": 6, "character": 8}}
    missing = {"textDocument": {"uri": (root / "gone.py").as_uri()}, "range": at, "context": {"diagnostics": [
        {"range": at, "message": "m", "source": "sdblint", "code": "SDB102", "data": {"statement_end": 7}}]}}
    assert client.ask("textDocument/codeAction", missing) == {"jsonrpc": "2.0", "id": client.next_id, "result": []}
    client.close()


@pytest.mark.parametrize(("message", "answer_id"), [
    ({"id": 7, "method": "textDocument/hover", "params": {}}, 7),   # no "jsonrpc": not a JSON-RPC request
    ([{"jsonrpc": "2.0", "id": 8, "method": "shutdown"}], None),     # a batch, which LSP does not have
    ({"jsonrpc": "2.0", "id": {"not": "an id"}, "method": "textDocument/hover", "params": {}}, None)])
def test_a_message_that_is_no_lsp_request_is_answered_with_invalid_request(tmp_path, session, message, answer_id):
    root, cli_uri, _ = project(tmp_path)
    client = session(root)
    client.initialize(root)
    body = json.dumps(message).encode()
    client.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    answer = client.wait(lambda m: "error" in m)
    assert (answer["id"], answer["error"]["code"]) == (answer_id, -32600)
    client.open(cli_uri, UNSAFE)
    assert codes(client.published(cli_uri, 1)) == ["SDB102"]
    client.close()


@pytest.mark.parametrize("headers", [b"", b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n",
                                     b"\r\n"])
def test_the_session_goes_on_after_a_message_without_content_length(tmp_path, session, headers):
    root, cli_uri, _ = project(tmp_path)
    client = session(root)
    client.initialize(root)
    lost = json.dumps({"jsonrpc": "2.0", "id": 900, "method": "textDocument/hover",
                       "params": {"textDocument": {"uri": cli_uri}, "position": {"line": 0, "character": 0}}})
    client.write(headers + lost.encode())
    client.open(cli_uri, UNSAFE)
    assert codes(client.published(cli_uri, 1)) == ["SDB102"]
    shown = client.request("textDocument/hover", {"textDocument": {"uri": cli_uri}, "position": {"line": 6, "character": 8}})
    assert "## What it does" in shown["contents"]["value"]
    client.close()


def test_the_scheduler_analyses_the_latest_snapshot_once_and_marks_a_running_one_stale():
    """Without timing: the first analysis is held until the test lets it go."""
    from sdblint.lsp.scheduler import Scheduler

    started, release, done = threading.Event(), threading.Event(), threading.Event()
    seen: list[tuple[str, bool]] = []

    def analyse(snapshot: str, stale) -> None:
        if snapshot == "first":
            started.set()
            release.wait()
        seen.append((snapshot, stale()))
        if snapshot == "last":
            done.set()

    scheduler = Scheduler(analyse, delay=0)
    scheduler.submit("first")
    started.wait()
    for snapshot in ("second", "third", "last"):   # while "first" runs: only the last of them is analysed
        scheduler.submit(snapshot)
    release.set()
    done.wait()
    scheduler.stop()
    assert seen == [("first", True), ("last", False)]


def test_a_cancelled_run_stops_at_the_next_phase(tmp_path):
    from sdblint.config.settings import load_settings
    from sdblint.pipeline import Cancelled, Options, run

    root, _, _ = project(tmp_path, cli=UNSAFE)
    settings = load_settings(None, root)
    entered: list[str] = []

    def cancelled() -> bool:   # asked as each phase starts: the fourth is cancelled, and nothing after it runs
        entered.append("asked")
        return len(entered) == 4
    with pytest.raises(Cancelled):
        run([root], settings, Options(cancelled=cancelled))
    assert len(entered) == 4
    assert [f.code for f in run([root], settings, Options(cancelled=lambda: False)).findings] == ["SDB102"]


def test_a_cold_session_on_a_project_extracted_in_worker_processes_publishes(tmp_path, session):
    """Forked extraction workers close sys.stdin first: with the client's reader thread holding its
    lock, the first analysis of any project with PARALLEL_THRESHOLD files to extract hung forever."""
    from sdblint.extract.runner import PARALLEL_THRESHOLD

    root, cli_uri, _ = project(tmp_path)
    write(root, {f"bot/helpers_{n}.py": f"def helper_{n}(x):\n    return x + {n}\n" for n in range(PARALLEL_THRESHOLD)})
    client = session(root)
    client.initialize(root)
    client.open(cli_uri, UNSAFE)
    assert codes(client.published(cli_uri, 1)) == ["SDB102"]
    client.close()
