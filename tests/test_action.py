"""The composite GitHub Action in action.yml: its shell steps, run one after another as GitHub runs
them (`bash --noprofile --norc -eo pipefail`), the install step for real (a virtual environment
made from PyPI, as `test_pre_commit.py` does)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MODEL_MODULE, OPENAI_SHELL, git, write

REPOSITORY = Path(__file__).resolve().parent.parent
ACTION = REPOSITORY / "action.yml"
TEST_SDBLINT = str(Path(sys.executable).parent / "sdblint")   # the sdblint under test, for the later steps


def action() -> dict:
    yaml = pytest.importorskip("yaml")   # PyYAML comes with pre-commit, a test extra
    if not ACTION.is_file():
        pytest.skip("needs the repository checkout (action.yml)")
    loaded = yaml.safe_load(ACTION.read_text())
    assert set(loaded["inputs"]) >= {"paths", "args", "baseline", "diff-base", "python"}
    assert loaded["runs"]["using"] == "composite"
    return loaded


def step(step_id: str) -> dict:
    (found,) = [s for s in action()["runs"]["steps"] if s.get("id") == step_id]
    return found


def run_step(run: dict, project: Path, **env: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """One `run:` step in ``project``, with the step's inputs in ``env``; (the process, its outputs)."""
    output = project / "github-output"
    output.unlink(missing_ok=True)
    defaults = {"SDBLINT": TEST_SDBLINT, "INPUT_PATHS": ".", "INPUT_ARGS": "", "INPUT_BASELINE": "",
                "INPUT_DIFF_BASE": "", "INPUT_SARIF_FILE": "sdblint.sarif"}
    full = {**os.environ, **defaults, "GITHUB_OUTPUT": str(output), **env}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run["run"]], cwd=project,
                          env=full, capture_output=True, text=True, timeout=900)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines()) if output.exists() else {}
    return done, outputs


def two_findings(root: Path) -> Path:
    return write(root, {"agent/tools.py": OPENAI_SHELL, "agent/__init__.py": "", "agent/model.py": MODEL_MODULE,
                        "agent/cli.py": "import os\nfrom agent.model import propose\n\n\ndef act(task):\n"
                                        "    os.system(propose(task))\n"})


@pytest.fixture(scope="module")
def action_path(tmp_path_factory) -> Path:
    """What `uses: sdblint/sdblint@...` checks out: the package, its rules and the action."""
    action()
    copy = tmp_path_factory.mktemp("action") / "sdblint"
    shutil.copytree(REPOSITORY, copy, ignore=shutil.ignore_patterns(".git", ".sdblint_cache", "__pycache__", "*.egg-info",
                                                                     "build", "fixtures", "tests"))
    return copy


def test_the_action_installs_sdblint_apart_checks_and_fails_the_job_on_findings(tmp_path, action_path):
    python = shutil.which("python3")
    if python is None:
        pytest.skip("needs a python3 on PATH, as every GitHub runner has")
    assert not any("setup-python" in s.get("uses", "") for s in action()["runs"]["steps"])   # the job's Python stays
    freeze = [python, "-m", "pip", "freeze", "--all"]
    packages_before = subprocess.run(freeze, capture_output=True, text=True).stdout
    project = write(tmp_path / "repo", {"agent/tools.py": OPENAI_SHELL})
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    github_env, github_path = tmp_path / "github-env", tmp_path / "github-path"
    done, outputs = run_step(step("install"), project, INPUT_PYTHON=python, RUNNER_TEMP=str(runner_temp),
                             GITHUB_ACTION_PATH=str(action_path), GITHUB_ENV=str(github_env),
                             GITHUB_PATH=str(github_path))
    assert done.returncode == 0, done.stderr
    installed = Path(outputs["sdblint"])
    assert installed == runner_temp / "sdblint-venv" / "bin" / "sdblint"
    assert not github_env.exists() and not github_path.exists()       # nothing added to the job's environment
    assert subprocess.run(freeze, capture_output=True, text=True).stdout == packages_before

    done, outputs = run_step(step("check"), project, SDBLINT=str(installed))
    assert done.returncode == 0, done.stderr            # findings: the last step fails the job
    assert outputs["exit-code"] == "1"
    sarif = json.loads((project / "sdblint.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["SDB102"]
    assert done.stdout.startswith("::error file=agent/tools.py,line=8,")
    fail = next(s for s in action()["runs"]["steps"] if s.get("name") == "Fail on new findings")
    assert run_step(fail, project, EXIT_CODE=outputs["exit-code"])[0].returncode == 1


def test_a_usage_error_fails_the_check_step_with_the_message_shown(tmp_path):
    """The issue: a bad `--select` gave exit-code=2 with the step green, no SARIF, and an upload
    step failing on the missing file instead."""
    project = write(tmp_path, {"agent/tools.py": OPENAI_SHELL})
    done, outputs = run_step(step("check"), project, INPUT_ARGS="--select NOPE")
    assert done.returncode == 2
    assert "sdblint: error: command line: invalid `--select`" in done.stderr
    assert "::error title=sdblint::sdblint exited with 2" in done.stdout
    assert outputs["exit-code"] == "2" and not (project / "sdblint.sarif").exists()
    upload = next(s for s in action()["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert "always()" not in upload["if"]    # a failed check step stops the action before the upload


def test_the_sarif_holds_every_finding_marked_new_or_unchanged_and_the_gate_fails_on_new_ones(tmp_path):
    project = two_findings(tmp_path)
    baseline = project / "baseline.json"
    subprocess.run([TEST_SDBLINT, "baseline", "-o", str(baseline), "agent/tools.py"], cwd=project, check=True,
                   capture_output=True)
    done, outputs = run_step(step("check"), project, INPUT_BASELINE=str(baseline))
    assert done.returncode == 0, done.stderr
    assert outputs["exit-code"] == "1"
    results = json.loads((project / "sdblint.sarif").read_text())["runs"][0]["results"]
    states = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["baselineState"]) for r in results}
    assert states == {("agent/tools.py", "unchanged"), ("agent/cli.py", "new")}
    assert [line.split(",")[0] for line in done.stdout.splitlines() if line.startswith("::error")] == \
        ["::error file=agent/cli.py"]   # annotations: the new finding only

    write(project, {"agent/cli.py": "X = 1\n"})   # the new finding fixed: only the baselined one is left
    done, outputs = run_step(step("check"), project, INPUT_BASELINE=str(baseline))
    assert outputs["exit-code"] == "0", done.stderr
    results = json.loads((project / "sdblint.sarif").read_text())["runs"][0]["results"]
    assert [r["baselineState"] for r in results] == ["unchanged"]    # code scanning still sees it


def test_with_a_diff_base_the_sarif_marks_what_the_base_already_had(tmp_path):
    project = two_findings(tmp_path)
    cli = (project / "agent/cli.py").read_text()
    (project / "agent/cli.py").write_text("X = 1\n")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "base")
    (project / "agent/cli.py").write_text(cli)   # the pull request adds the second flow
    done, outputs = run_step(step("check"), project, INPUT_DIFF_BASE="HEAD")
    assert done.returncode == 0, done.stderr
    assert outputs["exit-code"] == "1"
    results = json.loads((project / "sdblint.sarif").read_text())["runs"][0]["results"]
    assert sorted((r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["baselineState"])
                  for r in results) == [("agent/cli.py", "new"), ("agent/tools.py", "unchanged")]
    assert subprocess.run(["git", "-C", str(project), "worktree", "list"], capture_output=True, text=True,
                          check=True).stdout.count("\n") == 1   # the base's temporary worktree is gone
