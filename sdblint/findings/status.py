"""Verifier status: what sdblint found about verification on an unverified path."""
from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from ..flow.propagate import State
from ..flow.types import Effect, SinkSite
from ..kinds import Marker, VerifierKind

if TYPE_CHECKING:   # annotations only: the graph (networkx, libcst) loads when a run analyses
    from ..flow.graph import FlowGraph


class Status(str, Enum):
    """What sdblint found about verification on the unverified path of a finding."""

    MISSING = "missing"
    PARSE_ONLY = "parse-only"
    NAME_ONLY = "name-only"
    DISCARDED = "discarded"
    NOT_GUARDING = "not-guarding"
    AFTER_SINK = "after-sink"
    INADEQUATE = "inadequate"


STATUS_TEXT = {
    Status.MISSING: "without a verifier",
    Status.PARSE_ONLY: "after parsing only (parsing is not verifying)",
    Status.NAME_ONLY: "through a 'verifier' that cannot reject",
    Status.DISCARDED: "while the validated value is discarded",
    Status.NOT_GUARDING: "with a check that does not guard it",
    Status.AFTER_SINK: "with a check only after the action",
    Status.INADEQUATE: "with a verifier that is not adequate for this sink",
}


# An approval asked for and then ignored is its own story, though its status is `discarded`.
IGNORED_APPROVAL_TEXT = "while the approval it asks for is ignored"


def trusted(tag: Effect, per_node) -> bool:
    """An allow-list whose container holds model output does not count, nor does a URL's base that does."""
    if tag.kind in (VerifierKind.ALLOWLIST, VerifierKind.HOST_FIXED) and tag.container:
        return not any(node in per_node for node in tag.container)
    return True


def is_verified(tags, adequate, per_node, catalog) -> bool:
    """Does a path with these effects carry an adequate, trusted verifier? Deleted characters add
    up along the path (`.replace("/", "").replace("\\\\", "")`)."""
    if any(t.kind in adequate and trusted(t, per_node) for t in tags):
        return True
    deleted = {c for t in tags if t.kind is Marker.DELETED for c in t.detail}
    return bool(deleted and adequate & catalog.stripped_kinds(deleted))


def verifier_status(fg: FlowGraph, site: SinkSite, state: State, adequate, per_node) -> tuple[Status, str, str, str]:
    """The status of the flow ``state`` at ``site``, its detail, where, and the message's wording."""
    status, detail, where = _status(fg, site, state, adequate, per_node)
    ignored = status is Status.DISCARDED and detail.startswith(IGNORED_APPROVAL_DETAIL)
    return status, detail, where, IGNORED_APPROVAL_TEXT if ignored else STATUS_TEXT[status]


IGNORED_APPROVAL_DETAIL = "the answer of "


def _status(fg: FlowGraph, site: SinkSite, state: State, adequate, per_node) -> tuple[Status, str, str]:
    # A record (a transcript entry, a serialised document) is not a check: where it is not enough,
    # nothing verified the text.
    # A fixed URL host (`f"{base}/{name}"`, "/srv/{name}") says nothing where no host is at stake.
    verified = [t for t in state.tags if not t.is_marker and not t.kind.is_record
                and not (t.kind is VerifierKind.HOST_FIXED and not fg.catalog.categories[site.category].url_not_adequate)]
    untrusted = [t for t in verified if not trusted(t, per_node)]
    if untrusted:
        return Status.INADEQUATE, "the allow-list is built from model output", untrusted[0].where
    if verified:
        tag = sorted(verified)[0]
        kinds = ", ".join(sorted({t.kind.value for t in verified}))
        needed = sorted(k for k in adequate if not VerifierKind(k).is_record)   # a record is nothing to add
        return Status.INADEQUATE, f"{kinds} is not enough here; needs one of: {', '.join(needed)}", tag.where
    markers = {t.kind: t for t in sorted(state.tags)}
    if Marker.DELETED in markers:
        deleted = "".join(sorted({c for t in state.tags if t.kind is Marker.DELETED for c in t.detail}))
        return Status.INADEQUATE, f"deleting {deleted!r} is not enough here", markers[Marker.DELETED].where
    if Marker.DISCARDED in markers:
        t = markers[Marker.DISCARDED]
        return Status.DISCARDED, f"the result of {t.detail} is not used", t.where
    if Marker.NAME_ONLY in markers:
        t = markers[Marker.NAME_ONLY]
        return Status.NAME_ONLY, f"{t.detail}() cannot reject its input", t.where
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
        effects = [e for e in effects if not e.is_marker and (relevant or e.kind is VerifierKind.HUMAN)]
        if not effects:
            continue
        if check.line > line:
            return Status.AFTER_SINK, f"{effects[0].kind.value} check comes after the action", where
        return Status.NOT_GUARDING, f"{effects[0].kind.value} check does not dominate the action or does not reject", where
    for other in fg.project.calls_by_scope.get(call.scope, ()):
        res = fg.resolutions[other.id]
        if res.verifier and res.verifier.kind is VerifierKind.HUMAN and other.loc.line != line:
            where = f"{module.path}:{other.loc.line}"
            if other.loc.line > line:
                return Status.AFTER_SINK, f"the approval ({other.callee_text}) comes after the action", where
            return Status.DISCARDED, f"{IGNORED_APPROVAL_DETAIL}{other.callee_text}() does not guard the action", where
    if Marker.PARSE in markers:
        return Status.PARSE_ONLY, "parsed but never validated", markers[Marker.PARSE].where
    return Status.MISSING, "no verifier on this path", ""
