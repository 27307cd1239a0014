"""The CI formats: GitHub Actions annotations, a GitLab Code Quality report and JUnit XML."""
import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from helpers import OPENAI_SHELL, invoke, write

from sdblint.config.settings import load_settings
from sdblint.pipeline import run
from sdblint.report import FORMATS, MACHINE_FORMATS, ReportView

CI_FORMATS = ("github", "gitlab", "junit")
SPLIT_CALL = OPENAI_SHELL.replace("subprocess.run(cmd, shell=True)",
                                  "subprocess.run(\n        cmd,\n        shell=True)")
FILE_WRITE = OPENAI_SHELL.replace("subprocess.run(cmd, shell=True)", "open(cmd, 'w')")   # SDB104, a warning
TWO_SINKS = OPENAI_SHELL + "    subprocess.run(cmd, shell=True)\n"
MODEL_OUTPUT = ('model output: cmd = client.chat.completions.create(model="gpt-4o", messages=[])'
                '.choices[0].message.content')
SHELL_MESSAGE = ("model output from openai.OpenAI().chat.completions.create ({path}:7) reaches subprocess.run "
                 "without a verifier")
LIMIT_NOTE = ("GitHub shows at most 10 annotations of each level per step: the full list is in the SARIF report "
              "(`--output-format sarif`, uploaded to code scanning).")


def checked(root):
    return run([root], load_settings(None, root))


def rendered(fmt: str, result, root) -> str:
    return FORMATS[fmt](result, ReportView(root.resolve(), root.resolve()))


def cli(fmt: str, root, *extra: str):
    outcome = invoke("check", "--output-format", fmt, *extra, str(root))
    assert outcome.exit_code in (0, 1), outcome.output
    return outcome


@pytest.mark.parametrize("fmt", CI_FORMATS)
def test_each_ci_format_is_a_machine_format_and_fails_the_job_on_findings(tmp_path, fmt):
    write(tmp_path, {"clean/a.py": "print('hi')\n", "dirty/a.py": OPENAI_SHELL})
    assert fmt in MACHINE_FORMATS
    assert cli(fmt, tmp_path / "clean").exit_code == 0
    dirty = cli(fmt, tmp_path / "dirty", "--color", "always")
    assert dirty.exit_code == 1 and "\x1b[" not in dirty.output
    assert cli(fmt, tmp_path / "dirty").output == dirty.output   # the same bytes for the same input


# ---------------------------------------------------------------- github
def test_github_annotations_cover_the_range_and_carry_the_flow(tmp_path, monkeypatch):
    write(tmp_path, {"proj/agent/tools.py": OPENAI_SHELL, "proj/agent/split.py": SPLIT_CALL})
    monkeypatch.chdir(tmp_path)   # Actions runs from the checkout root, above the project here
    lines = cli("github", tmp_path / "proj").output.splitlines()
    assert lines == [
        # the call spans three lines: no columns
        "::error file=proj/agent/split.py,line=8,endLine=10,title=SDB102 unverified-shell-command::"
        + SHELL_MESSAGE.format(path="proj/agent/split.py")   # the same base as the location
        + f"%0Aproj/agent/split.py:7: {MODEL_OUTPUT}%0Aproj/agent/split.py:8: reaches subprocess.run",
        "::error file=proj/agent/tools.py,line=8,col=5,endLine=8,endColumn=36,title=SDB102 unverified-shell-command::"
        + SHELL_MESSAGE.format(path="proj/agent/tools.py")
        + f"%0Aproj/agent/tools.py:7: {MODEL_OUTPUT}%0Aproj/agent/tools.py:8: reaches subprocess.run",
        "::notice title=sdblint::2 findings (2 error, 0 warning, 0 info) in 2 files. Recognised 2 model calls "
        f"(openai 2), 0 tool entry points and 2 sinks (shell 2). {LIMIT_NOTE}",
    ]


def test_github_escapes_properties_and_messages(tmp_path):
    project = write(tmp_path, {"50%,a/tools.py": OPENAI_SHELL})
    result = checked(project)
    line = rendered("github", result, project).splitlines()[0]
    assert line.startswith("::error file=50%25%2Ca/tools.py,line=8,col=5,endLine=8,endColumn=36,"
                           "title=SDB102 unverified-shell-command::")
    # in the message only %, CR and LF are escaped
    assert "(50%25,a/tools.py:7)" in line and "%0A50%25,a/tools.py:7: model output" in line

    odd = replace(result.findings[0], path="a:b/tools.py", name="a,b:c", message="100% sure\r\nreally", flows=())
    line = rendered("github", replace(result, findings=(odd,)), project).splitlines()[0]
    assert line == ("::error file=a%3Ab/tools.py,line=8,col=5,endLine=8,endColumn=36,title=SDB102 a%2Cb%3Ac::"
                    "100%25 sure%0D%0Areally")


def test_github_emits_every_finding_then_counts_them(tmp_path):
    many = OPENAI_SHELL + "    subprocess.run(cmd, shell=True)\n" * 11 + "    open(cmd, 'w')\n"
    project = write(tmp_path, {"tools.py": many, "broken.py": "def f(:\n"})
    lines = rendered("github", checked(project), project).splitlines()
    assert lines[0] == ("::error file=broken.py,line=1,col=7,title=sdblint%3A Python cannot parse this file::"
                        "syntax error: invalid syntax")
    annotations = lines[1:-1]
    assert [a.split(" ", 1)[0] for a in annotations] == ["::error"] * 12 + ["::warning"]
    assert len({a.split(",", 2)[1] for a in annotations}) == 13   # one per line: none held back
    assert lines[-1] == ("::notice title=sdblint::13 findings (12 error, 1 warning, 0 info) in 2 files; "
                         "1 Python cannot parse. Recognised 1 model call (openai 1), 0 tool entry points and "
                         f"13 sinks (shell 12, file 1). {LIMIT_NOTE}")


def test_github_reports_info_findings_as_notices(tmp_path):
    project = write(tmp_path, {"tools.py": OPENAI_SHELL})
    result = checked(project)
    info = replace(result, findings=(replace(result.findings[0], severity="info"),))
    first, notice = rendered("github", info, project).splitlines()
    assert first.startswith("::notice file=tools.py,line=8,") and "(0 error, 0 warning, 1 info)" in notice


# ---------------------------------------------------------------- gitlab
def test_gitlab_report_is_a_code_quality_array_with_root_relative_paths(tmp_path, monkeypatch):
    write(tmp_path, {"proj/agent/tools.py": OPENAI_SHELL, "proj/agent/files.py": FILE_WRITE})
    monkeypatch.chdir(tmp_path)
    report = json.loads(cli("gitlab", tmp_path / "proj").output)
    fingerprints = {f["path"]: f["fingerprint"]
                    for f in json.loads(cli("json", tmp_path / "proj").output)["findings"]}
    assert report == [
        {"description": "SDB104 " + SHELL_MESSAGE.format(path="agent/files.py").replace("subprocess.run",
                                                                                        "builtins.open"),
         "check_name": "SDB104", "fingerprint": fingerprints["agent/files.py"], "severity": "major",
         "location": {"path": "agent/files.py", "lines": {"begin": 8, "end": 8}},
         "categories": ["Security"], "type": "issue"},
        {"description": "SDB102 " + SHELL_MESSAGE.format(path="agent/tools.py"),
         "check_name": "SDB102", "fingerprint": fingerprints["agent/tools.py"], "severity": "critical",
         "location": {"path": "agent/tools.py", "lines": {"begin": 8, "end": 8}},
         "categories": ["Security"], "type": "issue"},
    ]


def test_gitlab_lines_span_a_multi_line_call_and_info_maps_to_info(tmp_path):
    project = write(tmp_path, {"tools.py": SPLIT_CALL})
    result = checked(project)
    (issue,) = json.loads(rendered("gitlab", result, project))
    assert issue["location"]["lines"] == {"begin": 8, "end": 10}
    info = replace(result, findings=(replace(result.findings[0], severity="info"),))
    assert json.loads(rendered("gitlab", info, project))[0]["severity"] == "info"


def test_gitlab_fingerprints_are_unique_even_for_identical_findings(tmp_path):
    project = write(tmp_path, {"tools.py": TWO_SINKS})
    result = checked(project)
    first, second = json.loads(rendered("gitlab", result, project))
    assert {k: v for k, v in first.items() if k not in ("fingerprint", "location")} == \
        {k: v for k, v in second.items() if k not in ("fingerprint", "location")}
    assert first["fingerprint"] != second["fingerprint"]

    # should two findings ever share a fingerprint, the report still tells them apart, the same way each run
    shared = replace(result, findings=tuple(replace(f, fingerprint="0" * 20) for f in result.findings * 2))
    issues = json.loads(rendered("gitlab", shared, project))
    assert len({i["fingerprint"] for i in issues}) == 4 and issues[0]["fingerprint"] == "0" * 20
    assert rendered("gitlab", shared, project) == rendered("gitlab", shared, project)


def test_gitlab_report_of_a_clean_project_is_an_empty_array(tmp_path):
    project = write(tmp_path, {"a.py": "print('hi')\n"})
    assert cli("gitlab", project).output == "[]\n"


# ---------------------------------------------------------------- junit
def test_junit_has_a_suite_per_file_and_a_failing_case_per_finding(tmp_path, monkeypatch):
    write(tmp_path, {"proj/agent/tools.py": TWO_SINKS, "proj/agent/files.py": FILE_WRITE,
                     "proj/agent/broken.py": "def f(:\n", "proj/agent/clean.py": "print('hi')\n"})
    monkeypatch.chdir(tmp_path)
    output = cli("junit", tmp_path / "proj").output
    assert output.startswith("<?xml version=")
    suites = ET.fromstring(output)
    assert (suites.tag, suites.attrib) == ("testsuites", {"name": "sdblint", "tests": "4", "failures": "4",
                                                          "errors": "0"})
    assert [(s.get("name"), s.get("tests"), s.get("failures"), s.get("errors")) for s in suites] == [
        ("agent/broken.py", "1", "1", "0"), ("agent/files.py", "1", "1", "0"), ("agent/tools.py", "2", "2", "0")]

    first, second = suites[2]
    assert first.attrib == {"name": "SDB102 at 8:5", "classname": "agent/tools.py", "file": "agent/tools.py",
                            "line": "8"}
    assert second.get("name") == "SDB102 at 9:5"
    failure = first.find("failure")
    assert failure.attrib == {"message": SHELL_MESSAGE.format(path="agent/tools.py"), "type": "SDB102"}
    assert failure.text.splitlines() == [f"agent/tools.py:7: {MODEL_OUTPUT}",
                                         "agent/tools.py:8: reaches subprocess.run",
                                         "verifier: missing - no verifier on this path"]

    (unparsable,) = suites[0]   # a file Python cannot parse fails the run: a failure, like a finding
    assert unparsable.attrib == {"name": "syntax-error at 1:7", "classname": "agent/broken.py",
                                 "file": "agent/broken.py", "line": "1"}
    assert unparsable.find("failure").attrib == {"message": "syntax error: invalid syntax", "type": "syntax-error"}


def test_junit_of_a_clean_project_holds_one_passing_case(tmp_path):
    project = write(tmp_path, {"a.py": "print('hi')\n"})
    suites = ET.fromstring(cli("junit", project).output)
    assert suites.attrib == {"name": "sdblint", "tests": "1", "failures": "0", "errors": "0"}
    (suite,) = suites
    (case,) = suite
    assert case.tag == "testcase" and list(case) == []


def test_junit_stays_well_formed_whatever_the_source_quotes(tmp_path):
    project = write(tmp_path, {"tools.py": OPENAI_SHELL})
    result = checked(project)
    odd = replace(result.findings[0], message="a <b> & \x07 \x1b", flows=())
    failure = ET.fromstring(rendered("junit", replace(result, findings=(odd,)), project)).find(".//failure")
    assert failure.get("message") == "a <b> & \ufffd \ufffd"
