"""Coverage: every run says what it recognised (model calls by family, tool entry points, sinks), so
that a run with no finding can be told apart from a run that saw no model call."""
from pathlib import Path

from helpers import check_json, invoke, write

MODELS = """
import anthropic
from openai import OpenAI

client = OpenAI()

def plan(task):
    return client.chat.completions.create(model="gpt-4o-2024-08-06", messages=[]).choices[0].message.content

def review(task):
    return client.chat.completions.create(model="gpt-4o-2024-08-06", messages=[]).choices[0].message.content

def critique(task):
    return anthropic.Anthropic().messages.create(model="claude-3-5-sonnet-20241022", max_tokens=9, messages=[]).content[0].text

def embed(text):   # vectors, not generated text: no model call
    return client.embeddings.create(model="text-embedding-3-small", input=text)
"""

TOOLS = """
import shutil
import subprocess

from agents import function_tool
from langchain_core.tools import tool


@tool
def run_shell(command: str) -> str:
    \"\"\"Run a command.\"\"\"
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout


@function_tool
def clean(path: str) -> str:
    shutil.rmtree(path)
    return "ok"


def housekeeping(path: str) -> None:   # no tool: nothing registers it
    shutil.move(path, path + ".bak")   # one sink call, two watched arguments
"""

# Three model calls (two openai, one anthropic), two tool entry points, three sink calls (two file, one shell).
PROJECT = {"agent/__init__.py": "", "agent/models.py": MODELS, "agent/tools.py": TOOLS}
RECOGNISED = ("Recognised 3 model calls (openai 2, anthropic 1), 2 tool entry points (langchain tool 1, "
              "openai-agents function_tool 1) and 3 sinks (file 2, shell 1).")
NOTHING = ("No model call recognised, so no model output was followed (1 sink recognised). If this code calls a "
           "model through a client sdblint does not know, declare it with [[tool.sdblint.proposer]].")


def test_json_counts_model_calls_by_family_tool_entry_points_and_sink_calls(tmp_path):
    coverage = check_json(write(tmp_path, PROJECT))["summary"]["coverage"]
    assert coverage == {
        "model_calls": {"total": 3, "by_family": {"anthropic": 1, "openai": 2}},
        "tool_entry_points": {"total": 2, "by_family": {"langchain tool": 1, "openai-agents function_tool": 1}},
        "sinks": {"total": 3, "by_category": {"file": 2, "shell": 1}},
    }


def test_text_formats_end_with_what_was_recognised(tmp_path, monkeypatch):
    monkeypatch.chdir(write(tmp_path, PROJECT))
    for fmt in ("full", "concise"):
        assert invoke("check", "--output-format", fmt, ".").stdout.splitlines()[-1] == RECOGNISED


def test_a_run_that_recognised_no_model_call_says_so_plainly(tmp_path, monkeypatch):
    """An unknown client calls the model: no finding, and the summary says why rather than nothing."""
    monkeypatch.chdir(write(tmp_path, {"bot.py": """
        import subprocess
        from inhouse_llm import Client

        def fix(problem):
            subprocess.run(Client().generate(problem), shell=True)
        """}))
    for fmt in ("full", "concise"):
        out = invoke("check", "--output-format", fmt, ".").stdout.splitlines()
        assert out[-2:] == ["Found 0 findings in 1 file.", NOTHING]
    coverage = check_json(Path("."))["summary"]["coverage"]
    assert coverage["model_calls"] == {"total": 0, "by_family": {}} and coverage["sinks"]["total"] == 1
    notice = invoke("check", "--output-format", "github", ".").stdout.splitlines()[-1]   # a CI job with no annotation
    assert notice.startswith("::notice title=sdblint::0 findings") and NOTHING in notice


def test_only_tool_entry_points_are_said_to_be_all_that_was_followed(tmp_path, monkeypatch):
    monkeypatch.chdir(write(tmp_path, {"agent/tools.py": TOOLS}))
    assert invoke("check", "--output-format", "concise", ".").stdout.splitlines()[-1].startswith(
        "No model call recognised, so only the arguments of 2 tool entry points (langchain tool 1, "
        "openai-agents function_tool 1) were followed (3 sinks recognised).")


def test_verbose_lists_each_model_call_and_a_cached_run_keeps_the_coverage(tmp_path, monkeypatch):
    monkeypatch.chdir(write(tmp_path, PROJECT))
    cold = invoke("check", "-v", ".")
    lines = cold.stderr.splitlines()
    start = lines.index("model calls recognised: 3")
    assert lines[start + 1:start + 4] == [
        "  agent/models.py:7 openai.OpenAI().chat.completions.create (openai)",
        "  agent/models.py:10 openai.OpenAI().chat.completions.create (openai)",
        "  agent/models.py:13 anthropic.Anthropic().messages.create (anthropic)",
    ]
    warm = invoke("check", "-v", ".")
    assert "results: reused from the cache" in warm.stderr
    assert warm.stdout == cold.stdout and warm.stderr.splitlines()[-4:] == lines[-4:]
