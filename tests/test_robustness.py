"""Odd input is reported or analysed, never fatal."""
import json
import os
import pickle
import subprocess
import sys

from helpers import OPENAI_SHELL, check_json, invoke

from sdblint.extract import extract
from sdblint.extract.parse import MAX_NESTING_DEPTH
from sdblint.extract.runner import _in_processes
from sdblint.facts import ModuleFacts, ParseError

CASES = {
    "bad.py": b"def f(:\n",
    "nul.py": b"a = 1\x00\n",
    "nul_in_string.py": b'x = resp["choi\x00ces"]\n',
    "latin.py": b'x = "\xff\xfe"\n',
    "py2.py": b'print "hello"\n',
    "declared.py": b'# -*- coding: latin-1 -*-\nx = "\xff"\n',
    "long_chain.py": ("x = " + "+".join(["a"] * 3000) + "\n").encode(),
    "deep.py": ("x = " + "(" * 150 + "1" + ")" * 150 + "\n").encode(),
    "modern.py": b"match x:\n    case [1, *rest] if rest:\n        pass\ntype Alias = int\n",
}


def test_bad_files_are_reported_and_the_rest_analysed(tmp_path):
    for name, data in CASES.items():
        (tmp_path / name).write_bytes(data)
    report = check_json(tmp_path)
    errors = {e["path"]: e["message"] for e in report["errors"]}
    assert set(errors) == {"bad.py", "nul.py", "nul_in_string.py", "latin.py", "py2.py"}
    assert errors["bad.py"].startswith("syntax error at line 1")
    assert "null bytes" in errors["nul.py"] and "line None" not in errors["nul.py"]
    assert errors["nul_in_string.py"].startswith("syntax error") and "null bytes" in errors["nul_in_string.py"]
    assert "decode" in errors["latin.py"]
    assert report["summary"]["files"] == len(CASES)


# ---------------------------------------------------------------- hostile input

HOSTILE = {
    "parens.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
    "long_sum.py": "a = 1\nb = " + " + ".join(["a"] * 60_000) + "\n",
    "long_and.py": "b = " + " and ".join(["a"] * 60_000) + "\n",
    "newer_syntax_deep.py": "type X = int\nb = " + " + ".join(["a"] * 60_000) + "\n",
}


def test_hostile_files_are_reported_with_a_reason_and_the_run_goes_on(tmp_path):
    for name, text in HOSTILE.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "agent.py").write_text(OPENAI_SHELL)
    report = check_json(tmp_path)
    errors = {e["path"]: e["message"] for e in report["errors"]}
    assert set(errors) == set(HOSTILE)
    assert "nested" in errors["parens.py"]
    assert f"sdblint analyses up to {MAX_NESTING_DEPTH}" in errors["long_sum.py"]
    assert [f["path"] for f in report["findings"]] == ["agent.py"]


def test_flat_but_huge_expressions_are_analysed():
    result = extract("big.py", "b = {" + ", ".join(f"'k{i}': a" for i in range(20_000)) + "}\n")
    assert isinstance(result, ModuleFacts) and len({f.src for d in result.defs for f in d.flows}) == 1


def test_a_file_over_its_time_budget_is_reported_and_the_run_goes_on(tmp_path):
    (tmp_path / "huge.py").write_text("".join(f"v{i % 1000} = {i}\n" for i in range(600_000)))
    (tmp_path / "agent.py").write_text(OPENAI_SHELL)
    proc = subprocess.run([sys.executable, "-m", "sdblint", "check", "--output-format", "json", "--file-timeout", "1",
                           str(tmp_path)], capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stdout)
    assert report["errors"] == [{"path": "huge.py",
                                 "message": "not analysed: took longer than the per-file budget of 1 s (--file-timeout)"}]
    assert [f["path"] for f in report["findings"]] == ["agent.py"] and proc.returncode == 1


def crash_on_boom(job):
    if job[0] == "boom.py":
        os._exit(1)   # what a segfault in a native parser does to its worker
    from sdblint.extract.runner import _work
    return _work(job)


def test_a_worker_that_dies_costs_only_its_file():
    work = [(f"f{i}.py", b"x = 1\n", None) for i in range(6)]
    work.insert(3, ("boom.py", b"x = 1\n", None))
    results = [pickle.loads(payload) for _, payload in _in_processes(work, 2, task=crash_on_boom)]
    assert [type(r).__name__ for r in results] == ["ModuleFacts"] * 3 + ["ParseError"] + ["ModuleFacts"] * 3
    assert results[3] == ParseError("boom.py", "not analysed: the parser crashed on this file (its worker process died)",
                                    transient=True)


def test_fail_on_error_makes_an_unanalysed_file_fail_the_run(tmp_path):
    (tmp_path / "bad.py").write_text("def f(:\n")
    assert invoke("check", str(tmp_path)).exit_code == 0
    assert invoke("check", "--fail-on-error", str(tmp_path)).exit_code == 1


def test_a_file_over_its_budget_is_not_cached_as_unanalysable(tmp_path):
    from sdblint.extract.cache import FactsCache
    from sdblint.extract.runner import extract_all

    slow = ("slow.py", b"x = 1\n" * 50)
    cache = FactsCache(tmp_path / "cache")
    first = extract_all([slow], cache, 1, 1e-9).results
    assert first[0].transient and "per-file budget" in first[0].message
    again = extract_all([slow], cache, 1, 20.0)
    assert isinstance(again.results[0], ModuleFacts) and again.cached == 0
