"""`sdblint check`: run the pipeline, print a format from the report registry, set the exit code."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..config.errors import ConfigError
from ..config.settings import SEVERITIES, load_settings
from ..extract import DEFAULT_FILE_TIMEOUT
from ..extract.cache import DEFAULT_CACHE_DIR
from ..pipeline import Options, run
from ..report import FORMATS, MACHINE_FORMATS, ReportView, statistics
from ..report import verbose as verbose_report
from .colors import COLOR_CHOICES, use_color
from .progress import ExtractionProgress
from .progress import wanted as progress_wanted

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def split_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c.strip() for v in values for c in v.split(",") if c.strip())


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--output-format", type=click.Choice(list(FORMATS)), default="full", show_default=True)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of standard output.")
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True,
              help="Colour the full format: auto colours a terminal unless NO_COLOR is set (FORCE_COLOR forces it).")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (comma-separated), e.g. SDB1.")
@click.option("--extend-select", multiple=True, help="Codes or prefixes to enable on top of the selection.")
@click.option("--ignore", multiple=True, help="Codes or prefixes to disable.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Lowest severity that makes the exit code 1 [default: info, or fail-on from config].")
@click.option("--fail-on-error", is_flag=True, help="Exit 1 when a file could not be checked.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read settings from this TOML file instead of the nearest pyproject.toml.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help=f"Cache per-file facts here [default: {DEFAULT_CACHE_DIR} beside the project's config].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for parsing [default: one per core].")
@click.option("--file-timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_FILE_TIMEOUT,
              show_default=True, help="Seconds one file may take to parse and extract before it is reported and skipped.")
@click.option("--quiet", "-q", is_flag=True, help="Only the finding lines and the summary.")
@click.option("--statistics", "statistics_only", is_flag=True, help="Print the count of findings per rule instead of the findings.")
@click.option("--verbose", "-v", is_flag=True, help="Print seconds per phase and file counts to stderr.")
def check(paths, output_format, output_file, color, select, extend_select, ignore, exit_zero, fail_on, fail_on_error, config_file,
          cache_dir, no_cache, jobs, file_timeout, quiet, statistics_only, verbose):
    """Check PATHS (default: the current directory)."""
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose contradict each other")
    if no_cache and cache_dir is not None:
        raise click.UsageError("--no-cache and --cache-dir contradict each other")
    targets = list(paths) or [Path(".")]
    machine = output_format in MACHINE_FORMATS
    bar = ExtractionProgress() if progress_wanted(machine, quiet) else None
    try:
        settings = load_settings(config_file, targets[0])
        folder = None if no_cache else cache_dir or settings.root / DEFAULT_CACHE_DIR
        options = Options(split_codes(select), split_codes(extend_select), split_codes(ignore), folder, jobs,
                          file_timeout, bar)
        try:
            result = run(targets, settings, options)
        finally:
            if bar is not None:
                bar.close()
    except ConfigError as exc:
        click.echo(f"sdblint: error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # exit code 2 is the contract for internal failures
        click.echo(f"sdblint: internal error: {type(exc).__name__}: {exc}", err=True)
        if os.environ.get("SDBLINT_DEBUG"):
            raise
        sys.exit(2)
    if statistics_only:
        report = statistics.render(result, machine)
    else:
        to_terminal = output_file is None and sys.stdout.isatty()
        view = ReportView(settings.root, Path.cwd(), color=not machine and use_color(color, to_terminal, os.environ),
                          quiet=quiet)
        report = FORMATS[output_format](result, view)
    if output_file is None:
        click.echo(report, nl=False, color=True)   # colour was decided above; click would strip it from a pipe
    else:
        try:
            output_file.write_text(report, encoding="utf-8")
        except OSError as exc:
            click.echo(f"sdblint: error: cannot write {output_file}: {exc.strerror}", err=True)
            sys.exit(2)
    if verbose:
        for line in verbose_report.verbose_lines(result):
            click.echo(line, err=True)
    if not machine:
        for e in result.errors:
            click.echo(f"sdblint: warning: skipped {e.path}: {e.message}", err=True)
    threshold = SEVERITY_RANK[fail_on or settings.fail_on]
    failing = [f for f in result.findings if SEVERITY_RANK[f.severity] >= threshold]
    sys.exit(0 if exit_zero or not (failing or (fail_on_error and result.errors)) else 1)
