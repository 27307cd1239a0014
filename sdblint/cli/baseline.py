"""`sdblint baseline`: write the current findings to a file that `check --baseline` reads."""
from __future__ import annotations

from pathlib import Path

import click

from ..gate import baseline as baseline_file
from .analysis import analyse_paths, analysis_options, write_or_exit


@click.command("baseline")
@analysis_options
@click.option("--output-file", "-o", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="The baseline file to write (commit it; `sdblint check --baseline FILE` reads it).")
@click.option("--output", "deprecated_output", type=click.Path(dir_okay=False, path_type=Path), hidden=True,
              help="The old name of --output-file.")
def baseline_command(output, deprecated_output, **analysis):
    """Record the findings in PATHS, so that a gate fails only on new ones."""
    if deprecated_output is not None:
        # `-o` means --output-file in `check`; `baseline` says the same now. The old name still works.
        click.echo("sdblint: warning: `baseline --output` is deprecated; use --output-file (-o), as `check` does",
                   err=True)
        if output is not None:
            raise click.UsageError("give --output-file (-o) once, not --output as well")
        output = deprecated_output
    if output is None:
        raise click.UsageError("Missing option '--output-file' / '-o'.")
    analysed = analyse_paths(**analysis)
    write_or_exit(output, baseline_file.dumps(analysed.result.findings))
    count = len(analysed.result.findings)
    click.echo(f"Wrote {count} finding{'s' if count != 1 else ''} to {output}.")
