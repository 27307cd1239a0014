"""`sdblint baseline`: write the current findings to a file that `check --baseline` reads."""
from __future__ import annotations

from pathlib import Path

import click

from ..gate import baseline as baseline_file
from .analysis import analyse_paths, analysis_options, write_or_exit


@click.command("baseline")
@analysis_options
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The baseline file to write (commit it; `sdblint check --baseline FILE` reads it).")
def baseline_command(output, **analysis):
    """Record the findings in PATHS, so that a gate fails only on new ones."""
    analysed = analyse_paths(**analysis)
    write_or_exit(output, baseline_file.dumps(analysed.result.findings))
    count = len(analysed.result.findings)
    click.echo(f"Wrote {count} finding{'s' if count != 1 else ''} to {output}.")
