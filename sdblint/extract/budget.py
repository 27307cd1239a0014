"""The per-file time budget: a deadline the walker checks as it goes, and that a waiting
caller can cancel."""
from __future__ import annotations

import time

# Generous for hand-written code (the largest file of the bench corpus takes about 2 s on one
# core); a generated 600,000-line module meets it instead of holding up the whole run.
DEFAULT_FILE_TIMEOUT = 20.0


class FileTimeout(Exception):
    """The file used up its time budget."""


class Deadline:
    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds
        self.cancelled = False

    def check(self) -> None:
        if self.cancelled or (self.at is not None and time.monotonic() > self.at):
            raise FileTimeout()
