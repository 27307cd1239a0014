"""Odd input is reported or analysed, never fatal."""
import ast
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

from helpers import OPENAI_SHELL, check_json, invoke, write

from sdblint.extract import extract
from sdblint.extract.parse import MAX_NESTING_DEPTH
from sdblint.extract.cache import decoded
from sdblint.extract.runner import LARGE_FILE_BYTES, _in_processes
from sdblint.facts import ModuleFacts, ParseError
from sdblint.limits import MAX_FILE_BYTES

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
    # The budget is wall time: on a loaded machine long_chain.py (seconds of CPU) would run out of it.
    report = check_json(tmp_path, "--file-timeout", "600")
    errors = {e["path"]: e["message"] for e in report["errors"]}
    assert set(errors) == {"bad.py", "nul.py", "nul_in_string.py", "latin.py", "py2.py"}
    assert errors["bad.py"] == "syntax error: invalid syntax"
    assert "null bytes" in errors["nul.py"] and "line None" not in errors["nul.py"]
    assert errors["nul_in_string.py"].startswith("syntax error") and "null bytes" in errors["nul_in_string.py"]
    assert "decode" in errors["latin.py"]
    # Python cannot parse any of them: each is a syntax error, at the byte or token Python stops at.
    assert {e["path"]: (e["line"], e["column"], e["kind"]) for e in report["errors"]} == {
        "bad.py": (1, 7, "syntax-error"), "nul.py": (1, 6, "syntax-error"), "nul_in_string.py": (1, 15, "syntax-error"),
        "latin.py": (1, 6, "syntax-error"), "py2.py": (1, 1, "syntax-error")}
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
    # Python itself refuses 5,000 nested parentheses; the rest is Python that only sdblint does not analyse.
    assert {e["path"]: e["kind"] for e in report["errors"]} == {
        "parens.py": "syntax-error", "long_sum.py": "not-analysed", "long_and.py": "not-analysed",
        "newer_syntax_deep.py": "not-analysed"}
    assert f"sdblint analyses up to {MAX_NESTING_DEPTH}" in errors["long_sum.py"]
    assert [f["path"] for f in report["findings"]] == ["agent.py"]


def test_flat_but_huge_expressions_are_analysed():
    result = extract("big.py", "b = {" + ", ".join(f"'k{i}': a" for i in range(20_000)) + "}\n")
    assert isinstance(result, ModuleFacts) and len({f.src for d in result.defs for f in d.flows}) == 1


def test_a_file_over_its_time_budget_is_reported_and_the_run_goes_on(tmp_path):
    # Over LARGE_FILE_BYTES (parsed in a process that can be killed) and under MAX_FILE_BYTES.
    (tmp_path / "huge.py").write_text("".join(f"v{i % 1000} = {i}\n" for i in range(100_000)))
    assert LARGE_FILE_BYTES < (tmp_path / "huge.py").stat().st_size <= MAX_FILE_BYTES
    (tmp_path / "agent.py").write_text(OPENAI_SHELL)
    proc = subprocess.run([sys.executable, "-m", "sdblint", "check", "--output-format", "json", "--file-timeout", "1",
                           str(tmp_path)], capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stdout)
    assert report["errors"] == [{"path": "huge.py", "kind": "not-analysed",
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
    results = [decoded(payload) for _, payload in sorted(_in_processes(work, 2, task=crash_on_boom))]
    assert [type(r).__name__ for r in results] == ["ModuleFacts"] * 3 + ["ParseError"] + ["ModuleFacts"] * 3
    assert results[3] == ParseError("boom.py", "not analysed: the parser crashed on this file (its worker process died)",
                                    transient=True)


def test_fail_on_error_makes_an_unanalysed_file_fail_the_run(tmp_path):
    """Python that sdblint does not analyse (nested deeper than it goes) is no error of the code."""
    (tmp_path / "deep.py").write_text("x = " + " + ".join(["a"] * 5000) + "\n")
    assert invoke("check", str(tmp_path)).exit_code == 0
    assert invoke("check", "--fail-on-error", str(tmp_path)).exit_code == 1


# A syntax error on line 3 at column 18, in a project with no finding at all.
UNPARSABLE = {"app/broken.py": "import os\n\nx = os.path.join(a b)\n", "app/clean.py": "print('hi')\n",
              "app/deep.py": "x = " + " + ".join(["a"] * 5000) + "\n"}
SYNTAX_MESSAGE = "syntax error: invalid syntax. Perhaps you forgot a comma?"


def test_a_file_python_cannot_parse_fails_the_run_as_in_ruff(tmp_path, monkeypatch):
    project = write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n", **UNPARSABLE})
    monkeypatch.chdir(project)
    assert invoke("check", ".").exit_code == 1
    assert invoke("check", "--exit-zero", ".").exit_code == 0
    # Files given alone: a file of the project read only as their context fails nothing.
    assert invoke("check", "app/clean.py").exit_code == 0
    assert invoke("check", "app/broken.py").exit_code == 1


def where_each_format_shows_it(output: str) -> dict:
    """The location of app/broken.py's syntax error as each format shows it."""
    json_error = next(e for e in json.loads(output["json"])["errors"] if e["path"] == "app/broken.py")
    jsonl = [json.loads(line) for line in output["json-lines"].splitlines()]
    (note,) = [n for n in json.loads(output["sarif"])["runs"][0]["invocations"][0]["toolExecutionNotifications"]
               if n.get("descriptor") == {"id": "syntax-error"}]
    region = note["locations"][0]["physicalLocation"]
    (gitlab,) = json.loads(output["gitlab"])
    case = next(c for c in ET.fromstring(output["junit"]).iter("testcase") if c.find("failure") is not None)
    return {
        "full": [line for line in output["full"].splitlines() if line.startswith("app/broken.py:")],
        "concise": [line for line in output["concise"].splitlines() if line.startswith("app/broken.py:")],
        "json": (json_error["line"], json_error["column"], json_error["kind"]),
        "json-lines": [(r["path"], r["line"], r["column"], r["kind"]) for r in jsonl],
        "sarif": (region["artifactLocation"]["uri"], region["region"]["startLine"], region["region"]["startColumn"]),
        "github": [line.split("::")[1] for line in output["github"].splitlines() if line.startswith("::error")],
        "gitlab": (gitlab["check_name"], gitlab["location"]),
        "junit": (case.get("file"), case.get("name"), case.find("failure").get("type")),
    }


def test_every_format_shows_where_python_cannot_parse_a_file(tmp_path, monkeypatch):
    from sdblint.report import FORMATS

    project = write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n", **UNPARSABLE})
    monkeypatch.chdir(project)
    output = {fmt: invoke("check", "--output-format", fmt, ".").stdout for fmt in FORMATS}
    shown = where_each_format_shows_it(output)
    assert set(shown) == set(FORMATS)
    assert shown["full"] == shown["concise"] == [f"app/broken.py:3:18: error: {SYNTAX_MESSAGE}"]
    assert "app/deep.py: error: an expression nested" in output["concise"]   # only sdblint could not: no place
    assert shown["json"] == (3, 18, "syntax-error")
    assert shown["json-lines"] == [("app/broken.py", 3, 18, "syntax-error")]   # deep.py is no problem of the code
    assert shown["sarif"] == ("app/broken.py", 3, 18)
    assert shown["github"] == ["error file=app/broken.py,line=3,col=18,title=sdblint%3A Python cannot parse this file"]
    assert shown["gitlab"] == ("syntax-error", {"path": "app/broken.py", "positions": {
        "begin": {"line": 3, "column": 18}, "end": {"line": 3, "column": 18}}})
    assert shown["junit"] == ("app/broken.py", "syntax-error at 3:18", "syntax-error")
    assert output["concise"].splitlines()[-2] == "Found 0 findings in 3 files (1 Python cannot parse, 1 could not be analysed)."


def test_a_file_over_its_budget_is_not_cached_as_unanalysable(tmp_path):
    from sdblint.extract.cache import FactsCache
    from sdblint.extract.runner import extract_all

    slow = ("slow.py", b"x = 1\n" * 50)
    cache = FactsCache(tmp_path / "cache")
    first = extract_all([slow], cache, 1, 1e-9).results
    assert first[0].transient and "per-file budget" in first[0].message
    again = extract_all([slow], cache, 1, 20.0)
    assert isinstance(again.results[0], ModuleFacts) and again.cached == 0


def test_valid_python_the_parser_cannot_read_is_not_a_syntax_error(tmp_path):
    """`(name): T` annotations in the standard library's tests: CPython accepts them, libcst does not."""
    source = "(alias): int = 1\n\ndef f():\n    (x): int\n"
    ast.parse(source)   # the premise: Python reads it
    (tmp_path / "annotations.py").write_text(source)
    (tmp_path / "agent.py").write_text(OPENAI_SHELL)
    proc = subprocess.run([sys.executable, "-m", "sdblint", "check", "--no-cache", "--output-format", "json",
                           str(tmp_path)], capture_output=True, text=True, timeout=300)
    (error,) = json.loads(proc.stdout)["errors"]
    assert (error["path"], error["kind"]) == ("annotations.py", "not-analysed")
    assert error["message"].startswith("not analysed: valid Python that the parser cannot read (libcst: ")
    # The finding fails the run, the unreadable file does not: without agent.py the run passes.
    assert proc.returncode == 1
    (tmp_path / "agent.py").unlink()
    assert invoke("check", "--no-cache", str(tmp_path)).exit_code == 0
