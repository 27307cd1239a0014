"""Startup: the commands that never parse (`--version`, `--help`, `rule`, `rules`, a `check` the run
cache answers) must not import the parser (libcst), the graph (networkx) or the language server's
libraries, which are most of sdblint's start time. Checked on `sys.modules` of a real process, not
by timing it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MODEL_MODULE, write

HEAVY = ("libcst", "networkx", "pygls", "lsprotocol")
# Runs the command line as the `sdblint` executable does, then writes which heavy modules it loaded.
PROBE = f"""
import sys
from sdblint.cli import main
report, *arguments = sys.argv[1:]
try:
    main(arguments, prog_name="sdblint")
except SystemExit:
    pass
with open(report, "w") as out:
    out.write(" ".join(m for m in {HEAVY!r} if m in sys.modules))
"""


def loaded_by(arguments: list[str], cwd: Path, report: Path) -> tuple[set[str], str]:
    run = subprocess.run([sys.executable, "-c", PROBE, str(report), *arguments], cwd=cwd, capture_output=True,
                         text=True, timeout=300)
    return set(report.read_text().split()), run.stdout


@pytest.mark.parametrize("arguments", [["--version"], ["--help"], ["rules"], ["rules", "--output-format", "json"],
                                       ["rule", "SDB102"], ["rule", "--all"], ["check", "--help"]])
def test_commands_that_never_parse_load_no_parser_graph_or_server(arguments, tmp_path):
    loaded, output = loaded_by(arguments, tmp_path, tmp_path / "loaded.txt")
    assert output.strip()   # the command did its job
    assert loaded == set()


def test_a_check_the_run_cache_answers_loads_no_parser_or_graph(tmp_path):
    project = write(tmp_path / "project", {
        "pyproject.toml": "[tool.sdblint]\n", "bot/__init__.py": "", "bot/model.py": MODEL_MODULE,
        "bot/cli.py": "import subprocess\n\nfrom bot.model import propose\n\n\ndef act(task):\n"
                      "    subprocess.run(propose(task), shell=True)\n"})
    cold, cold_output = loaded_by(["check", "."], project, tmp_path / "cold.txt")
    assert {"libcst", "networkx"} <= cold   # the probe sees what a run that analyses imports
    warm, warm_output = loaded_by(["check", "."], project, tmp_path / "warm.txt")
    assert "SDB102" in warm_output and warm_output == cold_output
    assert warm == set()
