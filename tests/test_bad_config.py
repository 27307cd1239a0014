"""Issue 21 item 15: every bad configuration or baseline the audit found gets a clear error naming
the file, the key and what was expected, with exit code 2: never an "internal error" and never
accepted silently. Each case runs the real command line in a subprocess, as the audit did."""
import json
import subprocess
import sys

import pytest
from helpers import OPENAI_SHELL, write

VERIFIER = '[[tool.sdblint.verifier]]\nkind = "human"\npatterns = ["acme.approve"]\n'
SINK = '[[tool.sdblint.sink]]\ncategory = "shell"\npatterns = ["acme.run"]\n'
# (the config's [tool.sdblint] lines, the key the error must name, what it must say was expected)
CASES = [
    (VERIFIER + 'when_kwarg = "strict"\n', "tool.sdblint.verifier[0].when_kwarg", "a table with keyword and equals"),
    (VERIFIER + 'when_kwarg = {keyword = "strict"}\n', "tool.sdblint.verifier[0].when_kwarg.equals", "a string (required)"),
    (VERIFIER + 'when_kwarg = {keyword = "strict", equals = true}\n', "tool.sdblint.verifier[0].when_kwarg.equals", "a string"),
    (SINK + 'when_arg = {index = 0, contains = 5}\n', "tool.sdblint.sink[0].when_arg.contains", "a list of strings"),
    (SINK + 'when_arg = {index = "zero", contains = ["w"]}\n', "tool.sdblint.sink[0].when_arg.index", "an argument position"),
    (SINK + 'when_arg = {index = true, contains = ["w"]}\n', "tool.sdblint.sink[0].when_arg.index", "an argument position"),
    (SINK + 'when_arg = {index = -1, contains = ["w"]}\n', "tool.sdblint.sink[0].when_arg.index", "an argument position"),
    (SINK + 'when_arg = {contains = ["w"]}\n', "tool.sdblint.sink[0].when_arg", "index or keyword"),
    (SINK + 'unless_arg = {keyword = 1, contains = ["w"]}\n', "tool.sdblint.sink[0].unless_arg.keyword", "a string"),
    (SINK + 'when_arg = {keyword = "mode", contains = ["w"], default = 0}\n', "tool.sdblint.sink[0].when_arg.default",
     "a string"),
    (SINK + 'bound_args = ["1"]\nbound_category = 7\n', "tool.sdblint.sink[0].bound_category", "one of"),
    (SINK + 'bound_args = ["1"]\nbound_category = "nonsense"\n', "tool.sdblint.sink[0].bound_category", "one of"),
    (SINK + 'bound_args = ["1"]\n', "tool.sdblint.sink[0].bound_category", "required with bound_args"),
    ('select = [""]\n', "tool.sdblint.select", "got an empty string"),
    ('ignore = ["  "]\n', "tool.sdblint.ignore", "got an empty string"),
    ('[tool.sdblint.per-file-ignores]\n"*.py" = [""]\n', "tool.sdblint.per-file-ignores.*.py", "got an empty string"),
]


def sdblint(*args, cwd):
    return subprocess.run([sys.executable, "-m", "sdblint", "check", "--no-cache", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def assert_config_error(run, source, key, expected):
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert f"sdblint: error: {source}: invalid `{key}`: expected " in run.stderr and expected in run.stderr, run.stderr


@pytest.mark.parametrize("table, key, expected", CASES)
def test_a_bad_config_value_names_the_file_the_key_and_what_was_expected(tmp_path, table, key, expected):
    write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n" + table, "agent.py": OPENAI_SHELL})
    assert_config_error(sdblint(".", cwd=tmp_path), tmp_path / "pyproject.toml", key, expected)


def test_a_config_file_that_is_not_utf8(tmp_path):
    write(tmp_path, {"agent.py": OPENAI_SHELL})
    (tmp_path / "sdblint.toml").write_bytes(b'select = ["SDB1"]\n# caf\xe9\n')
    assert_config_error(sdblint("--config", "sdblint.toml", ".", cwd=tmp_path), "sdblint.toml", "(file)",
                        "UTF-8 text (byte 23 is not: invalid continuation byte)")


@pytest.mark.parametrize("content, key, expected", [
    ("[" * 100_000 + "]" * 100_000, "(file)", "JSON written by `sdblint baseline` (nested too deep to be one)"),
    ('{"findings": [' + "[" * 100_000 + "]" * 100_000 + '], "sdblint-baseline": 1}', "(file)",
     "JSON written by `sdblint baseline` (nested too deep to be one)"),
    (json.dumps({"sdblint-baseline": True, "findings": []}), "sdblint-baseline", "1 (a file written by `sdblint baseline`)"),
    (json.dumps({"sdblint-baseline": 1.0, "findings": []}), "sdblint-baseline", "1 (a file written by `sdblint baseline`)"),
    ('{"sdblint-baseline": 1, "findings": []}'.encode().replace(b"[]", b'["\xff"]'), "(file)", "JSON written by"),
])
def test_a_bad_baseline_names_the_file_and_what_was_expected(tmp_path, content, key, expected):
    write(tmp_path, {"agent.py": OPENAI_SHELL})
    (tmp_path / "base.json").write_bytes(content if isinstance(content, bytes) else content.encode())
    assert_config_error(sdblint("--baseline", "base.json", ".", cwd=tmp_path), "base.json", key, expected)


def test_the_config_values_these_checks_allow_still_work(tmp_path):
    """The near misses: the shapes the catalog itself uses are accepted and do what they say."""
    write(tmp_path, {"pyproject.toml": '[tool.sdblint]\nselect = ["ALL"]\n' + SINK +
                     'when_arg = {index = 0, keyword = "cmd", contains = ["rm"], default = "ls"}\n' + VERIFIER +
                     'when_kwarg = {keyword = "strict", equals = "True"}\n',
                     "agent.py": OPENAI_SHELL})
    run = sdblint(".", cwd=tmp_path)
    assert run.returncode == 1 and "SDB102" in run.stdout, run.stderr
