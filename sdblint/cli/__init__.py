"""Command line: click commands only; each calls the pipeline or the rule registry."""
from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__
from .signals import Interrupted, die_of, stop_on_signals

# Each command's module is imported when the command runs (or `--help` lists it): `--version` loads
# none, `rules` only the rule registry, and no command loads the parser or the graph until it analyses.
COMMANDS = {
    "check": "check:check",
    "baseline": "baseline:baseline_command",
    "clean": "clean:clean_command",
    "rule": "rules:rule_command",
    "rules": "rules:rules_command",
    "server": "server:server_command",
}


class LazyGroup(click.Group):
    """A group whose commands (in :data:`COMMANDS`) are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            module, attribute = COMMANDS[name].split(":")
            self.add_command(getattr(importlib.import_module(f".{module}", __name__), attribute), name)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sdblint")
def main() -> None:
    """Find where LLM output becomes a system action without a verifier."""


def entry() -> None:
    """The ``sdblint`` executable: :func:`main`, then out without tearing down the heap. Freeing a
    large project's facts and graph object by object takes seconds and serves nobody. Ctrl-C and
    SIGTERM end it at once, by that signal (a shell shows 130 and 143)."""
    stop_on_signals()
    stopped_by = None
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    except Interrupted as exc:
        click.echo(f"sdblint: stopped by {exc}", err=True)
        stopped_by, code = exc.signum, 128 + exc.signum
    else:
        code = 0
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):   # the reader went away (`| head`) or closed the stream
            pass
    if stopped_by is not None:
        die_of(stopped_by)
    os._exit(code)
