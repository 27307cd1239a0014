"""`sdblint server`, driven by a real LSP client session over stdio: initialize, didOpen,
publishDiagnostics, hover, code action, didChange that removes the flow, shutdown, exit."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

from helpers import MODEL_MODULE, write

UNSAFE = '''import subprocess

from bot.model import propose


def act(task):
    subprocess.run(propose(task), shell=True)
'''
SAFE = UNSAFE.replace("subprocess.run(propose(task), shell=True)", 'subprocess.run(["echo", task])')
TIMEOUT = 120


class Client:
    """JSON-RPC over the server's stdin/stdout with LSP's Content-Length framing."""

    def __init__(self, cwd: Path):
        self.process = subprocess.Popen([sys.executable, "-m", "sdblint", "server"], cwd=cwd, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            if not headers:
                return
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, method: str, params, request_id: int | None = None) -> None:
        body = json.dumps({"jsonrpc": "2.0", "method": method, "params": params,
                           **({"id": request_id} if request_id is not None else {})}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method: str, params):
        self.next_id += 1
        self.send(method, params, self.next_id)
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)["result"]

    def wait(self, wanted) -> dict:
        while True:
            message = self.messages.get(timeout=TIMEOUT)
            if wanted(message):
                return message

    def diagnostics_for(self, uri: str) -> list[dict]:
        note = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
        return note["params"]["diagnostics"]


def test_a_language_server_session_publishes_explains_fixes_and_clears(tmp_path):
    project = write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n", "bot/__init__.py": "", "bot/model.py": MODEL_MODULE,
                               "bot/cli.py": SAFE})
    cli_uri, model_uri = ((project / "bot" / name).resolve().as_uri() for name in ("cli.py", "model.py"))
    client = Client(project)
    try:
        capabilities = client.request("initialize", {"processId": None, "rootUri": project.resolve().as_uri(),
                                                     "capabilities": {}})["capabilities"]
        assert capabilities["hoverProvider"] and capabilities["codeActionProvider"]
        client.send("initialized", {})
        # the editor's buffer, not the file on disk (which is safe), holds the flow
        client.send("textDocument/didOpen", {"textDocument": {"uri": cli_uri, "languageId": "python", "version": 1,
                                                              "text": UNSAFE}})
        (diag,) = client.diagnostics_for(cli_uri)
        assert (diag["code"], diag["source"], diag["severity"]) == ("SDB102", "sdblint", 1)
        assert diag["range"]["start"] == {"line": 6, "character": 4}
        assert diag["codeDescription"]["href"].endswith("#sdb102-unverified-shell-command")
        assert model_uri in [r["location"]["uri"] for r in diag["relatedInformation"]]   # the flow's first step

        shown = client.request("textDocument/hover", {"textDocument": {"uri": cli_uri}, "position": {"line": 6, "character": 10}})
        assert "## What it does" in shown["contents"]["value"]
        (action,) = client.request("textDocument/codeAction", {"textDocument": {"uri": cli_uri}, "range": diag["range"],
                                                               "context": {"diagnostics": [diag]}})
        (edit,) = action["edit"]["changes"][cli_uri]
        assert edit["range"]["start"] == {"line": 6, "character": len("    subprocess.run(propose(task), shell=True)")}
        assert edit["newText"].startswith("  # sdblint: ignore[SDB102] ")

        client.send("textDocument/didChange", {"textDocument": {"uri": cli_uri, "version": 2},
                                               "contentChanges": [{"text": SAFE}]})
        assert client.diagnostics_for(cli_uri) == []
        assert client.request("shutdown", None) is None
        client.send("exit", None)
        assert client.process.wait(timeout=TIMEOUT) == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()
