"""The registry of output formats: one module per format, each with
``render(result, view: ReportView) -> str``. The CLI's ``--output-format`` choices come from here."""
from __future__ import annotations

from typing import Callable

from . import concise, full, github, gitlab, json, json_lines, junit, sarif
from .view import ReportView

FORMATS: dict[str, Callable[..., str]] = {
    "full": full.render,
    "concise": concise.render,
    "json": json.render,
    "json-lines": json_lines.render,
    "sarif": sarif.render,
    "github": github.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
}

# Formats a program reads: never coloured; no progress bar, code frame or warnings mixed in.
MACHINE_FORMATS = frozenset({"json", "json-lines", "sarif", "github", "gitlab", "junit"})

__all__ = ["FORMATS", "MACHINE_FORMATS", "ReportView"]
