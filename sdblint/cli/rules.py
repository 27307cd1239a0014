"""`sdblint rule CODE` and `sdblint rules`: the rule documentation."""
from __future__ import annotations

import sys

import click

from ..checks import load_rules, rule_codes


@click.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Print the documentation of one rule."""
    doc = load_rules().get(code.upper())
    if doc is None or doc.code not in rule_codes():
        click.echo(f"sdblint: error: unknown rule {code!r}; `sdblint rules` lists them", err=True)
        sys.exit(2)
    click.echo(doc.render())


@click.command("rules")
def rules_command() -> None:
    """List every rule code with its name, severity and summary."""
    docs = load_rules()
    for code in rule_codes():
        doc = docs[code]
        click.echo(f"{doc.code}  {doc.name:36} {doc.severity:8} {doc.summary}")
