"""The SARIF format: one SARIF 2.1.0 run, for GitHub code scanning and any other SARIF viewer.

Every rule is in ``tool.driver.rules`` (not only those with findings), so a viewer can show the rule
page, precision and ``security-severity`` of each alert and code scanning can close an alert whose
rule stopped reporting. A finding's flow from the model call to the action is its ``codeFlow``; its
model calls and the check that did not count are its ``relatedLocations``. Files that could not be
checked are tool execution notifications, not results: they are no weakness of the code.

Paths are relative to the base ``PROJECTROOT`` (the project root, stated once as a ``file:`` URI), so
code scanning matches them to the repository's files from wherever sdblint was run.

A result's identity is ``partialFingerprints["sdblint/v1"]``, the finding's own fingerprint: built
from the sink call, its function and the model call, never from a line number, so an alert stays the
same alert when lines are inserted above it. There is deliberately no ``primaryLocationLineHash``:
that key is a hash of the line's text, which the upload action computes itself when it is missing,
and supplying a value of ours under that name would stop it from doing so.

The output is the same bytes for the same input: no timestamps, no absolute path but the root URI.
"""
from __future__ import annotations

import json
from pathlib import PurePosixPath
from urllib.parse import quote

from .. import __version__
from ..checks import RuleDoc, load_rules, rule_codes
from ..config.selection import Waived
from ..extract.suppressions import comment_line, reason_of
from ..facts import ParseError
from ..findings.model import Finding
from ..pipeline import Result
from .view import ReportView

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
BASE = "PROJECTROOT"
FINGERPRINT_KEY = "sdblint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# SARIF's ``baselineState`` when the run compared with a baseline or a git revision (`--baseline`,
# `--diff`): the findings the gate reports are new; those it left out as known are listed too, as
# unchanged, so that code scanning keeps their alerts open while the job fails on new ones only.
NEW, UNCHANGED = "new", "unchanged"


def render(result: Result, view: ReportView) -> str:
    return json.dumps(document(result, view), indent=2) + "\n"


def document(result: Result, view: ReportView) -> dict:
    rules = load_rules()
    codes = rule_codes()
    index = {code: i for i, code in enumerate(codes)}
    run = {
        "tool": {"driver": driver([rules[c] for c in codes])},
        "invocations": [invocation(result.errors)],
        "originalUriBaseIds": {BASE: {"uri": view.root_uri()}},
        "results": [result_of(f, index[f.code], NEW if result.compared else None) for f in result.findings]
                   + [result_of(f, index[f.code], UNCHANGED) for f in result.unchanged]
                   + [waived_result(w, index[w.finding.code], result.sources) for w in result.suppressed],
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def driver(rules: list[RuleDoc]) -> dict:
    return {
        "name": "sdblint",
        "version": __version__,
        # Every rule's page is a section of the one rule reference.
        "informationUri": rules[0].url.partition("#")[0],
        "rules": [rule_descriptor(r) for r in rules],
    }


def rule_descriptor(rule: RuleDoc) -> dict:
    page = rule.render()
    properties: dict = {"precision": rule.precision}
    if rule.security_severity is not None:
        # Code scanning reads the score from a string and ranks the alert critical/high/medium/low by it.
        properties["security-severity"] = str(float(rule.security_severity))
    properties["tags"] = list(rule.tags)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what_it_does.strip()},
        "help": {"text": page, "markdown": page},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


def invocation(errors: tuple[ParseError, ...]) -> dict:
    # A file that could not be parsed is reported, but the run itself did what it was asked to.
    return {"executionSuccessful": True, "toolExecutionNotifications": [notification(e) for e in errors]}


def notification(error: ParseError) -> dict:
    """A file that was not checked; one Python cannot parse carries the descriptor ``syntax-error``
    and the column, so that a viewer points at the spot."""
    location = physical(error.path, error.line)
    if error.syntax:
        location["region"]["startColumn"] = error.column
    return {
        **({"descriptor": {"id": error.kind}} if error.syntax else {}),
        "level": "error",
        "message": {"text": f"{error.path} was not checked: {error.message}"},
        "locations": [{"physicalLocation": location}],
    }


def result_of(f: Finding, rule_index: int, baseline_state: str | None) -> dict:
    sarif: dict = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": artifact(f.path),
            "region": {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column},
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {"verifierStatus": f.verifier_status, "patternId": f.pattern_id},
    }
    if baseline_state is not None:
        sarif["baselineState"] = baseline_state
    # One code flow per source. SARIF wants at least one location in a thread flow: a finding about a
    # line has no flow to show.
    if f.flows:
        sarif["codeFlows"] = [{"threadFlows": [{"locations": [
            {"location": {"physicalLocation": physical(s.path, s.line), "message": {"text": s.note}}} for s in flow
        ]}]} for flow in f.flows]
    related = related_locations(f)
    if related:
        sarif["relatedLocations"] = related
    return sarif


def waived_result(waived: Waived, rule_index: int, sources: dict) -> dict:
    """A finding a suppression comment hid: listed with SARIF's own ``suppressions`` (code scanning
    shows it as dismissed in the code), with the comment's reason as the justification."""
    sarif = result_of(waived.finding, rule_index, None)
    suppression = {"kind": "inSource", "status": "accepted",
                   "location": {"physicalLocation": physical(waived.finding.path, comment_line(waived.line))}}
    reason = waiver_reason(sources.get(waived.finding.path), comment_line(waived.line))
    if reason:
        suppression["justification"] = reason
    sarif["suppressions"] = [suppression]
    return sarif


def waiver_reason(file, line: int) -> str:
    """The reason written after a suppression comment's codes, read from the file (empty when unreadable)."""
    try:
        text = file.read_text(encoding="utf-8").splitlines()[line - 1] if file is not None else ""
    except (OSError, UnicodeDecodeError, IndexError):
        return ""
    return reason_of(text)


def related_locations(f: Finding) -> list[dict]:
    places = [(s.path, s.line, f"model output: {s.callee}") for s in f.sources]
    if f.verifier_location:
        path, _, line = f.verifier_location.rpartition(":")
        places.append((path, int(line), f"{f.verifier_status}: {f.verifier_detail}"))
    return [{"id": i, "physicalLocation": physical(path, line), "message": {"text": text}}
            for i, (path, line, text) in enumerate(places)]


def physical(path: str, line: int | None) -> dict:
    location: dict = {"artifactLocation": artifact(path)}
    if line:
        location["region"] = {"startLine": line}
    return location


def artifact(path: str) -> dict:
    # A file named on the command line outside the project root keeps its absolute path: no base then.
    if PurePosixPath(path).is_absolute():
        return {"uri": PurePosixPath(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": BASE}
