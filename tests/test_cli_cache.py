"""The cache by default, `--no-cache`, `--cache-dir`, `sdblint clean`, `--statistics`, `--verbose`, progress."""
import json

import pytest
from helpers import OPENAI_SHELL, invoke, write

from sdblint.cli import progress

CACHE = ".sdblint_cache"


def entries(folder):
    """The per-file facts entries (the run's results are kept apart, in `results/`)."""
    return sorted(p for p in folder.rglob("*.json") if p.parent.name != "results")


def test_the_cache_lives_beside_the_config_and_is_reused(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n", "src/a.py": OPENAI_SHELL, "src/b.py": "x = 1\n"})
    first = invoke("check", "-v", str(tmp_path / "src"))
    assert "2 parsed, 0 from the cache" in first.stderr
    assert len(entries(tmp_path / CACHE)) == 2 and not (tmp_path / "src" / CACHE).exists()
    second = invoke("check", "-v", str(tmp_path / "src"))
    assert "0 parsed, 2 from the cache" in second.stderr and "results: reused from the cache" in second.stderr
    assert second.stdout == first.stdout


def test_no_cache_reads_and_writes_nothing(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL})
    result = invoke("check", "--no-cache", "-v", str(tmp_path))
    assert "1 parsed, 0 from the cache" in result.stderr and not (tmp_path / CACHE).exists()


def test_cache_dir_is_used_instead_and_contradictions_are_usage_errors(tmp_path):
    write(tmp_path, {"p/a.py": OPENAI_SHELL})
    invoke("check", "--cache-dir", str(tmp_path / "elsewhere"), str(tmp_path / "p"))
    assert len(entries(tmp_path / "elsewhere")) == 1 and not (tmp_path / "p" / CACHE).exists()
    assert invoke("check", "--no-cache", "--cache-dir", str(tmp_path / "x"), str(tmp_path / "p")).exit_code == 2
    assert invoke("check", "-q", "-v", str(tmp_path / "p")).exit_code == 2


def test_clean_removes_the_projects_cache(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n", "src/a.py": OPENAI_SHELL})
    invoke("check", str(tmp_path / "src"))
    assert (tmp_path / CACHE).is_dir()
    result = invoke("clean", str(tmp_path / "src"))
    assert result.exit_code == 0 and f"Removed {tmp_path / CACHE}" in result.output
    assert not (tmp_path / CACHE).exists()
    assert "No cache at" in invoke("clean", str(tmp_path / "src")).output


def test_statistics_count_findings_per_rule(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL, "b.py": OPENAI_SHELL})
    text = invoke("check", "--statistics", str(tmp_path))
    assert text.exit_code == 1 and text.stdout == "2\tSDB102\tunverified-shell-command\n"
    data = json.loads(invoke("check", "--statistics", "--output-format", "json", str(tmp_path)).stdout)
    assert data == [{"code": "SDB102", "name": "unverified-shell-command", "count": 2}]


def test_verbose_prints_every_phase_in_order(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL})
    result = invoke("check", "-v", "--output-format", "json", str(tmp_path))
    phases = [line.split()[0] for line in result.stderr.splitlines() if line.endswith(" s")]
    assert phases == ["discover", "read", "reuse", "parse/extract", "index", "graph", "propagate", "patterns",
                      "checks", "report", "total"]
    assert json.loads(result.stdout)["summary"]["findings"] == 1   # the JSON on stdout stays clean


@pytest.mark.parametrize("machine, quiet", [(True, False), (False, True)])
def test_no_progress_bar_for_machines_or_quiet_runs(machine, quiet):
    assert not progress.wanted(machine, quiet)


def test_the_progress_bar_waits_a_second_then_follows_the_count(monkeypatch, capsys):
    clock = iter([0.0, 0.5, 2.0, 2.1])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    bar = progress.ExtractionProgress()
    bar(1, 10)
    assert bar.bar is None   # half a second in: nothing drawn yet
    bar(4, 10)
    assert bar.bar is not None and bar.shown == 4
    bar(10, 10)
    assert bar.bar.pos == 10
    bar.close()
    assert bar.bar is None
