"""Suppression comments: prefixes, bare `# noqa`, SDB900 unused suppressions (opt-in), --add-noqa."""
from __future__ import annotations

from helpers import OPENAI_SHELL, check_json, found, invoke, write

SINK_LINE = "    subprocess.run(cmd, shell=True)"


def shell(tmp_path, comment: str = "", **extra):
    return write(tmp_path, {"a.py": OPENAI_SHELL.replace(SINK_LINE, SINK_LINE + comment), **extra})


def test_a_suppression_accepts_a_code_prefix_like_every_selector(tmp_path):
    assert check_json(shell(tmp_path, "  # sdblint: ignore[SDB1] reviewed"))["findings"] == []
    assert check_json(shell(tmp_path, "  # noqa: SDB10"))["findings"] == []
    assert found(check_json(shell(tmp_path, "  # sdblint: ignore[SDB104] wrong rule"))) == {("a.py", 8, "SDB102")}
    assert found(check_json(shell(tmp_path, "  # noqa: SDB2"))) == {("a.py", 8, "SDB102")}


def test_a_bare_noqa_suppresses_nothing_and_gets_one_hint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"b.py": OPENAI_SHELL.replace(SINK_LINE, SINK_LINE + "  # noqa")})
    result = invoke("check", str(shell(tmp_path, "  # noqa")))
    assert result.exit_code == 1
    hints = [line for line in result.stderr.splitlines() if "hint:" in line]
    assert hints == ["sdblint: hint: a.py:8 has a `# noqa` without a code, which suppresses nothing; to waive "
                     "SDB102 write `# sdblint: ignore[SDB102] <reason>` (1 more findings carry one)"]
    write(tmp_path, {"b.py": OPENAI_SHELL})
    assert "hint:" not in invoke("check", str(shell(tmp_path, "  # noqa: SDB102"))).stderr


def test_unused_suppressions_are_reported_only_when_sdb900_is_named(tmp_path):
    stale = "import subprocess\n\ndef f():\n    subprocess.run(['ls'])  # sdblint: ignore[SDB102] reviewed\n"
    write(tmp_path, {"stale.py": stale, "other_tool.py": "x = 1  # noqa: E501\n"})
    shell(tmp_path, "  # sdblint: ignore[SDB102] reviewed")
    assert check_json(tmp_path)["findings"] == []                       # off by default
    assert check_json(tmp_path, "--select", "ALL")["findings"] == []    # ALL and SDB do not turn it on
    (finding,) = check_json(tmp_path, "--extend-select", "SDB900")["findings"]
    assert (finding["path"], finding["line"], finding["code"], finding["severity"]) == ("stale.py", 4, "SDB900", "info")
    assert "no SDB102 finding on this statement" in finding["message"]
    # a rule that is off cannot be judged: its suppressions are not reported
    assert check_json(tmp_path, "--extend-select", "SDB900", "--ignore", "SDB102")["findings"] == []


def test_add_noqa_waives_every_current_finding_and_the_next_run_is_clean(tmp_path):
    multi = OPENAI_SHELL.replace(SINK_LINE, "    subprocess.run(\n        cmd,\n        shell=True,\n    )")
    write(tmp_path, {"m.py": multi, "crlf.py": ""})
    (tmp_path / "crlf.py").write_bytes(OPENAI_SHELL.lstrip("\n").replace("\n", "\r\n").encode())
    shell(tmp_path)
    result = invoke("check", "--add-noqa", str(tmp_path))
    assert result.exit_code == 0 and "Added 3 suppressions in 3 files." in result.output
    assert (tmp_path / "a.py").read_text().splitlines()[7] == \
        SINK_LINE + "  # sdblint: ignore[SDB102] TODO: say why this is safe"
    assert (tmp_path / "m.py").read_text().splitlines()[10].startswith("    )  # sdblint: ignore[SDB102]")
    assert b"ignore[SDB102] TODO: say why this is safe\r\n" in (tmp_path / "crlf.py").read_bytes()
    assert check_json(tmp_path)["findings"] == []
