"""A real LSP client for the tests: `sdblint server` in a subprocess, JSON-RPC over its stdin and
stdout with LSP's Content-Length framing, every message it sends kept in order."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

TIMEOUT = 120
# bot/cli.py of the tests' project: the model's output reaches a shell through bot.model.propose.
UNSAFE = """import subprocess

from bot.model import propose


def act(task):
    subprocess.run(propose(task), shell=True)
"""
SAFE = UNSAFE.replace("subprocess.run(propose(task), shell=True)", 'subprocess.run(["echo", task])')


class Client:
    def __init__(self, cwd: Path):
        self.process = subprocess.Popen([sys.executable, "-m", "sdblint", "server"], cwd=cwd, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.received: list[dict] = []   # everything read so far, in order (what `wait` has consumed too)
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

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

    def _drain_stderr(self) -> None:
        for _ in self.process.stderr:   # the server's log; a full pipe would block it
            pass

    def write(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, method: str, params, request_id: int | None = None) -> None:
        body = json.dumps({"jsonrpc": "2.0", "method": method, "params": params,
                           **({"id": request_id} if request_id is not None else {})}).encode()
        self.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def ask(self, method: str, params) -> dict:
        """The whole response to a request: its ``result`` or its ``error``."""
        self.next_id += 1
        request_id = self.next_id
        self.send(method, params, request_id)
        return self.wait(lambda m: m.get("id") == request_id and "method" not in m)

    def request(self, method: str, params):
        return self.ask(method, params)["result"]

    def wait(self, wanted) -> dict:
        while True:
            message = self.messages.get(timeout=TIMEOUT)
            self.received.append(message)
            if wanted(message):
                return message

    def published(self, uri: str, version: int | None = None) -> dict:
        """The next publishDiagnostics for ``uri`` (for that version of the buffer, if given): its params."""
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                         and (version is None or m["params"].get("version") == version))["params"]

    def diagnostics_for(self, uri: str) -> list[dict]:
        return self.published(uri)["diagnostics"]

    def initialize(self, root: Path, capabilities: dict | None = None) -> dict:
        result = self.request("initialize", {"processId": None, "rootUri": root.resolve().as_uri(),
                                             "capabilities": capabilities or {}})
        self.send("initialized", {})
        return result["capabilities"]

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version,
                                                            "text": text}})

    def change(self, uri: str, text: str, version: int) -> None:
        self.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                             "contentChanges": [{"text": text}]})

    def logged(self, prefix: str) -> list[str]:
        return [m["params"]["message"] for m in self.received
                if m.get("method") == "window/logMessage" and m["params"]["message"].startswith(prefix)]

    def shown(self) -> list[str]:
        return [m["params"]["message"] for m in self.received if m.get("method") == "window/showMessage"]

    def close(self) -> None:
        """shutdown and exit, as an editor ends a session; the server must exit 0."""
        assert self.request("shutdown", None) is None
        self.send("exit", None)
        assert self.process.wait(timeout=TIMEOUT) == 0

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
