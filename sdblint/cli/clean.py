"""`sdblint clean`: remove the cache (ruff's `ruff clean`)."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from ..config.errors import ConfigError
from ..config.settings import load_settings
from ..extract.cache import DEFAULT_CACHE_DIR


@click.command("clean")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Remove this cache folder instead of the project's default one.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The project config whose folder holds the cache.")
def clean_command(paths, cache_dir, config_file):
    """Remove the cache of the project around PATHS (default: the current directory)."""
    if cache_dir is not None:
        folders = [cache_dir]
    else:
        try:
            folders = sorted({load_settings(config_file, p).root / DEFAULT_CACHE_DIR for p in (paths or (Path("."),))})
        except ConfigError as exc:
            click.echo(f"sdblint: error: {exc}", err=True)
            sys.exit(2)
    for folder in folders:
        if folder.is_dir():
            shutil.rmtree(folder)
            click.echo(f"Removed {folder}")
        else:
            click.echo(f"No cache at {folder}")
