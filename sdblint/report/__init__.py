"""The registry of output formats: one module per format, each with
``render(result, color, quiet) -> str``. The CLI's ``--output-format`` choices come from here."""
from __future__ import annotations

from typing import Callable

from . import json, text

# Formats whose output a program reads: never coloured, no progress or frames.
MACHINE_FORMATS = frozenset({"json"})

FORMATS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json.render,
}

__all__ = ["FORMATS", "MACHINE_FORMATS"]
