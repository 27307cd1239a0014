"""The VS Code problem matcher shipped in editors/vscode/ reads real sdblint output."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import OPENAI_SHELL, check_json, invoke, write

EDITORS = Path(__file__).resolve().parent.parent / "editors" / "vscode"


def matchers() -> list[dict]:
    if not EDITORS.is_dir():
        pytest.skip("needs the repository checkout (editors/vscode)")
    shipped = json.loads((EDITORS / "problem-matcher.json").read_text())["problemMatcher"]
    task = json.loads((EDITORS / "tasks.json").read_text())["tasks"][0]["problemMatcher"]
    assert task == shipped[0]          # the example task uses the shipped matcher, not a drifted copy
    return shipped


def test_the_problem_matcher_reads_every_concise_finding_and_unparsable_file_and_nothing_else(tmp_path, monkeypatch):
    """Findings, and files Python cannot parse (`broken.py:1:7: error: ...`: they fail the run), land in
    the Problems panel; the summary and a file only sdblint could not analyse do not."""
    (matcher,) = matchers()
    pattern = matcher["pattern"]
    regexp = re.compile(pattern["regexp"])
    write(tmp_path, {"agent/a.py": OPENAI_SHELL, "b.py": OPENAI_SHELL, "broken.py": "def f(:\n",
                     "deep.py": "x = " + " + ".join(["a"] * 5000) + "\n"})
    monkeypatch.chdir(tmp_path)
    lines = invoke("check", "--output-format", "concise", ".").stdout.splitlines()
    problems = [m for m in map(regexp.match, lines) if m]
    report = check_json(tmp_path)
    assert len(report["findings"]) >= 2 and {e["kind"] for e in report["errors"]} == {"syntax-error", "not-analysed"}
    assert [(m.group(pattern["file"]), int(m.group(pattern["line"])), int(m.group(pattern["column"])),
             m.group(pattern["severity"]), m.group(pattern["code"]), m.group(pattern["message"])) for m in problems] == \
        [(e["path"], e["line"], e["column"], "error", None, e["message"]) for e in report["errors"]
         if e["kind"] == "syntax-error"] + \
        [(f["path"], f["line"], f["column"], f["severity"], f["code"], f["message"]) for f in report["findings"]]
    assert problems[0].group(pattern["file"], pattern["line"], pattern["column"]) == ("broken.py", "1", "7")
    assert all((tmp_path / m.group(pattern["file"])).is_file() for m in problems)   # relative to the workspace
