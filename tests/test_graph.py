"""Project resolution and the flow graph, built from facts of small projects."""
import textwrap

from sdblint.catalog import builtin_catalog
from sdblint.extract import extract
from sdblint.failures import Failures
from sdblint.flow.graph import FlowGraph
from sdblint.flow.propagate import propagate
from sdblint.flow.types import EdgeKind
from sdblint.project import Project


def build(files: dict[str, str]) -> FlowGraph:
    modules = [extract(path, textwrap.dedent(src)) for path, src in sorted(files.items())]
    catalog = builtin_catalog()
    return FlowGraph.of(Project(modules, catalog), catalog, Failures())


def source_labels(fg):
    return sorted((s.path, s.line, s.label) for s in fg.sources.values())


def test_clients_resolve_by_constructor_not_by_method_name():
    fg = build({"a.py": """
        import anthropic
        from twilio.rest import Client

        llm = anthropic.Anthropic()
        sms = Client("sid", "token")
        reply = llm.messages.create(model="m", max_tokens=10, messages=[])
        sent = sms.messages.create(body="hi", to="+1", from_="+2")
    """})
    assert source_labels(fg) == [("a.py", 7, "anthropic")]
    sink = next(s for s in fg.sinks if s.call.loc.line == 8)
    assert sink.category == "message" and sink.callee == "twilio.rest.Client().messages.create"


def test_cross_module_wrapper_and_client_helper_are_resolved():
    fg = build({
        "agent/__init__.py": "",
        "agent/clients.py": "from openai import OpenAI as OAI\n\ndef make():\n    return OAI()\n",
        "agent/llm.py": "from .clients import make\n\ndef ask(q):\n    return make().chat.completions.create(model='m', messages=[]).choices[0].message.content\n",
        "agent/tools.py": "import os\nfrom agent.llm import ask\n\ndef go():\n    os.system(ask('x'))\n",
    })
    assert source_labels(fg) == [("agent/llm.py", 4, "openai")]
    per_node = propagate(fg).per_node
    site = next(s for s in fg.sinks if s.call.callee_text == "os.system")
    assert per_node.get(site.node)


def test_abstract_method_resolves_to_subclass_implementation():
    fg = build({"v.py": """
        from openai import OpenAI

        class Base:
            def submit_prompt(self, prompt):
                raise NotImplementedError

            def run_sql(self, question, cursor):
                sql = self.submit_prompt(question)
                cursor.execute(sql)

        class OpenAIBackend(Base):
            def submit_prompt(self, prompt):
                return OpenAI().chat.completions.create(model="m", messages=[]).choices[0].message.content
    """})
    call = next(c for c in fg.project.calls.values() if c.callee_text == "self.submit_prompt")
    assert fg.resolutions[call.id].functions == ("v::Base.submit_prompt", "v::OpenAIBackend.submit_prompt")


def test_summary_edges_keep_call_sites_apart():
    fg = build({"h.py": """
        import os
        from openai import OpenAI

        def clean(s):
            return s.strip()

        def a():
            os.system(clean(OpenAI().completions.create(model="m", prompt="p").choices[0].text))

        def b():
            os.system(clean("ls"))
    """})
    per_node = propagate(fg).per_node
    reached = {s.call.loc.line for s in fg.sinks if per_node.get(s.node)}
    assert reached == {9}
    assert any(d["edge"].kind is EdgeKind.SUMMARY for _, _, d in fg.graph.edges(data=True))


def test_schema_validation_adds_a_tag_and_literal_fields_are_allow_lists():
    fg = build({"m.py": """
        import subprocess
        from typing import Literal
        from pydantic import BaseModel
        from openai import OpenAI

        class Plan(BaseModel):
            action: Literal["restart", "status"]
            note: str

        def go():
            raw = OpenAI().chat.completions.create(model="m", messages=[]).choices[0].message.content
            plan = Plan.model_validate_json(raw)
            subprocess.run(["svc", plan.action])
            subprocess.run(["svc", plan.note])
    """})
    per_node = propagate(fg).per_node
    tags = {}
    for site in fg.sinks:
        for state in per_node.get(site.node, []):
            tags.setdefault(site.call.loc.line, set()).update(t.kind.value for t in state.tags)
    assert tags[14] == {"schema", "allowlist"}
    assert tags[15] == {"schema"}
