"""A progress bar on stderr for runs over a second, only on a terminal (click's, not hand-written)."""
from __future__ import annotations

import sys
import time

import click

# A run that ends sooner shows no bar at all: a flash of one is noise.
SHOW_AFTER_SECONDS = 1.0


class ExtractionProgress:
    """``(done, total)`` callbacks from the extraction stage, drawn once the run has lasted a second."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < SHOW_AFTER_SECONDS:
                return
            self.bar = click.progressbar(length=total, label="Checking files", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def wanted(machine_format: bool, quiet: bool) -> bool:
    """Only for a person watching a terminal: never for machine formats, pipes or `--quiet`."""
    return not machine_format and not quiet and sys.stderr.isatty()
