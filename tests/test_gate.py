"""The gate: files given explicitly are checked in their project, baselines, `--diff REV`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sdblint.gate.diff import changed_lines

from helpers import MODEL_MODULE, OPENAI_SHELL, check_json, found, git, invoke, write

# The shell sink of the project; the model call it acts on is in bot/model.py.
SINK = """
import subprocess
from bot.model import propose

def act(task):
    cmd = propose(task)
    subprocess.run(cmd, shell=True)
"""


def project(tmp_path, **extra):
    return write(tmp_path, {"pyproject.toml": "[tool.sdblint]\nexclude = [\"vendored\"]\n", "bot/__init__.py": "",
                            "bot/model.py": MODEL_MODULE, "bot/cli.py": SINK, "bot/other.py": "X = 1\n", **extra})


# ---------------------------------------------------------------- explicit files (pre-commit, editors)
def test_a_file_given_alone_is_checked_with_its_project_as_context(tmp_path, monkeypatch):
    project(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert found(check_json(tmp_path / "bot" / "cli.py")) == {("bot/cli.py", 6, "SDB102")}
    # the flow starts in model.py: checking that file alone reports it too
    assert found(check_json(tmp_path / "bot" / "model.py")) == {("bot/cli.py", 6, "SDB102")}
    untouched = check_json(tmp_path / "bot" / "other.py")
    assert untouched["findings"] == [] and untouched["summary"]["gate"] == {"outside_files": 1}
    out = invoke("check", "bot/other.py").output
    assert "Found 0 findings in 4 files; not reported: 1 touching none of the given files." in out


def test_explicit_non_python_files_are_skipped_with_a_note_and_force_exclude_applies(tmp_path, monkeypatch):
    project(tmp_path, **{"README.md": "# not python\n", "vendored/tool.py": OPENAI_SHELL})
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--output-format", "concise", "README.md", "bot/cli.py")
    assert "sdblint: note: skipped README.md: not a Python file" in result.stderr
    assert result.stdout.splitlines()[0].startswith("bot/cli.py:6:5: error SDB102 ")
    assert found(check_json(tmp_path / "vendored" / "tool.py")) == {("vendored/tool.py", 8, "SDB102")}
    forced = check_json(tmp_path / "vendored" / "tool.py", "--force-exclude")
    assert forced["findings"] == [] and forced["summary"]["files"] == 0


def test_without_a_config_the_root_is_the_git_work_tree(tmp_path, monkeypatch):
    write(tmp_path, {"src/opsbot/cli.py": OPENAI_SHELL})
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    assert found(check_json(tmp_path / "src")) == {("src/opsbot/cli.py", 8, "SDB102")}
    assert invoke("check", ".").output.startswith("opsbot/cli.py:8:5: error SDB102 ")


# ---------------------------------------------------------------- baseline
def test_a_baseline_hides_known_findings_and_counts_them(tmp_path):
    project(tmp_path)
    base = tmp_path / "sdblint-baseline.json"
    wrote = invoke("baseline", "--output-file", str(base), str(tmp_path))
    assert wrote.exit_code == 0 and "Wrote 1 finding to" in wrote.output
    assert [e["code"] for e in json.loads(base.read_text())["findings"]] == ["SDB102"]
    gated = invoke("check", "--baseline", str(base), str(tmp_path))
    assert gated.exit_code == 0 and "not reported: 1 in the baseline." in gated.output
    # moving the code (lines above it) keeps the finding matched
    write(tmp_path, {"bot/cli.py": "# a header\n\n" + SINK})
    assert check_json(tmp_path, "--baseline", str(base))["summary"]["gate"] == {"baseline_matched": 1,
                                                                              "baseline_stale": 0}


def test_one_baseline_entry_never_absorbs_a_second_identical_finding(tmp_path):
    project(tmp_path)
    base = tmp_path / "b.json"
    invoke("baseline", "-o", str(base), str(tmp_path))
    write(tmp_path, {"bot/cli.py": SINK + "    subprocess.run(cmd, shell=True)\n"})
    result = invoke("check", "--output-format", "json", "--baseline", str(base), str(tmp_path))
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and found(report) == {("bot/cli.py", 7, "SDB102")}
    assert report["summary"]["gate"] == {"baseline_matched": 1, "baseline_stale": 0}


def test_fixed_findings_leave_stale_baseline_entries_counted(tmp_path):
    project(tmp_path)
    base = tmp_path / "b.json"
    invoke("baseline", "-o", str(base), str(tmp_path))
    write(tmp_path, {"bot/cli.py": SINK.replace("subprocess.run(cmd, shell=True)", "print(cmd)")})
    result = invoke("check", "--baseline", str(base), str(tmp_path))
    assert result.exit_code == 0 and "1 stale baseline entries" in result.output


def test_a_bad_baseline_file_is_named_and_exits_2(tmp_path):
    project(tmp_path)
    (tmp_path / "b.json").write_text("{\"findings\": []}")
    result = invoke("check", "--baseline", str(tmp_path / "b.json"), str(tmp_path))
    assert result.exit_code == 2 and "b.json: invalid `sdblint-baseline`: expected 1" in result.output
    (tmp_path / "b.json").write_text("not json")
    assert invoke("check", "--baseline", str(tmp_path / "b.json"), str(tmp_path)).exit_code == 2


# ---------------------------------------------------------------- --diff REV
def committed(tmp_path, **files):
    project(tmp_path, **files)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    return tmp_path


def test_diff_reports_a_flow_whose_new_step_is_in_another_file_than_the_sink(tmp_path):
    committed(tmp_path, **{"bot/cli.py": SINK.replace("cmd = propose(task)", "cmd = 'ls'")})
    assert check_json(tmp_path, "--diff", "HEAD")["findings"] == []
    write(tmp_path, {"bot/cli.py": SINK})   # the sink line is unchanged; the line feeding it is new
    assert found(check_json(tmp_path, "--diff", "HEAD")) == {("bot/cli.py", 6, "SDB102")}


def test_diff_leaves_out_flows_that_existed_at_the_revision_and_counts_them(tmp_path):
    committed(tmp_path)
    write(tmp_path, {"bot/other.py": "X = 2\n"})
    report = check_json(tmp_path, "--diff", "HEAD")
    assert report["findings"] == [] and report["summary"]["gate"] == {"existed_at_rev": 1}
    # a step of the flow changed, but the flow is the same one: not new
    write(tmp_path, {"bot/model.py": "# the model wrapper\n" + MODEL_MODULE.replace("gpt-4o", "gpt-5")})
    assert check_json(tmp_path, "--diff", "HEAD")["summary"]["gate"] == {"existed_at_rev": 1}


# The issue's case: the change adds an existing shell helper to the model's tool registry. No step of
# the new flow is on the changed line, so "a step on a changed line" let it through.
REGISTRY_AGENT = """
import json

from anthropic import Anthropic

from .shell import listing, purge_cache

llm = Anthropic()
TOOLS = {"ls": listing}


def act(goal: str):
    reply = llm.messages.create(model="claude-3-5-sonnet-20241022", max_tokens=500,
                                messages=[{"role": "user", "content": goal}])
    step = json.loads(reply.content[0].text)
    return TOOLS[step["name"]](**step["args"])
"""
SHELL_HELPERS = """
import os
import subprocess


def listing(target: str) -> list:
    return os.listdir(target)


def purge_cache(path: str) -> None:
    subprocess.run(f"rm -rf {path}", shell=True)
"""


def test_diff_reports_a_new_flow_whose_changed_line_is_no_step_of_it(tmp_path):
    committed(tmp_path, **{"bot/agent.py": REGISTRY_AGENT, "bot/shell.py": SHELL_HELPERS})
    write(tmp_path, {"bot/agent.py": REGISTRY_AGENT.replace('{"ls": listing}', '{"ls": listing, "purge": purge_cache}')})
    report = check_json(tmp_path, "--diff", "HEAD")
    assert found(report) == {("bot/shell.py", 10, "SDB102")}
    assert report["summary"]["gate"] == {"existed_at_rev": 2}   # the dispatch and bot/cli.py's flow were there
    # the temporary worktree of HEAD is gone again, from the disk and from git's list
    listed = subprocess.run(["git", "-C", str(tmp_path), "worktree", "list", "--porcelain"], capture_output=True,
                            text=True, check=True).stdout
    assert listed.count("worktree ") == 1
    # the revision's facts went to the same cache: a second run extracts nothing at either revision
    again = invoke("check", "--diff", "HEAD", "-v", str(tmp_path))
    assert again.exit_code == 1
    assert ("at --diff HEAD: 6 found, 0 parsed, 6 from the cache, 0 could not be analysed; results reused from the "
            "cache (no file, setting or sdblint code changed)") in again.stderr   # a new temporary worktree, the same slot
    slots = [p.name for p in (tmp_path / ".sdblint_cache" / "results").iterdir() if not p.name.endswith(".tmp")]
    assert len(slots) == 2   # the project's and the revision's, not one per temporary worktree


def test_diff_shows_new_flows_with_a_step_on_a_changed_line_first(tmp_path):
    committed(tmp_path, **{"bot/agent.py": REGISTRY_AGENT, "bot/shell.py": SHELL_HELPERS})
    write(tmp_path, {"bot/agent.py": REGISTRY_AGENT.replace('{"ls": listing}', '{"ls": listing, "purge": purge_cache}'),
                     "bot/zz.py": SINK.replace("subprocess.run(cmd, shell=True)", "os.system(cmd)").replace(
                         "import subprocess", "import os")})
    report = check_json(tmp_path, "--diff", "HEAD")
    # bot/zz.py is untracked (every line new); bot/shell.py's flow touches no changed line: shown after it
    assert [(f["path"], f["code"]) for f in report["findings"]] == [("bot/zz.py", "SDB102"), ("bot/shell.py", "SDB102")]


def test_diff_reads_paths_git_would_quote(tmp_path):
    """Issue 21: `café.py` and a name with a tab were dropped, since git prints them quoted."""
    names = ("bot/café.py", "bot/tab\tname.py", "bot/space name.py")
    committed(tmp_path, **{name: "X = 1\n" for name in names})
    write(tmp_path, {name: "X = 1\nY = 2\n" for name in names})
    assert changed_lines(tmp_path, "HEAD") == {name: {2} for name in names}
    write(tmp_path, {"bot/café.py": OPENAI_SHELL})
    assert found(check_json(tmp_path, "--diff", "HEAD")) == {("bot/café.py", 8, "SDB102")}


def test_diff_without_git_on_the_path_is_a_clear_error(tmp_path):
    committed(tmp_path)
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}   # the venv: python and sdblint, no git
    done = subprocess.run([sys.executable, "-m", "sdblint", "check", "--diff", "HEAD", str(tmp_path)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 2, done.stderr
    assert "sdblint: error: --diff: invalid `git`: expected the git program on PATH" in done.stderr


def test_diff_counts_untracked_files_as_new(tmp_path):
    committed(tmp_path)
    write(tmp_path, {"bot/new.py": OPENAI_SHELL})
    assert found(check_json(tmp_path, "--diff", "HEAD")) == {("bot/new.py", 8, "SDB102")}


def test_diff_against_an_unknown_revision_or_outside_git_is_a_clear_error(tmp_path):
    committed(tmp_path / "repo")
    unknown = invoke("check", "--diff", "0123456789abcdef", str(tmp_path / "repo"))
    assert unknown.exit_code == 2 and "in a shallow clone, fetch it first" in unknown.output
    outside = project(tmp_path / "plain")
    result = invoke("check", "--diff", "HEAD", str(outside))
    assert result.exit_code == 2 and "is not in a git work tree" in result.output


# ---------------------------------------------------------------- standard input
def test_stdin_is_checked_as_the_named_file_with_the_project_on_disk_as_context(tmp_path, monkeypatch):
    project(tmp_path)
    monkeypatch.chdir(tmp_path)
    edited = SINK.replace("subprocess.run(cmd, shell=True)", "subprocess.run(cmd, shell=True)\n    os.system(cmd)")
    result = invoke_stdin(edited.replace("import subprocess", "import os\nimport subprocess"),
                          "check", "--output-format", "json", "--stdin-filename", "bot/cli.py", "-")
    report = json.loads(result.stdout)
    assert found(report) == {("bot/cli.py", 8, "SDB102"), ("bot/cli.py", 9, "SDB102")}
    assert (tmp_path / "bot" / "cli.py").read_text().count("os.system") == 0    # the file on disk is untouched
    unsaved = invoke_stdin(SINK, "check", "--output-format", "json", "--stdin-filename", "bot/new.py", "-")
    assert found(json.loads(unsaved.stdout)) == {("bot/new.py", 7, "SDB102")}   # SINK starts with a blank line
    assert invoke_stdin("", "check", "-").exit_code == 0   # `-` alone is enough: an empty stdin.py


def invoke_stdin(text: str, *args: str):
    from click.testing import CliRunner

    from sdblint.cli import main
    return CliRunner().invoke(main, list(args), input=text)


def test_diff_works_in_a_shallow_clone_once_the_revision_is_fetched(tmp_path):
    origin = committed(tmp_path / "origin")
    write(origin, {"bot/other.py": "X = 2\n"})
    git(origin, "commit", "-qam", "second")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth=1", origin.as_uri(), str(clone)], check=True, capture_output=True)
    base = subprocess.run(["git", "-C", str(origin), "rev-parse", "HEAD~1"], capture_output=True, text=True,
                          check=True).stdout.strip()
    missing = invoke("check", "--diff", base, str(clone))
    assert missing.exit_code == 2 and f"git fetch --depth=1 origin {base}" in missing.output
    git(clone, "fetch", "-q", "--depth=1", "origin", base)
    report = check_json(clone, "--diff", base)
    assert report["findings"] == [] and report["summary"]["gate"] == {"existed_at_rev": 1}
    write(clone, {"bot/cli.py": SINK + "    subprocess.run(cmd, shell=True)\n"})
    assert found(check_json(clone, "--diff", base)) == {("bot/cli.py", 7, "SDB102")}
