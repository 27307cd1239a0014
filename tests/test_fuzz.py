"""Property tests: whatever Python it is given, sdblint reports findings or unparsable files,
never an internal error (SDB999) or an exception out of ``run_sources``.

Inputs: modules generated from Python's grammar (hypothesmith), alone and imported by a second
module; the real fixtures under seeded structural mutations that keep them parseable; and the
fixtures broken at the token level, which must come back as parse errors.

CI runs a small deterministic budget. For more, set SDBLINT_FUZZ_EXAMPLES (examples per test;
SDBLINT_FUZZ_RANDOM=1 draws fresh examples instead of the fixed ones), or run the long
campaign in tests/fuzz/campaign.py.
"""
from __future__ import annotations

import os
import sys

import libcst
import pytest
from fuzz.cases import (
    FAILING,
    Case,
    broken_fixture,
    check,
    diagnose,
    fixture_files,
    generated_project,
    mutated_fixture,
    run_and_check,
)
from fuzz.mutations import parses
from hypothesis import HealthCheck, given, note, settings

from sdblint.extract.parse import RECURSION_LIMIT

# sdblint raises the recursion limit on its first extraction; raised up front, hypothesis does not
# see it change under a test (and warn). Generated code is full of `1()`: compiling it warns.
sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")


def examples(default: int) -> int:
    return int(os.environ.get("SDBLINT_FUZZ_EXAMPLES", default))


def budget(default: int):
    return settings(max_examples=examples(default), deadline=None, database=None,
                    derandomize=not os.environ.get("SDBLINT_FUZZ_RANDOM"), print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])


def assert_behaves(case: Case) -> None:
    problems = [p for p in check(case) if p.kind in FAILING]
    if problems:
        first = problems[0]
        note(diagnose(case, first))
        raise AssertionError(f"{case.label}: " + "; ".join(f"{p.kind}: {p.detail}" for p in problems))


# ---------------------------------------------------------------- generated modules
@budget(100)
@given(generated_project("grammar", two_files=False))
def test_grammar_generated_modules_never_break_the_run(case):
    assert_behaves(case)


@budget(60)
@given(generated_project("grammar", two_files=True))
def test_grammar_generated_modules_imported_by_an_agent_never_break_the_run(case):
    assert_behaves(case)


@budget(30)
@given(generated_project("node"))
def test_node_generated_modules_never_break_the_run(case):
    assert_behaves(case)


# ---------------------------------------------------------------- mutated fixtures
def test_there_are_fixtures_to_mutate():
    assert len(fixture_files()) > 50


@budget(200)
@given(mutated_fixture())
def test_mutated_fixtures_never_break_the_run(case):
    assert_behaves(case)


@budget(150)
@given(broken_fixture())
def test_fixtures_broken_at_the_token_level_are_reported_as_errors(case):
    assert_behaves(case)
    (rel, source), = case.sources.items()
    if not parses(source):
        try:
            libcst.parse_module(source)
        except Exception:   # neither parser reads it: sdblint must say so  # noqa: BLE001
            _, result = run_and_check(case)
            assert [e.path for e in result.errors] == [rel]
            assert not result.modules
