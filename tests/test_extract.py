"""Extraction: one libcst pass turns a module into plain, picklable facts."""

from sdblint.extract import extract
from sdblint.extract.cache import decoded, encoded
from sdblint.extract.parse import module_name
from sdblint.facts import ModuleFacts, ParseError


def facts(source: str, path: str = "pkg/mod.py") -> ModuleFacts:
    result = extract(path, source)
    assert isinstance(result, ModuleFacts)
    return result


def test_module_names_follow_paths_and_packages():
    assert module_name("agent/tools.py") == ("agent.tools", False)
    assert module_name("agent/__init__.py") == ("agent", True)


def test_imports_resolve_aliases_and_relative_imports():
    f = facts("import openai as oa\nimport google.generativeai as genai\nfrom .llm import ask as a\nfrom ..core import x\n",
              "pkg/sub/mod.py")
    imports = dict(f.imports)
    assert imports["oa"] == "openai"
    assert imports["genai"] == "google.generativeai"
    assert imports["a"] == "pkg.sub.llm.ask"
    assert imports["x"] == "pkg.core.x"


def test_assignment_flows_link_definitions_to_what_they_read():
    f = facts("def f(resp):\n    text = resp.choices[0].message.content\n    cmd = f'ls {text}'\n    return cmd\n")
    defs = {d.name: d for d in f.defs if d.scope.endswith("::f")}
    assert defs["text"].flows[0].src == "n:pkg.mod::f::resp#p"
    assert defs["text"].flows[0].attr == "choices.message.content"   # the attribute chain, subscripts skipped
    assert defs["cmd"].flows[0].src == defs["text"].node
    assert defs["cmd"].flows[0].alias is None          # an f-string is a derived value
    function = next(x for x in f.functions if x.name == "f")
    assert function.returns[0].src == defs["cmd"].node


def test_reassignment_is_flow_sensitive_outside_loops():
    f = facts("def f(a, b):\n    x = a\n    x = b\n    return x\n")
    function = next(x for x in f.functions if x.name == "f")
    sources = {flow.src for flow in function.returns}
    assert sources == {next(d.node for d in f.defs if d.name == "x" and d.flows[0].src.endswith("b#p"))}


def test_loop_carried_values_reach_reads_in_the_next_iteration():
    f = facts("def f(stream):\n    text = ''\n    for chunk in stream:\n        text += chunk\n    return text\n")
    carried = [d for d in f.defs if "#L" in d.node]
    assert carried and any(flow.src.startswith("n:") for d in carried for flow in d.flows)


def test_early_exit_allowlist_guards_later_reads_only():
    source = (
        "def f(cmd):\n"
        "    run(cmd)\n"
        "    if cmd not in ALLOWED:\n"
        "        raise ValueError(cmd)\n"
        "    run(cmd)\n"
    )
    f = facts(source)
    runs = [c for c in f.calls if c.callee_text == "run"]
    before, after = runs[0].args[0].flows[0], runs[1].args[0].flows[0]
    assert not [g for g in before.guards if g.kind == "allowlist"]
    assert [g for g in after.guards if g.kind == "allowlist"]


def test_a_guard_in_one_branch_does_not_dominate_the_join():
    source = (
        "def f(cmd, strict):\n"
        "    if strict:\n"
        "        if cmd not in ALLOWED:\n"
        "            raise ValueError(cmd)\n"
        "    run(cmd)\n"
    )
    call = next(c for c in facts(source).calls if c.callee_text == "run")
    assert not [g for g in call.args[0].flows[0].guards if g.kind == "allowlist"]


def test_suppression_comments_need_a_code():
    f = facts("x = 1  # sdblint: ignore[SDB102] reviewed\ny = 2  # noqa: SDB101, SDB104\nz = 3  # noqa\n")
    assert dict(f.suppressions) == {1: ("SDB102",), 2: ("SDB101", "SDB104")}


def test_facts_round_trip_through_the_cache_format():
    f = facts("import os\nclass A:\n    def g(self, x: int = 1, *a, **k):\n        os.system(x)\n        return {'u': x}\n"
              "def f():\n    return A\ny = [A(), A()]  # noqa: SDB101\n")
    assert decoded(encoded(f)) == f


def test_syntax_errors_are_reported_not_raised():
    result = extract("broken.py", "def f(:\n    pass\n")
    assert isinstance(result, ParseError)
    assert (result.path, result.line, result.column, result.syntax) == ("broken.py", 1, 7, True)
    assert result.message == "syntax error: invalid syntax"


def test_loops_and_exception_handlers_are_recorded():
    source = (
        "def f(client):\n"
        "    while True:\n"
        "        try:\n"
        "            x = client.ask()\n"
        "        except ValueError:\n"
        "            pass\n"
        "        except (KeyError, TypeError) as exc:\n"
        "            raise RuntimeError() from exc\n"
        "    for i in range(3):\n"
        "        continue\n"
    )
    f = facts(source)
    assert [(l.kind, l.line, l.bounded) for l in f.loops] == [("while", 2, False), ("for", 9, True)]
    assert [(h.line, h.exceptions, h.action) for h in f.handlers] == [
        (5, ("ValueError",), "pass"), (7, ("KeyError", "TypeError"), "raise")]
    assert f.handlers[0].try_lines == (3, 4)


def test_self_referencing_stored_condition_terminates():
    f = facts("def f(xs):\n    ok = True\n    for x in xs:\n        ok = ok and x in A\n        if ok:\n            g(x)\n")
    assert any(c.callee_text == "g" for c in f.calls)


def url_texts(source: str) -> dict[int, str]:
    """Line -> the constant text of the first argument of each call named `post` there."""
    return {c.loc.line: c.args[0].text for c in facts(source).calls if c.method == "post" and c.args}


def test_configured_url_text_is_read_from_definitions_anywhere_in_the_module():
    texts = url_texts(
        "import os, requests\n"
        "ROOT = 'https://api.example.com'\n"
        "class Tool:\n"
        "    def __init__(self, root=None):\n"
        "        self.root = (root or os.getenv('ROOT') or ROOT).rstrip('/')\n"
        "        self.settings = Settings.load()\n"
        "    def run(self, q):\n"
        "        requests.post(self._endpoint('v2'), json=q)\n"          # line 8: a method defined below
        "        requests.post(self.settings.url, json=q)\n"              # line 9: a classmethod factory
        "        requests.post(self.settings.other, json=q)\n"            # line 10: a field left unknown
        "        requests.post(self._mirror(), json=q)\n"                 # line 11: rebound by a loop
        "    def _endpoint(self, version):\n"
        "        return f'{self.root}/{version}/search'\n"
        "    def _mirror(self):\n"
        "        url = 'https://a.example.com/search'\n"
        "        for url in os.environ['MIRRORS'].split():\n"
        "            break\n"
        "        return url\n"
        "class Settings:\n"
        "    url: str = 'https://x.example.com/a'\n"
        "    other: str = ''\n"
        "    @classmethod\n"
        "    def load(cls):\n"
        "        return cls(url=os.environ.get('URL', 'https://x.example.com/b'))\n"
    )
    assert texts == {8: "https://api.example.com/v2/search", 9: "https://x.example.com/b", 10: "", 11: ""}


def test_recursive_and_self_referring_definitions_leave_a_url_unknown_without_blowing_up():
    # Each return of `_shape` calls `_shape` again, and `url` is defined from itself: read naively,
    # the definitions branch exponentially (a real toolkit's schema walker hit the per-file budget).
    returns = "\n".join(f"        if k == {i}:\n            return self._shape(k - 1) + '/{i}'" for i in range(8))
    texts = url_texts(
        "import requests\n"
        "class Walker:\n"
        "    def run(self, q):\n"
        "        requests.post(self._shape(3), json=q)\n"
        "    def _shape(self, k):\n"
        f"{returns}\n"
        "        url = 'https://a.example.com/'\n"
        "        url = url + self._shape(k)\n"
        "        return url\n"
    )
    assert texts == {4: ""}
