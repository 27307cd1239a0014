"""`sdblint server`: the language server over stdio, for editors."""
from __future__ import annotations

import click


@click.command("server")
def server_command() -> None:
    """Run the Language Server Protocol server on stdin/stdout (for editors)."""
    from ..lsp.server import serve   # pygls loads only for the server, not for every `check`

    serve()
