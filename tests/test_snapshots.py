"""The full JSON output per fixture group, compared byte for byte with tests/snapshots/.

Status, sources, flow, pattern, fingerprint, patterns, errors and summary are all pinned.
After a deliberate change, update the snapshots and review their diff like code:

    SDBLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py
"""
from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path

import pytest
from fixture_support import group_settings, groups

from sdblint.pipeline import Options, run
from sdblint.report import FORMATS, ReportView

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def render(group: Path, **options) -> str:
    settings = group_settings(group)
    # The root is where the checkout happens to be: the snapshot holds a placeholder for it.
    return FORMATS["json"](run([group], settings, Options(**options)), ReportView(Path("<root>"), Path("<root>")))


@pytest.mark.parametrize("group", groups(), ids=lambda g: g.name)
def test_full_json_matches_the_snapshot(group):
    snapshot = SNAPSHOTS / f"{group.name}.json"
    actual = render(group)
    if os.environ.get("SDBLINT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(actual, encoding="utf-8")
    expected = snapshot.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"snapshots/{group.name}.json", "actual", n=2))
        pytest.fail(f"output differs from the snapshot (SDBLINT_UPDATE_SNAPSHOTS=1 to accept):\n{diff[:6000]}")


def test_every_snapshot_belongs_to_a_fixture_group():
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.json")) == sorted(g.name for g in groups())


DOUBLED_CALL = re.compile(r"\.(\w+)\(\)\.\1\(\)")


@pytest.mark.parametrize("group", groups(), ids=lambda g: g.name)
def test_messages_and_flow_steps_name_real_code(group):
    """No placeholder callee (`?.execute`), no doubled call (`resolve().resolve()`), no internal
    element segment (`.[]`, `.[*]`), no step without a line: what a reviewer reads must point at code."""
    report = json.loads(render(group))
    for finding in report["findings"]:
        texts = [finding["message"], finding["verifier"]["detail"], finding["sink"]["callee"],
                 *(s["note"] for s in finding["flow"])]
        assert not any("?." in t or ".[" in t or DOUBLED_CALL.search(t) for t in texts), finding["message"]
        assert all(step["line"] > 0 and step["path"] for step in finding["flow"]), finding["message"]
