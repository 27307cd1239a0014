"""Containment: a failure in one unit (a call, a function, a sink, a check) is recorded and the
run goes on. Each becomes an SDB999 internal-error finding at the unit's path and line."""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class InternalError:
    stage: str          # "resolve", "build", "summaries", "propagate", "check SDB1", ...
    path: str
    line: int
    exception: str      # the exception's type and message
    unit: str           # what was being analysed (a call's text, a function's name)


class Failures:
    def __init__(self) -> None:
        self.items: list[InternalError] = []

    @contextmanager
    def contain(self, stage: str, path: str, line: int, unit: str = ""):
        try:
            yield
        except Exception as exc:  # the contract: one unit's failure never loses the run
            if os.environ.get("SDBLINT_DEBUG"):
                raise
            self.items.append(InternalError(stage, path, line, f"{type(exc).__name__}: {exc}", unit))
