"""The pre-commit hook, run for real: `pre-commit try-repo` installs this repository as a hook source
(in its own virtual environment, from PyPI) and runs the hook on the staged files of a project."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import GIT_ENV, MODEL_MODULE, git, write

REPOSITORY = Path(__file__).resolve().parent.parent
SAFE = '''
import subprocess

def act(task):
    subprocess.run(["echo", task])
'''
UNSAFE = '''
import subprocess
from bot.model import propose

def act(task):
    subprocess.run(propose(task), shell=True)
'''


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory) -> Path:
    """This repository as committed, plus the working tree's hook definition and package: try-repo
    clones a git repository, so a copy is committed in a scratch folder."""
    if not (REPOSITORY / ".pre-commit-hooks.yaml").is_file() or shutil.which("git") is None:
        pytest.skip("needs the repository checkout (with .pre-commit-hooks.yaml) and git")
    copy = tmp_path_factory.mktemp("hook-source") / "sdblint"
    shutil.copytree(REPOSITORY, copy, ignore=shutil.ignore_patterns(".git", ".sdblint_cache", "__pycache__", "*.egg-info",
                                                                     "build", "fixtures", "tests"))
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-qm", "hook source")
    return copy


def try_repo(project: Path, source: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(source), "sdblint"],
                          cwd=project, capture_output=True, text=True, env=env, timeout=900)


def test_the_hook_fails_on_a_staged_flow_whose_source_is_in_an_untouched_file(tmp_path, hook_source):
    project = write(tmp_path / "project", {"bot/__init__.py": "", "bot/model.py": MODEL_MODULE, "bot/cli.py": SAFE,
                                           "README.md": "# bot\n"})
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "base")
    home = tmp_path / "pre-commit-home"

    write(project, {"bot/cli.py": UNSAFE})          # only cli.py is staged; the model call is in model.py
    git(project, "add", "bot/cli.py")
    failed = try_repo(project, hook_source, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "bot/cli.py:5:5: error SDB102 " in failed.stdout

    write(project, {"bot/cli.py": SAFE + "\n# a clean change\n"})
    git(project, "add", "bot/cli.py")
    passed = try_repo(project, hook_source, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "sdblint" in passed.stdout and "Passed" in passed.stdout
