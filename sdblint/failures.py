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
            self.record(exc, stage, path, line, unit)

    def each(self, stage: str, units, action, where) -> None:
        """``action(unit)`` for every unit; a failure is recorded at ``where(unit)`` (path, line,
        text) and the rest go on. A loop rather than a context manager per unit: this runs for
        every call of a project."""
        for unit in units:
            try:
                action(unit)
            except Exception as exc:  # the contract: one unit's failure never loses the run
                self.record(exc, stage, *where(unit))

    def record(self, exc: Exception, stage: str, path: str, line: int, unit: str = "") -> None:
        if os.environ.get("SDBLINT_DEBUG"):
            raise exc
        self.items.append(InternalError(stage, path, line, f"{type(exc).__name__}: {exc}", unit))
