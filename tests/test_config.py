"""[tool.sdblint]: strict validation and models-as-data extensions."""
import json

from helpers import OPENAI_SHELL, check_json, found, invoke, write

GATEWAY = """
import subprocess
from acme.gateway import LLMGateway

def run(task):
    cmd = LLMGateway().ask(task)
    subprocess.run(cmd, shell=True)
"""


def config(tmp_path, body: str):
    return write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n" + body})


def test_unknown_key_names_file_and_key(tmp_path):
    config(tmp_path, 'selectt = ["SDB1"]\n')
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2
    assert str(tmp_path / "pyproject.toml") in result.output and "tool.sdblint.selectt" in result.output


def test_wrong_type_says_what_was_expected(tmp_path):
    config(tmp_path, 'ignore = "SDB101"\n')
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "tool.sdblint.ignore" in result.output and "a list of strings" in result.output


def test_bad_fail_on_and_bad_sink_category(tmp_path):
    config(tmp_path, 'fail-on = "fatal"\n')
    assert "one of error, warning, info" in invoke("check", str(tmp_path)).output
    config(tmp_path, '[[tool.sdblint.sink]]\ncategory = "teleport"\npatterns = ["x.y"]\n')
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "tool.sdblint.sink[0].category" in result.output


def test_invalid_toml_is_a_config_error(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.sdblint\n"})
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "valid TOML" in result.output


def test_a_nested_template_pyproject_that_is_not_toml_is_not_a_config(tmp_path):
    """A project template inside the tree (`templates/pyproject.toml` with `{{name}}` placeholders)
    names no [tool.sdblint]: it configures nothing and stops nothing."""
    write(tmp_path, {"pyproject.toml": "[tool.sdblint]\n", "app/__init__.py": "",
                     "app/templates/pyproject.toml": '[project]\nname = {{ name }}\n',
                     "app/templates/main.py": "import os\n"})
    result = invoke("check", str(tmp_path), "--output-format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["summary"]["files"] == 2


def test_pyproject_without_sdblint_table_means_defaults(tmp_path):
    write(tmp_path, {"pyproject.toml": "[project]\nname='x'\n", "a.py": OPENAI_SHELL})
    assert found(check_json(tmp_path)) == {("a.py", 8, "SDB102")}


def test_select_ignore_and_per_file_ignores_from_config(tmp_path):
    config(tmp_path, 'ignore = ["SDB101"]\n[tool.sdblint.per-file-ignores]\n"legacy/*" = ["SDB102"]\n')
    write(tmp_path, {"a.py": OPENAI_SHELL + "    eval(cmd)\n", "legacy/b.py": OPENAI_SHELL})
    assert found(check_json(tmp_path)) == {("a.py", 8, "SDB102")}


def test_exclude_from_config(tmp_path):
    config(tmp_path, 'extend-exclude = ["scripts"]\n')
    write(tmp_path, {"a.py": OPENAI_SHELL, "scripts/b.py": OPENAI_SHELL})
    assert {p for p, _, _ in found(check_json(tmp_path))} == {"a.py"}


def test_config_fail_on_is_used(tmp_path):
    config(tmp_path, 'fail-on = "error"\n')
    write(tmp_path, {"a.py": OPENAI_SHELL.replace("subprocess.run(cmd, shell=True)", "open(cmd, 'w')")})
    assert invoke("check", str(tmp_path)).exit_code == 0


def test_in_house_proposer_sink_and_verifier_from_config(tmp_path):
    write(tmp_path, {"acme/__init__.py": "", "acme/gateway.py": "class LLMGateway:\n    def ask(self, q):\n        return q\n",
                     "agent.py": GATEWAY})
    assert found(check_json(tmp_path)) == set()
    config(tmp_path, '[[tool.sdblint.proposer]]\nlabel = "gateway"\npatterns = ["**.LLMGateway().ask"]\n')
    assert found(check_json(tmp_path)) == {("agent.py", 6, "SDB102")}
    config(tmp_path, '[[tool.sdblint.proposer]]\nlabel = "gateway"\npatterns = ["**.LLMGateway().ask"]\n'
                     '[[tool.sdblint.verifier]]\nkind = "allowlist"\nreturns = "value"\npatterns = ["policy.vet"]\n')
    write(tmp_path, {"agent.py": GATEWAY.replace("cmd = LLMGateway().ask(task)", "cmd = policy.vet(LLMGateway().ask(task))")
                     .replace("import subprocess", "import subprocess\nimport policy")})
    assert found(check_json(tmp_path)) == set()


def test_explicit_config_file(tmp_path):
    write(tmp_path, {"a.py": OPENAI_SHELL, "sdblint.toml": 'select = ["SDB101"]\n'})
    assert invoke("check", "--config", str(tmp_path / "sdblint.toml"), str(tmp_path)).exit_code == 0


def test_bad_pattern_in_config(tmp_path):
    config(tmp_path, '[[tool.sdblint.proposer]]\npatterns = ["a..b"]\n')
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "patterns" in result.output


def test_command_line_codes_are_blamed_on_the_option(tmp_path):
    config(tmp_path, 'select = ["SDB1"]\n')
    result = invoke("check", "--select", "SDB777", str(tmp_path))
    assert result.exit_code == 2 and "command line: invalid `--select`" in result.output


def test_per_file_ignores_codes_are_validated_with_their_full_key(tmp_path):
    config(tmp_path, '[tool.sdblint.per-file-ignores]\n"*.py" = ["XYZ1"]\n')
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "tool.sdblint.per-file-ignores.*.py" in result.output


def test_non_table_tool_is_a_config_error(tmp_path):
    write(tmp_path, {"pyproject.toml": "tool = 1\n"})
    assert invoke("check", "--config", str(tmp_path / "pyproject.toml"), str(tmp_path)).exit_code == 2


def test_a_misspelt_verifier_kind_names_the_file_and_key(tmp_path):
    config(tmp_path, '[[tool.sdblint.verifier]]\nkind = "alowlist"\npatterns = ["acme.policy.approve"]\n')
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2
    assert f"{tmp_path / 'pyproject.toml'}: invalid `tool.sdblint.verifier[0].kind`" in result.output
    assert "a verifier kind, one of allowlist," in result.output and "got 'alowlist'" in result.output


def test_adequate_lists_of_a_sink_are_validated_too(tmp_path):
    config(tmp_path, '[[tool.sdblint.sink]]\ncategory = "payment"\npatterns = ["acme.Ledger().pay"]\n'
                     'extra_adequate = ["humen"]\n')
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "tool.sdblint.sink[0].extra_adequate" in result.output and "'humen'" in result.output


def test_every_verifier_kind_is_adequate_for_some_sink():
    """A kind that no category or sink accepts could never verify anything: a dead enum member."""
    from sdblint.catalog import builtin_catalog
    from sdblint.kinds import VerifierKind

    catalog = builtin_catalog()
    accepted = {k for c in catalog.categories.values() for k in c.adequate | c.arguments_adequate}
    accepted |= {k for s in catalog.sinks for k in s.extra_adequate}
    assert {k.value for k in VerifierKind} - accepted == set()


AUDIT = """
import subprocess
from openai import OpenAI
from acme import audit

def run(task):
    text = OpenAI().chat.completions.create(model="m", messages=[]).choices[0].message.content
    audit.AuditLog.objects.create(entry=text, table="events")
    audit.AuditLog.objects.create(entry="x", table=text)
"""


def test_an_in_house_recorder_from_config_keeps_its_target_a_sink(tmp_path):
    write(tmp_path, {"agent.py": AUDIT})
    assert found(check_json(tmp_path)) == {("agent.py", 7, "SDB109"), ("agent.py", 8, "SDB109")}
    config(tmp_path, '[[tool.sdblint.recorder]]\nlabel = "audit table"\npatterns = ["acme.audit.AuditLog.objects.create"]\n'
                     'target_args = ["table"]\n')
    assert found(check_json(tmp_path)) == {("agent.py", 8, "SDB109")}


def test_a_recorder_with_an_unknown_key_names_the_key(tmp_path):
    config(tmp_path, '[[tool.sdblint.recorder]]\npatterns = ["acme.log"]\ntargets = ["0"]\n')
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "tool.sdblint.recorder[0].targets" in result.output


SEARCH = """
import requests
from openai import OpenAI
from acme import index

def run(task):
    query = OpenAI().chat.completions.create(model="m", messages=[]).choices[0].message.content
    hits = index.search(query)
    requests.get(hits[0]["url"])
"""


def test_an_in_house_retrieval_from_config_selects_rather_than_passes_model_output(tmp_path):
    write(tmp_path, {"agent.py": SEARCH})
    assert found(check_json(tmp_path)) == {("agent.py", 8, "SDB105")}
    config(tmp_path, '[[tool.sdblint.retrieval]]\nlabel = "search index"\npatterns = ["acme.index.search"]\n')
    assert found(check_json(tmp_path)) == set()


STREAMING_GATEWAY = """
import subprocess
from acme.gateway import LLMGateway

def on_piece(index, piece):
    subprocess.run(piece, shell=True)

def run(task):
    LLMGateway().ask(task, on_text=on_piece)
"""


def test_an_in_house_proposer_from_config_names_its_streaming_callback(tmp_path):
    write(tmp_path, {"agent.py": STREAMING_GATEWAY})
    config(tmp_path, '[[tool.sdblint.proposer]]\nlabel = "gateway"\npatterns = ["**.LLMGateway().ask"]\n')
    assert found(check_json(tmp_path)) == set()
    config(tmp_path, '[[tool.sdblint.proposer]]\nlabel = "gateway"\npatterns = ["**.LLMGateway().ask"]\n'
                     'callbacks = [{ args = ["on_text"], params = ["1"] }]\n')
    assert found(check_json(tmp_path)) == {("agent.py", 5, "SDB102")}


def test_a_streaming_callback_without_params_names_the_key(tmp_path):
    config(tmp_path, '[[tool.sdblint.proposer]]\npatterns = ["**.LLMGateway().ask"]\ncallbacks = [{ args = ["on_text"] }]\n')
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2 and "tool.sdblint.proposer[0].callbacks[0].params" in result.output
