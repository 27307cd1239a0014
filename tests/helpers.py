"""Small builders shared by the unit tests."""
from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

from click.testing import CliRunner

from sdblint.cli import main
from sdblint.report import FORMATS, ReportView


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def as_json(result) -> str:
    """The json format of a pipeline result (its paths are relative to the root whatever the view)."""
    return FORMATS["json"](result, ReportView(Path("/"), Path("/")))


def check_json(root: Path, *extra: str) -> dict:
    result = invoke("check", "--output-format", "json", *extra, str(root))
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def found(report: dict) -> set[tuple[str, int, str]]:
    return {(f["path"], f["line"], f["code"]) for f in report["findings"]}


OPENAI_SHELL = """
import subprocess
from openai import OpenAI

client = OpenAI()

def run(task):
    cmd = client.chat.completions.create(model="gpt-4o", messages=[]).choices[0].message.content
    subprocess.run(cmd, shell=True)
"""


# A model call in a module of its own (`bot/model.py`): a sink elsewhere that calls `propose` makes a
# flow that crosses files.
MODEL_MODULE = """
from openai import OpenAI

client = OpenAI()

def propose(task):
    return client.chat.completions.create(model="gpt-4o", messages=[]).choices[0].message.content
"""
# A committer identity, so that tests can commit on a machine without a git config.
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env={**os.environ, **GIT_ENV})
