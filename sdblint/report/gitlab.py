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

from ..facts import ParseError
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


def syntax_issue(e: ParseError) -> dict:
    """A file Python cannot parse fails the run, so the merge request shows it, at its line and
    column. One per file: its fingerprint is the file's, which the next run gives again."""
    return {
        "description": f"{e.message} (Python cannot parse this file, so nothing in it was checked)",
        "check_name": e.kind,
        "fingerprint": hashlib.sha256(f"{e.kind}|{e.path}".encode()).hexdigest()[:20],
        "severity": SEVERITY["error"],
        "location": {"path": e.path, "positions": {"begin": {"line": e.line, "column": e.column},
                                                   "end": {"line": e.line, "column": e.column}}},
        "categories": ["Bug Risk"],
        "type": "issue",
    }


def render(result: Result, view: ReportView) -> str:
    """The files Python cannot parse, then the findings; files only sdblint could not analyse are no
    issue of the code (their list is in the json format's ``errors``)."""
    fingerprints = unique_fingerprints(f.fingerprint for f in result.findings)
    issues = [syntax_issue(e) for e in result.errors if e.syntax]
    issues += [issue(f, fp) for f, fp in zip(result.findings, fingerprints)]
    return json.dumps(issues, indent=2) + "\n"
