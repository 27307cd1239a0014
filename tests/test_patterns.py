"""Runtime pattern inference: signals from rules/patterns.toml, attached to findings."""
import pytest
from helpers import check_json, write

HEADER = """
import asyncio
import subprocess
import click
from celery import shared_task
from langgraph.graph import StateGraph
from agents import Agent
from openai import OpenAI

client = OpenAI()

def ask(q):
    return client.chat.completions.create(model="m", messages=[{"role": "user", "content": q}]).choices[0].message.content
"""

CASES = {
    "scatter-gather-saga": """
async def fan_out(qs):
    cmds = await asyncio.gather(*[asyncio.to_thread(ask, q) for q in qs])
    subprocess.run(cmds[0], shell=True)
""",
    "shared-state-machine": """
def build(q):
    graph = StateGraph(dict)
    subprocess.run(ask(q), shell=True)
""",
    "event-driven-sequencing": """
@shared_task
def on_ticket(body):
    subprocess.run(ask(body), shell=True)
""",
    "human-in-the-loop": """
def fix(q):
    cmd = ask(q)
    click.echo(cmd)
    approved = click.confirm("Run it?")
    subprocess.run(cmd, shell=True)
""",
    "hierarchical-delegation": """
def route(q):
    triage = Agent(name="triage", handoffs=[])
    subprocess.run(ask(q), shell=True)
""",
    "supervisor-gate": """
def loop(q):
    for _ in range(5):
        cmd = ask(q)
        subprocess.run(cmd, shell=True)
""",
    "direct": """
def once(q):
    subprocess.run(ask(q), shell=True)
""",
}


@pytest.mark.parametrize("pattern", sorted(CASES))
def test_pattern_is_inferred_and_attached_to_the_finding(tmp_path, pattern):
    write(tmp_path, {"agent.py": HEADER + CASES[pattern]})
    report = check_json(tmp_path)
    (finding,) = report["findings"]
    assert finding["pattern"]["id"] == pattern
    assert finding["pattern"]["weakness"]
    if pattern == "direct":
        assert report["patterns"] == []
    else:
        (hit,) = [h for h in report["patterns"] if h["id"] == pattern]
        assert hit["scope"].startswith("agent.py::") and 0 < hit["confidence"] <= 1
        assert hit["evidence"] and hit["weaknesses"]
