"""The gitlab format: a GitLab Code Quality report, the JSON array of issues that a CI job hands over
with ``artifacts: reports: codequality:`` and that GitLab shows in the merge request widget.

It follows GitLab's subset of the Code Climate issue format (``description``, ``check_name``,
``fingerprint``, ``severity``, ``location.path`` and ``location.lines``). Paths are relative to the
project root, which is what GitLab resolves them against in the repository.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator

from ..findings.model import Finding
from ..pipeline import Result
from .view import ReportView

SEVERITY = {"error": "critical", "warning": "major", "info": "info"}


def unique_fingerprints(fingerprints: Iterable[str]) -> Iterator[str]:
    """The fingerprints with every repeat made unique, since GitLab tells issues apart (and matches
    them between a merge request's base and head) by fingerprint alone. Repeats are rare (two files
    with the same path from their top-level package); each gets a hash of the fingerprint and its
    occurrence, so a run gives the same fingerprints as the run before it."""
    seen: dict[str, int] = {}
    for fingerprint in fingerprints:
        occurrence = seen.get(fingerprint, 0)
        seen[fingerprint] = occurrence + 1
        if occurrence:
            fingerprint = hashlib.sha256(f"{fingerprint}|{occurrence}".encode()).hexdigest()[:20]
        yield fingerprint


def issue(f: Finding, fingerprint: str) -> dict:
    return {
        "description": f"{f.code} {f.message}",
        "check_name": f.code,
        "fingerprint": fingerprint,
        "severity": SEVERITY[f.severity],
        "location": {"path": f.path, "lines": {"begin": f.line, "end": f.end_line}},
        "categories": ["Security"],
        "type": "issue",
    }


def render(result: Result, view: ReportView) -> str:
    fingerprints = unique_fingerprints(f.fingerprint for f in result.findings)
    return json.dumps([issue(f, fp) for f, fp in zip(result.findings, fingerprints)], indent=2) + "\n"
