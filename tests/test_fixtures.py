"""Every fixture group, checked against its inline `# expect:` markers, exactly."""
from __future__ import annotations

from collections import Counter

import pytest
from fixture_support import actual, expected, groups, markers, reported

from sdblint.checks import INTERNAL_ERROR, rule_codes


@pytest.mark.parametrize("group", groups(), ids=lambda g: g.name)
def test_fixture_group_findings_match_expectations(group):
    exp, act = expected(group), actual(group)
    assert sorted(act - exp) == [], "reported but not expected"
    assert sorted(exp - act) == [], "expected but not reported"


def test_fixture_corpus_is_large_and_has_every_sdb1_rule():
    all_expected = set().union(*(expected(g) for g in groups()))
    codes = Counter(code for _, _, code in all_expected)
    files = sum(1 for g in groups() for _ in g.rglob("*.py"))
    assert files >= 80
    assert {code for code in rule_codes() if code != INTERNAL_ERROR} <= set(codes)


@pytest.mark.parametrize("group", groups(), ids=lambda g: g.name)
def test_markers_that_name_a_status_match_the_reported_status(group):
    statuses = reported(group)
    wanted = {key: status for key, status in markers(group).items() if status}
    assert {key: statuses.get(key) for key in wanted} == wanted


def test_status_markers_are_used():
    assert sum(1 for g in groups() for status in markers(g).values() if status) >= 20


def test_precision_and_recall_per_rule_family(capsys):
    """Precision and recall of SDB1xx over all fixtures (printed with -s; must be 1.0)."""
    tp = fp = fn = 0
    per_code: dict[str, list[int]] = {}
    for group in groups():
        exp, act = expected(group), actual(group)
        for item in exp | act:
            counts = per_code.setdefault(item[2], [0, 0, 0])
            counts[0 if item in exp and item in act else (1 if item in act else 2)] += 1
        tp, fp, fn = tp + len(exp & act), fp + len(act - exp), fn + len(exp - act)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    with capsys.disabled():
        print(f"\nSDB1xx on fixtures: precision {precision:.3f} recall {recall:.3f} (tp={tp} fp={fp} fn={fn})")
        for code, (t, p, n) in sorted(per_code.items()):
            print(f"  {code}: tp={t} fp={p} fn={n}")
    assert precision == 1.0 and recall == 1.0
