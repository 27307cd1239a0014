"""Fingerprints: a stable identity per finding for baselines and SARIF.

A fingerprint survives unrelated line shifts and does not depend on how sdblint was invoked
(`check src` or `check src/pkg`): it hashes the rule, the file's path from its top-level package
(not the path as reported), the sink call's text and function, and the model calls the flow starts
at, with whitespace removed, and never a line number. Identical findings in one function are told
apart by their order (the occurrence index), so a baseline entry stands for one finding only.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace

from .model import Finding


def anchored_path(parts: tuple[str, ...], is_package_dir) -> str:
    """The file ``parts`` (a path split into its folders) from the parent of its top-level
    package; a loose script from its own folder. ``is_package_dir(prefix)`` says whether the
    folder ``parts[:n]`` holds an ``__init__.py``."""
    start = len(parts) - 1
    while start > 0 and is_package_dir(parts[:start]):
        start -= 1
    return "/".join(parts[start:])


def normalised(snippet: str) -> str:
    """A snippet without its whitespace, so that reformatting a call keeps its identity."""
    return "".join(snippet.split())


def with_fingerprints(findings: list[Finding], anchor) -> list[Finding]:
    """``findings`` sorted by position, each with its fingerprint; ``anchor(path)`` is the
    reported path from its top-level package (see :func:`anchored_path`)."""
    seen: dict[str, int] = {}
    out = []
    for f in sorted(findings, key=lambda f: (f.path, f.line, f.column, f.code)):
        sources = ",".join(sorted({s.callee for s in f.sources}))
        base = "|".join([f.code, anchor(f.path), f.sink_callee, normalised(f.call_text), f.scope_name, sources])
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        digest = hashlib.sha256(f"{base}|{occurrence}".encode()).hexdigest()[:20]
        out.append(replace(f, fingerprint=digest))
    return out
