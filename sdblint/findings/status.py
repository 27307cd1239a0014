"""Verifier status: what sdblint found about verification on an unverified path."""
from __future__ import annotations

from ..flow.graph import FlowGraph
from ..flow.propagate import State
from ..flow.types import MARKERS, SinkSite

STATUS_TEXT = {
    "missing": "without a verifier",
    "parse-only": "after parsing only (parsing is not verifying)",
    "name-only": "through a 'verifier' that cannot reject",
    "discarded": "while the validated value is discarded",
    "not-guarding": "with a check that does not guard it",
    "after-sink": "with a check only after the action",
    "inadequate": "with a verifier that is not adequate for this sink",
}


def trusted(tag, per_node) -> bool:
    """An allow-list whose container holds model output does not count."""
    if tag[0] == "allowlist" and tag[2].startswith("in:"):
        return not any(node in per_node for node in tag[2][3:].split(","))
    return True


def verifier_status(fg: FlowGraph, site: SinkSite, state: State, adequate, per_node) -> tuple[str, str, str]:
    verified = [t for t in state.tags if t[0] not in MARKERS]
    untrusted = [t for t in verified if not trusted(t, per_node)]
    if untrusted:
        return "inadequate", "the allow-list is built from model output", untrusted[0][1]
    if verified:
        tag = sorted(verified)[0]
        kinds = ", ".join(sorted({t[0] for t in verified}))
        return "inadequate", f"{kinds} is not enough here; needs one of: {', '.join(sorted(adequate))}", tag[1]
    markers = {t[0]: t for t in sorted(state.tags)}
    if "discarded" in markers:
        t = markers["discarded"]
        return "discarded", f"the result of {t[2]} is not used", t[1]
    if "name-only" in markers:
        t = markers["name-only"]
        return "name-only", f"{t[2]}() cannot reject its input", t[1]
    call = site.call
    line = call.loc.line
    module = fg.project.call_module[call.id]
    keys = set(site.keys)
    for check in fg.project.modules[module.module].checks:
        if check.scope != call.scope or check.line == line:
            continue
        relevant = any(k == c or k.startswith(c + ".") or c.startswith(k + ".") for k in keys for c in check.keys)
        effects = fg.guard_effects((check.guard,), call.scope) if relevant or "*" in check.keys else ()
        where = f"{module.path}:{check.line}"
        effects = [e for e in effects if e[0] not in MARKERS and (relevant or e[0] == "human")]
        if not effects:
            continue
        if check.line > line:
            return "after-sink", f"{effects[0][0]} check comes after the action", where
        return "not-guarding", f"{effects[0][0]} check does not dominate the action or does not reject", where
    for other in fg.project.calls_by_scope.get(call.scope, ()):
        res = fg.resolutions[other.id]
        if res.verifier and res.verifier[0] == "human" and other.loc.line != line:
            where = f"{module.path}:{other.loc.line}"
            if other.loc.line > line:
                return "after-sink", f"the approval ({other.callee_text}) comes after the action", where
            return "discarded", f"the answer of {other.callee_text}() does not guard the action", where
    if "parse" in markers:
        return "parse-only", "parsed but never validated", markers["parse"][1]
    return "missing", "no verifier on this path", ""
