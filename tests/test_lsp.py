"""`sdblint server`, driven by a real LSP client session over stdio: initialize, didOpen,
publishDiagnostics, hover, code action, didChange that removes the flow, shutdown, exit."""
from __future__ import annotations

from helpers import MODEL_MODULE, write
from lsp_client import SAFE, UNSAFE, Client


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
        client.close()
    finally:
        client.kill()
