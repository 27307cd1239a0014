"""`sdblint rule CODE|NAME`, `sdblint rule --all` and `sdblint rules`: the rule documentation."""
from __future__ import annotations

import json
import sys

import click

from ..checks import load_rules, rule_codes


@click.command("rule")
@click.argument("rule", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print every rule's documentation.")
def rule_command(rule: str | None, show_all: bool) -> None:
    """Print the documentation of one rule, by code (SDB102) or name (unverified-shell-command)."""
    docs = load_rules()
    if show_all == (rule is not None):
        raise click.UsageError("give one rule code or name, or --all")
    if show_all:
        click.echo("\n".join(docs[code].render() for code in rule_codes()))
        return
    by_name = {docs[code].name: docs[code] for code in rule_codes()}
    doc = docs.get(rule.upper()) if rule.upper() in rule_codes() else by_name.get(rule.lower())
    if doc is None:
        click.echo(f"sdblint: error: unknown rule {rule!r}; `sdblint rules` lists them", err=True)
        sys.exit(2)
    click.echo(doc.render())


@click.command("rules")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(output_format: str) -> None:
    """List every rule code with its name, severity and summary."""
    docs = [load_rules()[code] for code in rule_codes()]
    if output_format == "json":
        click.echo(json.dumps([{"code": d.code, "name": d.name, "severity": d.severity, "category": d.category,
                                "summary": d.summary, "opt_in": d.opt_in, "precision": d.precision,
                                "security_severity": d.security_severity, "tags": list(d.tags), "url": d.url}
                               for d in docs], indent=2))
        return
    for doc in docs:
        click.echo(f"{doc.code}  {doc.name:36} {doc.severity:8} {doc.summary}" + ("  (opt-in)" if doc.opt_in else ""))
