"""Models as data: what is a proposer, sink, verifier or framework shape, from ``rules/*.toml``
and the user's ``[tool.sdblint]``. The model is in :mod:`.model`, the pattern language in
:mod:`.patterns`, loading and validation in :mod:`.loader`."""
from .loader import builtin_catalog, parse_entries, rules_folder
from .model import (
           Catalog,
           CatalogEntries,
           Category,
           Proposer,
           Recorder,
           Sink,
           ToolEntry,
           Verifier,
)
from .patterns import Pattern, compile_pattern

__all__ = ["Catalog", "CatalogEntries", "Category", "Pattern", "Proposer", "Recorder", "Sink", "ToolEntry", "Verifier",
           "builtin_catalog", "compile_pattern", "parse_entries", "rules_folder"]
