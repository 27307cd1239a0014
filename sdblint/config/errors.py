"""Errors that end a run with exit code 2."""
from __future__ import annotations


class ConfigError(Exception):
    """A configuration or catalog value is wrong: names the file, the key and what was expected."""

    def __init__(self, source: str, key: str, expected: str):
        self.source, self.key, self.expected = source, key, expected
        super().__init__(f"{source}: invalid `{key}`: expected {expected}")
