"""Command-line behaviour a ruff user expects (issue 20, items 9-13): one path base per finding,
`-o` into a new folder, listings that honour --output-format, standard input, `baseline -o`,
--exclude, --config KEY=VALUE and SDBLINT_* variables. Run as a user runs them: real processes."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from helpers import MODEL_MODULE, OPENAI_SHELL, write

# The model call in one module, the action in another: the message names the model call's place.
ACT = """
import subprocess
from agentapp.llm import propose

def act(task):
    cmd = propose(task)
    if cmd.startswith("ls"):
        pass
    subprocess.run(cmd, shell=True)
"""


def sdblint(cwd: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sdblint", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=600)


def project(root: Path) -> Path:
    return write(root, {".git/HEAD": "ref: refs/heads/main\n", "agentapp/__init__.py": "",
                        "agentapp/llm.py": MODEL_MODULE, "agentapp/act.py": ACT})


def test_one_findings_paths_share_a_base_when_run_from_a_subfolder(tmp_path):
    """The issue: `llm.py:11` as the location but `agentapp/llm.py:11` in the message and the verifier line."""
    root = project(tmp_path)
    for output_format in ("full", "concise", "github"):
        done = sdblint(root / "agentapp", "check", "--output-format", output_format, ".")
        places = set(re.findall(r"[\w./]+\.py(?=:\d)", done.stdout.replace("%0A", "\n")))
        assert places and places <= {"act.py", "llm.py"}, (output_format, places)
    from_root = sdblint(root, "check", "--output-format", "concise", ".").stdout
    assert "(agentapp/llm.py:" in from_root            # from the root the root-relative path is the shown one
    report = json.loads(sdblint(root / "agentapp", "check", "--output-format", "json", ".").stdout)
    assert report["findings"][0]["path"] == "agentapp/act.py" and "(agentapp/llm.py:" in report["findings"][0]["message"]


def test_output_file_in_a_folder_that_does_not_exist_is_written_there(tmp_path):
    root = project(tmp_path)
    done = sdblint(root, "check", "--output-format", "sarif", "-o", "reports/sdblint/out.sarif", ".")
    assert done.returncode == 1, done.stderr
    assert json.loads((root / "reports/sdblint/out.sarif").read_text())["version"] == "2.1.0"


def test_listings_honour_the_output_format_or_refuse_it(tmp_path):
    root = project(tmp_path)
    stats = json.loads(sdblint(root, "check", "--statistics", "--output-format", "json", ".").stdout)
    assert stats == [{"code": "SDB102", "name": "unverified-shell-command", "count": 1}]
    assert sdblint(root, "check", "--statistics", ".").stdout == "1\tSDB102\tunverified-shell-command\n"
    settings = json.loads(sdblint(root, "check", "--show-settings", "--output-format", "json", ".").stdout)
    assert settings["select"] == {"value": ["SDB"], "origin": "default"}
    files = json.loads(sdblint(root, "check", "--show-files", "--output-format", "json", ".").stdout)
    assert files == ["agentapp/__init__.py", "agentapp/act.py", "agentapp/llm.py"]
    for listing in ("--statistics", "--show-settings", "--show-files"):
        refused = sdblint(root, "check", listing, "--output-format", "sarif", ".")
        assert refused.returncode == 2 and f"{listing} prints text" in refused.stderr
        assert refused.stdout == ""


def test_standard_input_with_a_dash_or_a_stdin_filename_alone(tmp_path):
    root = project(tmp_path)
    named = sdblint(root, "check", "--output-format", "json", "--stdin-filename", "agentapp/new.py", stdin=ACT.lstrip())
    assert {(f["path"], f["line"]) for f in json.loads(named.stdout)["findings"]} == {("agentapp/new.py", 8)}
    dash = sdblint(root, "check", "--output-format", "json", "-", stdin=OPENAI_SHELL.lstrip())
    assert {(f["path"], f["line"]) for f in json.loads(dash.stdout)["findings"]} == {("stdin.py", 8)}
    assert not (root / "stdin.py").exists()
    both = sdblint(root, "check", "--stdin-filename", "x.py", "agentapp", stdin=ACT)
    assert both.returncode == 2 and "needs `-` among them" in both.stderr


def test_baseline_takes_o_as_check_does_and_the_old_output_still_works(tmp_path):
    root = project(tmp_path)
    short = sdblint(root, "baseline", "-o", "gate/baseline.json", ".")
    assert short.returncode == 0 and "Wrote 1 finding" in short.stdout
    assert sdblint(root, "baseline", "--output-file", "b2.json", ".").returncode == 0
    old = sdblint(root, "baseline", "--output", "b3.json", ".")
    assert old.returncode == 0 and "`baseline --output` is deprecated; use --output-file (-o)" in old.stderr
    assert (root / "gate/baseline.json").read_text() == (root / "b2.json").read_text() == (root / "b3.json").read_text()
    assert sdblint(root, "baseline", ".").returncode == 2


def test_exclude_and_extend_exclude_on_the_command_line(tmp_path):
    root = project(tmp_path)
    write(root, {"pyproject.toml": "[tool.sdblint]\nexclude = [\"generated\"]\n", "generated/x.py": OPENAI_SHELL,
                 "vendor/y.py": OPENAI_SHELL})

    def files(*args: str) -> list[str]:
        return json.loads(sdblint(root, "check", "--show-files", "--output-format", "json", *args, ".").stdout)

    assert "vendor/y.py" in files() and "generated/x.py" not in files()
    assert "vendor/y.py" not in files("--extend-exclude", "vendor") and "generated/x.py" not in files("--extend-exclude", "vendor")
    replaced = files("--exclude", "vendor")    # instead of the config's exclude
    assert "vendor/y.py" not in replaced and "generated/x.py" in replaced
    settings = json.loads(sdblint(root, "check", "--show-settings", "--output-format", "json", "--exclude", "vendor",
                                  ".").stdout)
    assert settings["exclude"] == {"value": ["vendor"], "origin": "command line"}


def test_config_key_value_overrides_the_file(tmp_path):
    root = project(tmp_path)
    write(root, {"pyproject.toml": "[tool.sdblint]\nfail-on = \"info\"\n"})
    assert sdblint(root, "check", ".").returncode == 1
    assert sdblint(root, "check", "--config", 'ignore = ["SDB102"]', ".").returncode == 0
    shown = json.loads(sdblint(root, "check", "--show-settings", "--output-format", "json",
                               "--config", 'per-file-ignores = {"act.py" = ["SDB1"]}', ".").stdout)
    assert shown["per-file-ignores"] == {"value": {"act.py": ["SDB1"]}, "origin": "command line"}
    bad = sdblint(root, "check", "--config", "fail-on = 3", ".")
    assert bad.returncode == 2 and "sdblint: error: --config: invalid `fail-on`: expected one of" in bad.stderr
    unknown = sdblint(root, "check", "--config", "nope", ".")
    assert unknown.returncode == 2 and "no settings file nope" in unknown.stderr
    other = write(tmp_path / "elsewhere", {"strict.toml": "ignore = [\"SDB102\"]\n"}) / "strict.toml"
    assert sdblint(root, "check", "--config", str(other), ".").returncode == 0   # a file still works


def test_sdblint_environment_variables_set_the_main_options(tmp_path):
    root = project(tmp_path)
    as_json = sdblint(root, "check", ".", SDBLINT_OUTPUT_FORMAT="json", SDBLINT_NO_CACHE="1")
    assert json.loads(as_json.stdout)["summary"]["findings"] == 1 and not (root / ".sdblint_cache").exists()
    assert sdblint(root, "check", ".", SDBLINT_IGNORE="SDB101 SDB102").returncode == 0
    assert sdblint(root, "check", ".", SDBLINT_FAIL_ON="error", SDBLINT_SELECT="SDB102").returncode == 1
    overridden = sdblint(root, "check", "--output-format", "concise", ".", SDBLINT_OUTPUT_FORMAT="json")
    assert overridden.stdout.startswith("agentapp/act.py:8:")     # the command line wins
    sdblint(root, "check", ".", SDBLINT_OUTPUT_FILE="out/report.txt")
    assert (root / "out/report.txt").read_text().startswith("agentapp/act.py:8:")
