"""Command line: click commands only; each calls the pipeline or the rule registry."""
from __future__ import annotations

import os
import sys

import click

from .. import __version__
from .baseline import baseline_command
from .check import check
from .clean import clean_command
from .rules import rule_command, rules_command
from .server import server_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sdblint")
def main() -> None:
    """Find where LLM output becomes a system action without a verifier."""


main.add_command(check)
main.add_command(baseline_command)
main.add_command(clean_command)
main.add_command(rule_command)
main.add_command(rules_command)
main.add_command(server_command)


def entry() -> None:
    """The ``sdblint`` executable: :func:`main`, then out without tearing down the heap. Freeing a
    large project's facts and graph object by object takes seconds and serves nobody."""
    try:
        main()
    except SystemExit as exc:
        code = exc.code
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
    os._exit(code)
