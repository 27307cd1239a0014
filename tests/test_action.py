"""The composite GitHub Action in action.yml: its check step, run as GitHub runs it (`bash -e`)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import OPENAI_SHELL, write

ACTION = Path(__file__).resolve().parent.parent / "action.yml"


def check_step() -> dict:
    yaml = pytest.importorskip("yaml")   # PyYAML comes with pre-commit, a test extra
    if not ACTION.is_file():
        pytest.skip("needs the repository checkout (action.yml)")
    action = yaml.safe_load(ACTION.read_text())
    assert set(action["inputs"]) >= {"paths", "args", "baseline", "diff-base"}
    assert action["runs"]["using"] == "composite"
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == "check"]
    return step


def run_step(step: dict, project: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, str]:
    output = project / "github-output"
    env = {**os.environ, "GITHUB_OUTPUT": str(output),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "INPUT_PATHS": ".", "INPUT_ARGS": "", "INPUT_BASELINE": "", "INPUT_DIFF_BASE": "",
           "INPUT_SARIF_FILE": "sdblint.sarif", **inputs}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=project,
                          env=env, capture_output=True, text=True, timeout=600)
    return done, output.read_text() if output.exists() else ""


def test_the_check_step_writes_sarif_annotates_and_hands_on_the_exit_code(tmp_path):
    step = check_step()
    write(tmp_path, {"agent/tools.py": OPENAI_SHELL})
    done, outputs = run_step(step, tmp_path)
    assert done.returncode == 0, done.stderr            # the last step of the action fails the job
    assert "exit-code=1" in outputs.splitlines()
    sarif = json.loads((tmp_path / "sdblint.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["SDB102"]
    assert done.stdout.startswith("::error file=agent/tools.py,line=8,")

    baseline = tmp_path / "baseline.json"
    subprocess.run([sys.executable, "-m", "sdblint", "baseline", "-o", str(baseline), str(tmp_path)], check=True,
                   capture_output=True)
    done, outputs = run_step(step, tmp_path, INPUT_BASELINE=str(baseline), INPUT_ARGS="--fail-on error")
    assert "exit-code=0" in outputs.splitlines(), done.stderr
