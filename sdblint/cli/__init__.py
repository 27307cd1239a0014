"""Command line: click commands only; each calls the pipeline or the rule registry."""
from __future__ import annotations

import click

from .. import __version__
from .check import check
from .rules import rule_command, rules_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sdblint")
def main() -> None:
    """Find where LLM output becomes a system action without a verifier."""


main.add_command(check)
main.add_command(rule_command)
main.add_command(rules_command)
