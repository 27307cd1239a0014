"""Command line: ``sdblint check``, ``sdblint rule CODE``, ``sdblint rules``."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .config import SEVERITIES, load_settings
from .engine import run
from .errors import ConfigError
from .report import to_json, to_text
from .ruledocs import load_rules

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def split_codes(values: tuple[str, ...]) -> list[str]:
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sdblint")
def main() -> None:
    """Find where LLM output becomes a system action without a verifier."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (comma-separated), e.g. SDB1.")
@click.option("--extend-select", multiple=True, help="Codes or prefixes to enable on top of the selection.")
@click.option("--ignore", multiple=True, help="Codes or prefixes to disable.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Lowest severity that makes the exit code 1 [default: info, or fail-on from config].")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read settings from this TOML file instead of the nearest pyproject.toml.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Cache per-file facts here (keyed by content and version).")
@click.option("--quiet", "-q", is_flag=True, help="Only the finding lines and the summary.")
def check(paths, output_format, select, extend_select, ignore, exit_zero, fail_on, config_file, cache_dir, quiet):
    """Check PATHS (default: the current directory)."""
    targets = list(paths) or [Path(".")]
    try:
        settings = load_settings(config_file, targets[0])
        result = run(targets, settings, split_codes(select), split_codes(ignore), split_codes(extend_select), cache_dir)
    except ConfigError as exc:
        click.echo(f"sdblint: error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # exit code 2 is the contract for internal failures
        click.echo(f"sdblint: internal error: {type(exc).__name__}: {exc}", err=True)
        if os.environ.get("SDBLINT_DEBUG"):
            raise
        sys.exit(2)
    if output_format == "json":
        click.echo(to_json(result), nl=False)
    else:
        click.echo(to_text(result, color=sys.stdout.isatty(), quiet=quiet), nl=False)
        for e in result.errors:
            click.echo(f"sdblint: warning: skipped {e.path}: {e.message}", err=True)
    threshold = SEVERITY_RANK[fail_on or settings.fail_on]
    failing = [f for f in result.findings if SEVERITY_RANK[f.severity] >= threshold]
    sys.exit(0 if exit_zero or not failing else 1)


@main.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Print the documentation of one rule."""
    rules = load_rules()
    doc = rules.get(code.upper())
    if doc is None:
        click.echo(f"sdblint: error: unknown rule {code!r}; `sdblint rules` lists them", err=True)
        sys.exit(2)
    click.echo(doc.render())


@main.command("rules")
def rules_command() -> None:
    """List every rule code with its name, severity and summary."""
    for doc in load_rules().values():
        click.echo(f"{doc.code}  {doc.name:36} {doc.severity:8} {doc.summary}")
