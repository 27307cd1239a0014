"""The SARIF format: valid against the official schema, with the flows, rules and fingerprints code scanning uses."""
import json
import os
from pathlib import Path

import pytest
from helpers import OPENAI_SHELL, as_json, invoke, write

from sdblint.checks import rule_codes
from sdblint.config.settings import load_settings
from sdblint.pipeline import run
from sdblint.report import FORMATS, ReportView

SCHEMA_NAME = Path("shared", "schemas", "sarif-schema-2.1.0.json")

# A model call in one module, the actions in another, and a file that does not parse.
PROJECT = {
    ".git/HEAD": "ref: refs/heads/main\n",   # makes the temporary folder the project root, as a checkout is
    "pkg/__init__.py": "",
    "pkg/llm.py": """
        from openai import OpenAI

        client = OpenAI()


        def ask(prompt):
            return client.chat.completions.create(model="gpt-4o", messages=[]).choices[0].message.content
    """,
    "pkg/tools.py": """
        import subprocess

        from pkg.llm import ask

        ALLOWED = {"ls", "pwd"}


        def shell(task):
            cmd = ask(task)
            subprocess.run(cmd, shell=True)


        def calc(task):
            return eval(ask(task))


        def checked_too_late(task):
            cmd = ask(task)
            subprocess.run(cmd, shell=True)
            if cmd not in ALLOWED:
                raise ValueError(cmd)
    """,
    "pkg/broken.py": "def broken(:\n    pass\n",
}


def schema_path() -> Path | None:
    """The workplace's copy of the official schema: named by the environment, or in a folder above the tests."""
    named = os.environ.get("SDBLINT_SARIF_SCHEMA")
    candidates = [Path(named)] if named else []
    candidates += [folder / SCHEMA_NAME for folder in Path(__file__).resolve().parents]
    return next((c for c in candidates if c.is_file()), None)


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    path = schema_path()
    if path is None:
        pytest.skip(f"the SARIF 2.1.0 schema is not here: set SDBLINT_SARIF_SCHEMA or provide {SCHEMA_NAME.as_posix()} "
                    "in a folder above the tests")
    return jsonschema.Draft4Validator(json.loads(path.read_text(encoding="utf-8")))


def checked(root: Path):
    return run([root], load_settings(None, root))


def sarif(result, root: Path) -> dict:
    return json.loads(FORMATS["sarif"](result, ReportView(root, Path.cwd())))


def only_run(doc: dict) -> dict:
    (sarif_run,) = doc["runs"]
    return sarif_run


def result_at(sarif_run: dict, rule: str, line: int) -> dict:
    return next(r for r in sarif_run["results"]
                if r["ruleId"] == rule and r["locations"][0]["physicalLocation"]["region"]["startLine"] == line)


def uri_and_line(location: dict) -> tuple[str, int]:
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uriBaseId"] == "PROJECTROOT"
    return physical["artifactLocation"]["uri"], physical["region"]["startLine"]


def test_a_sink_reached_from_two_sources_has_a_code_flow_per_source(tmp_path, validator):
    root = write(tmp_path, {"a.py": """
        import subprocess
        from anthropic import Anthropic
        from openai import OpenAI


        def run(cmd):
            subprocess.run(cmd, shell=True)


        def chat():
            run(OpenAI().chat.completions.create(model="m", messages=[]).choices[0].message.content)


        def message():
            run(Anthropic().messages.create(model="m", max_tokens=1, messages=[]).content[0].text)
    """})
    result = checked(root)
    doc = sarif(result, root)
    validator.validate(doc)
    shown = result_at(only_run(doc), "SDB102", 7)
    starts = [flow["threadFlows"][0]["locations"][0]["location"] for flow in shown["codeFlows"]]
    assert [uri_and_line(s) for s in starts] == [("a.py", 11), ("a.py", 15)]
    (finding,) = json.loads(as_json(result))["findings"]
    assert [[(*uri_and_line(s["location"]), s["location"]["message"]["text"]) for s in flow["threadFlows"][0]["locations"]]
            for flow in shown["codeFlows"]] == [[(s["path"], s["line"], s["note"]) for s in flow] for flow in finding["flows"]]


def test_sarif_validates_against_the_official_schema(tmp_path, validator):
    result = checked(write(tmp_path / "project", PROJECT))
    assert {f.code for f in result.findings} >= {"SDB101", "SDB102"} and result.errors
    validator.validate(sarif(result, tmp_path / "project"))
    clean = checked(write(tmp_path / "clean", {"a.py": "print('hi')\n"}))
    assert not clean.findings
    validator.validate(sarif(clean, tmp_path / "clean"))


def test_a_cross_file_flow_is_a_code_flow_with_its_proposer(tmp_path):
    root = write(tmp_path, PROJECT)
    result = checked(root)
    sarif_run = only_run(sarif(result, root))
    finding = next(f for f in json.loads(as_json(result))["findings"]
                   if f["code"] == "SDB102" and f["verifier"]["status"] == "missing")
    shown = result_at(sarif_run, "SDB102", finding["line"])
    (code_flow,) = shown["codeFlows"]
    (thread_flow,) = code_flow["threadFlows"]
    steps = [(*uri_and_line(s["location"]), s["location"]["message"]["text"]) for s in thread_flow["locations"]]
    assert steps == [(s["path"], s["line"], s["note"]) for s in finding["flow"]]
    assert steps[0][0] == "pkg/llm.py" and steps[-1][0] == "pkg/tools.py"
    related = shown["relatedLocations"]
    assert ("pkg/llm.py", 7) in [uri_and_line(r) for r in related]
    assert "model output: openai.OpenAI().chat.completions.create" in [r["message"]["text"] for r in related]
    assert shown["partialFingerprints"] == {"sdblint/v1": finding["fingerprint"]}
    assert shown["level"] == "error" and shown["message"]["text"] == finding["message"]


def test_a_check_that_does_not_count_is_a_related_location(tmp_path):
    root = write(tmp_path, PROJECT)
    shown = result_at(only_run(sarif(checked(root), root)), "SDB102", 19)
    assert shown["properties"]["verifierStatus"] == "after-sink"
    texts = {r["message"]["text"]: uri_and_line(r) for r in shown["relatedLocations"]}
    assert texts["after-sink: allowlist check comes after the action"] == ("pkg/tools.py", 20)
    ids = [r["id"] for r in shown["relatedLocations"]]
    assert len(ids) == 2 and len(set(ids)) == 2


def test_every_rule_is_described_for_code_scanning(tmp_path):
    root = write(tmp_path, PROJECT)
    sarif_run = only_run(sarif(checked(root), root))
    driver = sarif_run["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == list(rule_codes())
    assert all(driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in sarif_run["results"])
    shell = next(r for r in driver["rules"] if r["id"] == "SDB102")
    assert shell["helpUri"].endswith("#sdb102-unverified-shell-command")
    assert driver["informationUri"] == shell["helpUri"].partition("#")[0]
    assert float(shell["properties"]["security-severity"]) > 0 and shell["defaultConfiguration"]["level"] == "error"
    assert "external/cwe/cwe-78" in shell["properties"]["tags"]
    assert any(t.startswith("external/owasp/llm") for t in shell["properties"]["tags"])
    assert shell["help"]["markdown"].startswith("# unverified-shell-command (SDB102)")


def test_no_line_hash_and_an_unparsable_file_is_a_notification(tmp_path):
    root = write(tmp_path, PROJECT)
    text = FORMATS["sarif"](checked(root), ReportView(root, root))
    assert "primaryLocationLineHash" not in text
    (invocation,) = only_run(json.loads(text))["invocations"]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "syntax error" in note["message"]["text"]
    assert note["descriptor"] == {"id": "syntax-error"}
    assert uri_and_line(note["locations"][0]) == ("pkg/broken.py", 1)
    assert note["locations"][0]["physicalLocation"]["region"]["startColumn"] == 12


def test_uris_are_relative_to_the_root_from_a_subfolder(tmp_path, monkeypatch):
    root = write(tmp_path, PROJECT)
    monkeypatch.chdir(root / "pkg")
    text = invoke("check", "--output-format", "sarif", "--exit-zero", ".").output
    sarif_run = only_run(json.loads(text))
    assert sarif_run["originalUriBaseIds"] == {"PROJECTROOT": {"uri": root.resolve().as_uri() + "/"}}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif_run["results"]}
    assert uris == {"pkg/tools.py"}
    # The root URI is the only absolute path in the report.
    assert text.count(root.resolve().as_posix()) == 1


def test_the_fingerprint_stays_when_lines_are_inserted_above(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL})
    (before,) = only_run(sarif(checked(tmp_path), tmp_path))["results"]
    write(tmp_path, {"a.py": "# one\n# two\n# three" + OPENAI_SHELL})
    (after,) = only_run(sarif(checked(tmp_path), tmp_path))["results"]
    moved = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in (before, after)]
    assert moved == [8, 11]
    assert after["partialFingerprints"] == before["partialFingerprints"]


def test_output_is_deterministic(tmp_path):
    root = write(tmp_path, PROJECT)
    assert FORMATS["sarif"](checked(root), ReportView(root, root)) == FORMATS["sarif"](checked(root), ReportView(root, root))


def test_check_command_writes_sarif(tmp_path):
    write(tmp_path, {"agent/tools.py": OPENAI_SHELL})
    result = invoke("check", "--output-format", "sarif", str(tmp_path))
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["version"] == "2.1.0" and doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (shown,) = only_run(doc)["results"]
    assert (shown["ruleId"], uri_and_line(shown["locations"][0])) == ("SDB102", ("agent/tools.py", 8))


def test_a_gated_run_lists_known_findings_as_unchanged_and_waived_ones_as_suppressed(tmp_path, validator):
    """Code scanning must see every finding: the gate's known ones with `baselineState`, the waived
    ones with SARIF's own `suppressions`, while the exit code counts only the new ones."""
    root = write(tmp_path, PROJECT)
    baseline = tmp_path / "baseline.json"
    assert invoke("baseline", "-o", str(baseline), str(root)).exit_code == 0
    tools = root / "pkg" / "tools.py"
    tools.write_text(tools.read_text().replace("return eval(ask(task))",
                                               "return eval(ask(task))  # sdblint: ignore[SDB101] sandboxed interpreter")
                     + "\n\ndef again(task):\n    subprocess.run(ask(task), shell=True)\n")
    result = invoke("check", "--output-format", "sarif", "--baseline", str(baseline), str(root))
    assert result.exit_code == 1
    doc = json.loads(result.output)
    validator.validate(doc)
    results = only_run(doc)["results"]
    states = sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"], r.get("baselineState"),
                     [s.get("justification") for s in r.get("suppressions", [])]) for r in results)
    assert states == [("SDB101", 14, None, ["sandboxed interpreter"]),
                      ("SDB102", 10, "unchanged", []), ("SDB102", 19, "unchanged", []), ("SDB102", 25, "new", [])]
    plain = json.loads(invoke("check", "--output-format", "sarif", str(root)).output)
    assert all("baselineState" not in r for r in only_run(plain)["results"])    # nothing compared, nothing said
