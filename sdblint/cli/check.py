"""`sdblint check`: run the pipeline, gate the findings, print a format from the report registry,
set the exit code."""
from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import click

from ..config.hierarchy import scope_of
from ..config.settings import SEVERITIES
from ..gate import baseline as baseline_file
from ..gate import changed_first, gated
from ..gate.diff import changed_lines
from ..report import FORMATS, MACHINE_FORMATS, ReportView, statistics
from ..report import verbose as verbose_report
from .add_noqa import add_suppressions
from .analysis import analyse, analysis_options, env, exit_on_error, in_focus, plan, result_at, write_or_exit
from .colors import COLOR_CHOICES, use_color
from .progress import ExtractionProgress
from .progress import wanted as progress_wanted
from .show import show_files as show_files_of
from .show import show_settings as show_settings_of

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
# What --statistics, --show-settings and --show-files can print: a table for people, or JSON.
LISTING_FORMATS = ("full", "concise", "json")


@click.command()
@analysis_options
@click.option("--output-format", type=click.Choice(list(FORMATS)), default="full", show_default=True,
              envvar=env("output_format"), show_envvar=True)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), envvar=env("output_file"),
              show_envvar=True, help="Write the report to this file instead of standard output (its folder is made).")
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True,
              help="Colour the full format: auto colours a terminal unless NO_COLOR is set (FORCE_COLOR forces it).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Report and fail only on findings not in this file (written by `sdblint baseline`).")
@click.option("--diff", "diff_rev", metavar="REV",
              help="Report only flows that did not exist at git revision REV (REV is analysed too, in a temporary "
                   "worktree); those with a step on a changed line first.")
@click.option("--add-noqa", is_flag=True,
              help="Insert `# sdblint: ignore[CODE] <reason>` for every reported finding (adopting sdblint on old code).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None, envvar=env("fail_on"), show_envvar=True,
              help="Lowest severity that makes the exit code 1 [default: info, or fail-on from config].")
@click.option("--fail-on-error", is_flag=True,
              help="Exit 1 when a file could not be analysed (one Python cannot parse always does).")
@click.option("--quiet", "-q", is_flag=True, help="Only the finding lines and the summary.")
@click.option("--statistics", "statistics_only", is_flag=True, help="Print the count of findings per rule instead of the findings.")
@click.option("--verbose", "-v", is_flag=True, help="Print seconds per phase and file counts to stderr.")
@click.option("--show-settings", is_flag=True, help="Print the resolved settings and where each came from, and exit.")
@click.option("--show-files", is_flag=True, help="Print the files a run would check, and exit.")
def check(output_format, output_file, color, baseline_path, diff_rev, add_noqa, exit_zero, fail_on, fail_on_error, quiet,
          statistics_only, verbose, show_settings, show_files, **analysis):
    """Check PATHS (default: the current directory)."""
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose contradict each other")
    machine = output_format in MACHINE_FORMATS
    listing = "--statistics" if statistics_only else "--show-settings" if show_settings else "--show-files" \
        if show_files else None
    if listing is not None and output_format not in LISTING_FORMATS:
        raise click.UsageError(f"{listing} prints text (--output-format full or concise) or json, not {output_format}")
    bar = ExtractionProgress() if progress_wanted(machine, quiet) else None
    planned = plan(**analysis, progress=bar)
    if show_settings or show_files:
        (show_settings_of if show_settings else show_files_of)(planned, as_json=output_format == "json")
        return
    if add_noqa and planned.buffers:
        raise click.UsageError("--add-noqa edits files on disk, and standard input is not one: "
                               "run it on the file itself")
    settings = planned.settings
    with exit_on_error():   # a bad baseline or revision is said before the analysis, not after it
        known = baseline_file.load(baseline_path) if baseline_path is not None else None
        changed = changed_lines(settings.root, diff_rev) if diff_rev is not None else None
    try:
        analysed = analyse(planned)
    finally:
        if bar is not None:
            bar.close()
    before = result_at(planned, diff_rev) if diff_rev is not None else None
    result = gate(analysed.result, known, before and before.findings, changed)
    if add_noqa:
        add_suppressions(result, settings.root)
        return
    if statistics_only:
        report = statistics.render(result, as_json=output_format == "json")
    else:
        to_terminal = output_file is None and sys.stdout.isatty()
        view = ReportView(settings.root, Path.cwd(), color=not machine and use_color(color, to_terminal, os.environ),
                          quiet=quiet)
        report = FORMATS[output_format](result, view)
    if output_file is None:
        click.echo(report, nl=False, color=True)   # colour was decided above; click would strip it from a pipe
    else:
        write_or_exit(output_file, report)
    if verbose:
        for line in verbose_report.verbose_lines(result, ReportView(settings.root, Path.cwd())):
            click.echo(line, err=True)
        if before is not None:
            reused = f"; results reused from the cache ({before.stats.reused})" if before.stats.reused else ""
            click.echo(f"at --diff {diff_rev}: {verbose_report.file_counts(before)}{reused}", err=True)
    if not machine:
        for note in analysed.notes:
            click.echo(f"sdblint: note: {note}", err=True)
        for e in result.errors:
            click.echo(f"sdblint: warning: skipped {e.path}: {e.message}", err=True)
        if result.bare_suppressions:
            click.echo(bare_suppression_hint(result.bare_suppressions, ReportView(settings.root, Path.cwd())), err=True)
    def threshold(path: str) -> int:   # the command line's, else the fail-on of the file's closest config
        scope = scope_of(path, result.scopes)
        return SEVERITY_RANK[fail_on or (scope.settings if scope else settings).fail_on]
    failing = [f for f in result.findings if SEVERITY_RANK[f.severity] >= threshold(f.path)]
    # A file Python cannot parse fails the run, as in ruff: one of those checked, not of the project
    # read only as context for the files given.
    unparsable = [e for e in result.errors if e.syntax and (planned.focus is None or in_focus(e.path, planned.focus))]
    sys.exit(0 if exit_zero or not (failing or unparsable or (fail_on_error and result.errors)) else 1)


def bare_suppression_hint(bare: tuple[tuple[str, int, str], ...], view: ReportView) -> str:
    """One hint per run, however many bare comments there are."""
    rel, line, code = bare[0]
    path = view.shown(rel)
    more = f" ({len(bare) - 1} more findings carry one)" if len(bare) > 1 else ""
    return (f"sdblint: hint: {path}:{line} has a `# noqa` without a code, which suppresses nothing; "
            f"to waive {code} write `# sdblint: ignore[{code}] <reason>`{more}")


def gate(result, known, before, changed):
    """The findings a CI gate reports: new against the baseline (``known``) and absent from the
    revision's findings (``before``), those with a step on a line changed since it (``changed``) first."""
    if known is not None:
        new, matched, stale = baseline_file.new_findings(result.findings, known)
        result = gated(result, new, matched, baseline_matched=len(matched), baseline_stale=stale)
    if before is not None:
        new, matched, _ = baseline_file.new_findings(result.findings, Counter(f.fingerprint for f in before))
        result = gated(result, changed_first(new, changed), matched, existed_at_rev=len(matched))
    return result
