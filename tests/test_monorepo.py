"""A monorepo: one run over files of two services, each with its own config (issue 20 item 3)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import found, git, invoke

MONOREPO = Path(__file__).resolve().parent.parent / "fixtures" / "monorepo"


def checkout(tmp_path: Path) -> Path:
    """The fixture as a git repository without a root config: the run's root is the work tree."""
    repo = tmp_path / "repo"
    shutil.copytree(MONOREPO, repo)
    git(repo, "init", "-q")
    return repo


def test_files_of_two_services_each_get_their_closest_config(tmp_path, monkeypatch):
    repo = checkout(tmp_path)
    monkeypatch.chdir(repo)
    given = ("services/billing/billing/invoices.py", "services/ops/ops/runbook.py", "services/ops/ops/scripts/cleanup.py")
    result = invoke("check", "--output-format", "json", *given)
    assert found(json.loads(result.stdout)) == {
        ("services/billing/billing/invoices.py", 12, "SDB102"),   # billing ignores SDB103, not SDB102
        ("services/ops/ops/runbook.py", 8, "SDB103"),
        ("services/ops/ops/runbook.py", 12, "SDB102"),            # ops/scripts/* ignores SDB102 in ops only
    }


def test_a_nested_config_sets_fail_on_and_excludes_for_its_files(tmp_path, monkeypatch):
    repo = checkout(tmp_path)
    (repo / "services/ops/sdblint.toml").write_text('fail-on = "error"\nexclude = ["ops/scripts"]\n'
                                                   '[per-file-ignores]\n"ops/runbook.py" = ["SDB102", "SDB103"]\n')
    (repo / "sdblint.toml").write_text('ignore = ["SDB102"]\n')   # a root config too: shared/ is quiet
    monkeypatch.chdir(repo)
    shown = json.loads(invoke("check", "--show-files", "--output-format", "json", ".").stdout)
    assert "services/ops/ops/scripts/cleanup.py" not in shown and "services/ops/ops/runbook.py" in shown
    (repo / "services/billing/pyproject.toml").write_text('[tool.sdblint]\nselect = ["SDB900"]\n')
    assert invoke("check", ".").exit_code == 0          # nothing left that any config reports
    (repo / "services/ops/sdblint.toml").write_text('fail-on = "error"\n')
    again = json.loads(invoke("check", "--output-format", "json", ".").stdout)
    assert found(again) == {("services/ops/ops/runbook.py", 8, "SDB103"), ("services/ops/ops/runbook.py", 12, "SDB102"),
                            ("services/ops/ops/scripts/cleanup.py", 7, "SDB102")}   # the root's ignore is not ops'
    assert invoke("check", ".").exit_code == 1


def test_show_settings_path_says_which_config_a_file_got(tmp_path, monkeypatch):
    repo = checkout(tmp_path)
    monkeypatch.chdir(repo)

    def settings(*args: str) -> dict:
        return json.loads(invoke("check", "--show-settings", "--output-format", "json", *args).stdout)

    billing = settings("services/billing/billing/invoices.py")
    assert billing["config"]["value"] == str(repo / "services/billing/pyproject.toml")
    assert billing["ignore"] == {"value": ["SDB103"], "origin": str(repo / "services/billing/pyproject.toml")}
    ops = settings("services/ops/ops/scripts/cleanup.py")
    assert ops["config"]["value"] == str(repo / "services/ops/sdblint.toml")
    whole = settings(".")
    assert whole["config"]["value"] == "defaults"
    assert whole["nested configs"]["value"] == {"services/billing": str(repo / "services/billing/pyproject.toml"),
                                                "services/ops": str(repo / "services/ops/sdblint.toml")}
    text = invoke("check", "--show-settings", "shared/llm.py").stdout
    assert "config             = \"defaults\"" in text


def test_a_settings_file_named_with_config_holds_for_every_file(tmp_path, monkeypatch):
    """As in ruff: `--config FILE` turns the hierarchical discovery off."""
    repo = checkout(tmp_path)
    (repo / "all.toml").write_text('ignore = ["SDB103"]\n')
    monkeypatch.chdir(repo)
    report = json.loads(invoke("check", "--output-format", "json", "--config", "all.toml", ".").stdout)
    assert found(report) == {("services/billing/billing/invoices.py", 12, "SDB102"),
                             ("services/ops/ops/runbook.py", 12, "SDB102"),
                             ("services/ops/ops/scripts/cleanup.py", 7, "SDB102"),   # ops' per-file ignore is off too
                             ("shared/llm.py", 14, "SDB102")}
