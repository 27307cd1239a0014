"""Every rule's documentation is complete, and its examples behave as documented."""
import textwrap

import pytest

from sdblint.config import load_settings
from sdblint.engine import run
from sdblint.ruledocs import FIELDS, load_rules

RULES = load_rules()


def codes_reported(tmp_path, source: str) -> set[str]:
    (tmp_path / "snippet.py").write_text(textwrap.dedent(source), encoding="utf-8")
    result = run([tmp_path], load_settings(None, tmp_path))
    assert not result.errors
    return {f.code for f in result.findings}


def test_every_sdb1_rule_is_documented():
    assert sorted(RULES) == [f"SDB1{n:02d}" for n in range(1, 11)]
    for doc in RULES.values():
        for field in FIELDS:
            assert getattr(doc, field), (doc.code, field)
        assert any("OWASP LLM05" in r for r in doc.references)
        assert any(r.startswith("CWE-") for r in doc.references)


@pytest.mark.parametrize("code", sorted(RULES))
def test_documented_example_is_reported(tmp_path, code):
    assert code in codes_reported(tmp_path, RULES[code].example)


@pytest.mark.parametrize("code", sorted(RULES))
def test_documented_fix_is_not_reported(tmp_path, code):
    assert codes_reported(tmp_path, RULES[code].use_instead) == set()
