"""The command line: output contract, exit codes, rule docs, bad input, determinism."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from helpers import MODEL_MODULE, OPENAI_SHELL, check_json, found, invoke, write

from sdblint.checks import rule_codes
from sdblint.cli import main


def test_json_output_follows_the_contract(tmp_path):
    write(tmp_path, {"agent/tools.py": OPENAI_SHELL})
    report = check_json(tmp_path)
    assert set(report) == {"version", "root", "findings", "patterns", "errors", "summary"}
    assert report["root"] == str(tmp_path.resolve())
    (finding,) = report["findings"]
    assert set(finding) >= {"code", "name", "severity", "path", "line", "column", "end_line", "end_column",
                            "message", "sink", "sources", "flow", "verifier", "pattern", "fingerprint"}
    assert (finding["code"], finding["path"], finding["line"], finding["column"]) == ("SDB102", "agent/tools.py", 8, 5)
    assert finding["sink"] == {"callee": "subprocess.run", "category": "shell"}
    assert finding["sources"] == [{"path": "agent/tools.py", "line": 7, "callee": "openai.OpenAI().chat.completions.create"}]
    assert finding["flow"][0]["note"].startswith("model output: cmd = client.chat") and finding["flow"][-1]["line"] == 8
    assert finding["verifier"]["status"] == "missing"
    assert report["summary"] == {"files": 1, "findings": 1, "by_code": {"SDB102": 1}, "limits_hit": {}, "coverage": {
        "model_calls": {"total": 1, "by_family": {"openai": 1}}, "tool_entry_points": {"total": 0, "by_family": {}},
        "sinks": {"total": 1, "by_category": {"shell": 1}}}}


def test_output_is_byte_for_byte_deterministic(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL, "b/c.py": OPENAI_SHELL.replace("run(task)", "go(task)")})
    first = invoke("check", "--output-format", "json", str(tmp_path)).output
    second = invoke("check", "--output-format", "json", str(tmp_path)).output
    assert first == second


def test_output_does_not_depend_on_the_hash_seed():
    """Set iteration order changes with PYTHONHASHSEED from process to process: nothing that decides
    a path, a finding or a count may follow it."""
    from fixture_support import FIXTURES

    def report(seed: str) -> bytes:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        return subprocess.run([sys.executable, "-m", "sdblint", "check", "--no-cache", "--output-format", "json",
                               str(FIXTURES)], capture_output=True, env=env, check=False).stdout
    first = report("1")
    assert json.loads(first)["findings"] and all(report(seed) == first for seed in ("2", "3"))


def test_fingerprints_survive_line_shifts(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL})
    before = check_json(tmp_path)["findings"][0]["fingerprint"]
    write(tmp_path, {"a.py": "# one\n# two\n# three" + OPENAI_SHELL})
    after = check_json(tmp_path)["findings"][0]
    assert after["line"] == 11 and after["fingerprint"] == before


def test_fingerprints_survive_reformatting_and_name_the_model_call(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL})
    before = check_json(tmp_path)["findings"][0]["fingerprint"]
    write(tmp_path, {"a.py": OPENAI_SHELL.replace("subprocess.run(cmd, shell=True)", "subprocess.run(\n        cmd,\n        shell=True)")})
    assert check_json(tmp_path)["findings"][0]["fingerprint"] == before
    other_model = OPENAI_SHELL.replace("from openai import OpenAI", "from anthropic import Anthropic as OpenAI").replace(
        "chat.completions.create", "messages.create")
    write(tmp_path, {"a.py": other_model})
    (after,) = check_json(tmp_path)["findings"]
    assert after["line"] == 8 and after["fingerprint"] != before


def test_exit_codes(tmp_path):
    write(tmp_path, {"clean/a.py": "print('hi')\n", "dirty/a.py": OPENAI_SHELL})
    assert invoke("check", str(tmp_path / "clean")).exit_code == 0
    assert invoke("check", str(tmp_path / "dirty")).exit_code == 1
    assert invoke("check", "--exit-zero", str(tmp_path / "dirty")).exit_code == 0
    assert invoke("check", "--select", "SDB8", str(tmp_path / "dirty")).exit_code == 2


def test_fail_on_threshold_ignores_lower_severities(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL.replace("subprocess.run(cmd, shell=True)", "open(cmd, 'w')")})
    assert check_json(tmp_path)["findings"][0]["severity"] == "warning"
    assert invoke("check", "--fail-on", "error", str(tmp_path)).exit_code == 0
    assert invoke("check", "--fail-on", "warning", str(tmp_path)).exit_code == 1


def test_select_ignore_and_prefixes(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL + "    eval(cmd)\n"})
    assert {c for _, _, c in found(check_json(tmp_path))} == {"SDB101", "SDB102"}
    assert {c for _, _, c in found(check_json(tmp_path, "--select", "SDB102"))} == {"SDB102"}
    assert {c for _, _, c in found(check_json(tmp_path, "--ignore", "SDB10"))} == set()
    assert {c for _, _, c in found(check_json(tmp_path, "--select", "SDB101", "--extend-select", "SDB102"))} == {"SDB101", "SDB102"}


def test_suppressions_need_the_right_code_on_the_statement(tmp_path):
    write(tmp_path, {
        "a.py": OPENAI_SHELL.replace("shell=True)", "shell=True)  # sdblint: ignore[SDB102] reviewed"),
        "b.py": OPENAI_SHELL.replace("shell=True)", "shell=True)  # noqa"),
        "c.py": OPENAI_SHELL.replace("subprocess.run(cmd, shell=True)", "subprocess.run(\n        cmd,  # noqa: SDB102\n        shell=True,\n    )"),
        "d.py": OPENAI_SHELL.replace("shell=True)", "shell=True)  # noqa: SDB101"),
    })
    assert {p for p, _, _ in found(check_json(tmp_path))} == {"b.py", "d.py"}


def test_unparsable_file_is_reported_and_the_run_goes_on(tmp_path):
    write(tmp_path, {"broken.py": "def f(:\n", "good.py": OPENAI_SHELL})
    result = invoke("check", "--output-format", "json", str(tmp_path))
    report = json.loads(result.output)
    assert report["errors"] == [{"path": "broken.py", "line": 1, "column": 7, "kind": "syntax-error",
                                 "message": "syntax error: invalid syntax"}]
    assert found(report) == {("good.py", 8, "SDB102")}
    text = invoke("check", str(tmp_path))
    assert "broken.py:1:7: error: syntax error: invalid syntax" in text.output


def test_text_output_shows_location_severity_flow_and_summary(tmp_path, monkeypatch):
    write(tmp_path, {"a.py": OPENAI_SHELL})
    monkeypatch.chdir(tmp_path)
    out = invoke("check", str(tmp_path)).output
    assert out.startswith("a.py:8:5: error SDB102 model output from openai")
    assert "    verifier: missing" in out and "    a.py:7: model output: cmd = " in out
    assert out.rstrip().endswith("Found 1 finding in 1 file.\n"
                                 "Recognised 1 model call (openai 1), 0 tool entry points and 1 sink (shell 1).")
    assert invoke("check", "--quiet", str(tmp_path)).output.count("\n") == 3


def test_never_writes_to_checked_files(tmp_path):
    """Only the cache folder is added (with its own .gitignore); no checked file is touched."""
    write(tmp_path, {"a.py": OPENAI_SHELL, "b.py": "def f(:\n"})
    def snapshot():
        return {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in tmp_path.rglob("*")
                if ".sdblint_cache" not in p.parts}
    before = snapshot()
    invoke("check", str(tmp_path))
    assert snapshot() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".sdblint_cache", "a.py", "b.py"]
    assert (tmp_path / ".sdblint_cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_discovery_skips_vendored_ignored_and_survives_symlink_loops(tmp_path):
    write(tmp_path, {
        "app.py": OPENAI_SHELL,
        ".venv/lib/x.py": OPENAI_SHELL,
        "node_modules/y.py": OPENAI_SHELL,
        "build/z.py": OPENAI_SHELL,
        "generated/g.py": OPENAI_SHELL,
        ".gitignore": "generated/\n",
    })
    os.symlink(tmp_path, tmp_path / "loop")
    report = check_json(tmp_path)
    assert {p for p, _, _ in found(report)} == {"app.py"}
    assert report["summary"]["files"] == 1


def test_cache_dir_gives_the_same_findings(tmp_path):
    project = write(tmp_path / "p", {"a.py": OPENAI_SHELL})
    cache = tmp_path / "cache"
    cold = invoke("check", "--output-format", "json", "--cache-dir", str(cache), str(project)).output
    assert any(cache.rglob("*.json"))
    warm = invoke("check", "--output-format", "json", "--cache-dir", str(cache), str(project)).output
    assert cold == warm


def test_rule_documentation_and_listing():
    doc = invoke("rule", "SDB102").output
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
        assert heading in doc
    assert "CWE-78" in doc
    listing = invoke("rules").output.splitlines()
    assert [line.split()[0] for line in listing] == list(rule_codes())
    assert invoke("rule", "SDB777").exit_code == 2
    assert invoke("rule", "unverified-shell-command").output == doc          # by name too
    assert invoke("rule", "--all").output.count("## What it does") == len(rule_codes())
    assert invoke("rule").exit_code == 2
    listed = json.loads(invoke("rules", "--output-format", "json").output)
    assert [r["code"] for r in listed] == list(rule_codes())
    shell = next(r for r in listed if r["code"] == "SDB102")
    assert shell["url"].endswith("#sdb102-unverified-shell-command") and "external/cwe/cwe-78" in shell["tags"]
    assert next(r for r in listed if r["code"] == "SDB900")["opt_in"] is True


def test_show_settings_says_where_each_value_came_from(tmp_path, monkeypatch):
    write(tmp_path, {"pyproject.toml": "[tool.sdblint]\nignore = [\"SDB104\"]\n", "a.py": OPENAI_SHELL})
    monkeypatch.chdir(tmp_path)
    lines = invoke("check", "--show-settings", "--extend-select", "SDB900", ".").output.splitlines()
    row = {line.split(" = ")[0].strip(): line.split(" = ", 1)[1] for line in lines}
    assert row["ignore"] == f'["SDB104"]   # {tmp_path / "pyproject.toml"}'
    assert row["select"] == '["SDB"]   # default'
    assert row["--extend-select"] == '["SDB900"]   # command line'
    assert "SDB104" not in row["rules enabled"] and "SDB900" in row["rules enabled"]
    assert row["root"].endswith("# the config's folder")


def test_show_files_lists_what_a_run_would_check_without_checking(tmp_path, monkeypatch):
    write(tmp_path, {"pyproject.toml": "[tool.sdblint]\nexclude = [\"gen\"]\n", "a.py": OPENAI_SHELL,
                     "pkg/b.py": "", "gen/c.py": "", "notes.txt": ""})
    monkeypatch.chdir(tmp_path / "pkg")
    result = invoke("check", "--show-files", "..")
    assert result.exit_code == 0 and result.output.splitlines() == ["../a.py", "b.py"]
    assert not (tmp_path / ".sdblint_cache").exists()


def test_python_dash_m_runs_the_same_command(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL})
    proc = subprocess.run([sys.executable, "-m", "sdblint", "check", "--output-format", "json", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["summary"]["findings"] == 1


def test_output_does_not_depend_on_hash_seed():
    from fixture_support import FIXTURES

    outputs = set()
    for seed in ("1", "2"):
        proc = subprocess.run(
            [sys.executable, "-m", "sdblint", "check", "--output-format", "json", str(FIXTURES / "flows")],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(proc.stdout)
    assert len(outputs) == 1


def test_terminal_output_has_a_code_frame(tmp_path):
    from sdblint.config.settings import load_settings
    from sdblint.pipeline import run
    from sdblint.report import FORMATS, ReportView

    write(tmp_path, {"a.py": OPENAI_SHELL})
    text = FORMATS["full"](run([tmp_path], load_settings(None, tmp_path)), ReportView(tmp_path, tmp_path, color=True))
    assert "\x1b[" in text                                  # coloured
    assert ">    8 |     subprocess.run(cmd, shell=True)" in text


def test_human_formats_show_paths_from_the_current_directory(tmp_path, monkeypatch):
    """An editor or terminal follows `src/opsbot/cli.py:8:5` only when it is relative to where the user
    stands; the json format keeps paths relative to the project root (the config's folder)."""
    write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n", "src/opsbot/cli.py": OPENAI_SHELL})
    monkeypatch.chdir(tmp_path)
    assert invoke("check", "src").output.startswith("src/opsbot/cli.py:8:5: error SDB102 ")
    assert invoke("check", "--output-format", "concise", "src").output.startswith("src/opsbot/cli.py:8:5: ")
    monkeypatch.chdir(tmp_path / "src" / "opsbot")
    full = invoke("check", ".").output
    assert full.startswith("cli.py:8:5: error SDB102 ") and "    cli.py:7: model output" in full
    assert check_json(Path("."))["findings"][0]["path"] == "src/opsbot/cli.py"


def test_concise_format_is_one_line_per_finding(tmp_path, monkeypatch):
    write(tmp_path, {"a.py": OPENAI_SHELL, "b.py": OPENAI_SHELL, "broken.py": "def f(:\n"})
    monkeypatch.chdir(tmp_path)
    lines = invoke("check", "--output-format", "concise", ".").stdout.splitlines()
    assert len(lines) == 5 and lines[0].startswith("broken.py:1:7: error: ")
    assert lines[1].startswith("a.py:8:5: error SDB102 model output from ") and lines[2].startswith("b.py:8:5: ")
    assert lines[3] == "Found 2 findings in 3 files (1 Python cannot parse)."


def test_json_lines_is_one_finding_object_per_line(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL, "b.py": OPENAI_SHELL})
    out = invoke("check", "--output-format", "json-lines", str(tmp_path)).output
    assert [json.loads(line) for line in out.splitlines()] == check_json(tmp_path)["findings"]


def test_output_file_holds_the_report_and_stdout_stays_empty(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL})
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    result = invoke("check", "--output-format", "json", "-o", str(report), str(tmp_path))
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(report.read_text())["summary"]["findings"] == 1
    (tmp_path / "a-file").write_text("")
    bad = invoke("check", "-o", str(tmp_path / "a-file" / "r.txt"), str(tmp_path))   # its folder cannot be made
    assert bad.exit_code == 2 and "cannot write" in bad.output


def test_color_follows_the_flag_no_color_and_force_color(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL})
    def coloured(*args, **env):
        return "\x1b[" in CliRunner(env=env).invoke(main, ["check", *args, str(tmp_path)]).output
    assert coloured("--color", "always") and not coloured("--color", "never")
    assert not coloured() and coloured(FORCE_COLOR="1") and not coloured(FORCE_COLOR="1", NO_COLOR="1")
    assert coloured("--color", "always", NO_COLOR="1")          # an explicit flag wins over the environment
    assert not coloured("--color", "always", "--output-format", "json")


def outside_git(folder: Path) -> Path:
    """``folder``, after making sure no git work tree encloses it (the package rule applies only then)."""
    assert not any((d / ".git").exists() for d in [folder, *folder.parents]), f"{folder} is inside a git work tree"
    return folder


def test_a_file_given_alone_outside_git_is_checked_from_above_its_outermost_package(tmp_path, monkeypatch):
    """`app/fix.py` is the module `app.fix`, so its `from app.llm import ...` (and `from .llm import ...`)
    is followed; the root is the folder above the outermost package, never the file's own folder."""
    project = outside_git(tmp_path)
    write(project, {
        "app/__init__.py": "",
        "app/llm.py": MODEL_MODULE,
        "app/fix.py": "import subprocess\nfrom app.llm import propose\n\ndef fix(t):\n    subprocess.run(propose(t), shell=True)\n",
        "app/tools/__init__.py": "",
        "app/tools/shell.py": "import os\nfrom ..llm import propose\n\ndef go(t):\n    os.system(propose(t))\n",
        "unrelated.py": OPENAI_SHELL,   # beside the package, no part of it: never read for a file given alone
    })
    monkeypatch.chdir(project)
    assert found(check_json(Path("app/fix.py"))) == {("app/fix.py", 5, "SDB102")}
    monkeypatch.chdir(project / "app" / "tools")
    report = check_json(Path("shell.py"))
    assert report["root"] == str(project.resolve()) and found(report) == {("app/tools/shell.py", 5, "SDB102")}
    assert invoke("check", "--show-files", "shell.py").output.splitlines() == [
        "../__init__.py", "../fix.py", "../llm.py", "__init__.py", "shell.py"]
    root = invoke("check", "--show-settings", "shell.py").output.splitlines()[0]
    assert root == f'root               = "{project.resolve()}"   # the folder above the outermost package, app'


def test_a_file_outside_any_package_keeps_its_own_folder_as_the_root(tmp_path, monkeypatch):
    """No `__init__.py` beside the file: it is a script, imported from its own folder."""
    project = outside_git(tmp_path)
    write(project, {"scripts/llm.py": MODEL_MODULE, "other/x.py": OPENAI_SHELL,
                    "scripts/fix.py": "import os\nfrom llm import propose\n\nos.system(propose('t'))\n"})
    monkeypatch.chdir(project)
    report = check_json(Path("scripts/fix.py"))
    assert report["root"] == str((project / "scripts").resolve()) and found(report) == {("fix.py", 4, "SDB102")}
