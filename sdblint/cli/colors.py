"""`--color auto|always|never`, with the NO_COLOR (no-color.org) and FORCE_COLOR conventions."""
from __future__ import annotations

from collections.abc import Mapping

COLOR_CHOICES = ("auto", "always", "never")


def use_color(choice: str, to_terminal: bool, environ: Mapping[str, str]) -> bool:
    """An explicit choice wins; under ``auto`` a non-empty NO_COLOR turns colour off, a non-empty
    FORCE_COLOR turns it on, and otherwise only a terminal is coloured."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return to_terminal
