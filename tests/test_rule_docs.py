"""Every rule's documentation is complete, and its examples behave as documented."""
import textwrap

import pytest

from sdblint.checks import INTERNAL_ERROR, rule_codes
from sdblint.checks.docs import FIELDS, load_rules
from sdblint.config.settings import load_settings
from sdblint.pipeline import Options, run

RULES = load_rules()


def codes_reported(tmp_path, source: str, code: str) -> set[str]:
    """The codes reported on ``source`` with ``code`` selected too (opt-in rules are named to be on)."""
    (tmp_path / "snippet.py").write_text(textwrap.dedent(source), encoding="utf-8")
    result = run([tmp_path], load_settings(None, tmp_path), Options(extend_select=(code,)))
    assert not result.errors
    return {f.code for f in result.findings}


CHECKED = [code for code in rule_codes() if code != INTERNAL_ERROR]


def test_every_registered_rule_is_documented_and_every_documented_rule_registered():
    assert sorted(RULES) == list(rule_codes())
    assert len(CHECKED) >= 10
    for doc in RULES.values():
        for field in FIELDS:
            assert getattr(doc, field), (doc.code, field)
        assert any(r.startswith("CWE-") for r in doc.references)
    for code in CHECKED:
        if RULES[code].security_severity is not None:
            assert any("OWASP LLM05" in r for r in RULES[code].references)


@pytest.mark.parametrize("code", CHECKED)
def test_documented_example_is_reported(tmp_path, code):
    assert code in codes_reported(tmp_path, RULES[code].example, code)


@pytest.mark.parametrize("code", CHECKED)
def test_documented_fix_is_not_reported(tmp_path, code):
    assert codes_reported(tmp_path, RULES[code].use_instead, code) == set()


def test_every_rule_url_points_at_its_readme_section():
    """SARIF helpUri and the language server link to the README section of the rule: its heading's
    GitHub anchor must exist."""
    import re
    from pathlib import Path

    readme = Path(__file__).resolve().parent.parent / "README.md"
    if not readme.is_file():
        pytest.skip("needs the repository checkout (README.md)")
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
               for h in re.findall(r"^#{1,6} (.+)$", readme.read_text(encoding="utf-8"), re.M)}
    assert {doc.url.rsplit("#", 1)[1] for doc in RULES.values()} <= anchors
