"""Behaviour the snapshots cannot show: the cache, fingerprints, determinism, limits, containment."""
from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

from fixture_support import FIXTURES
from helpers import OPENAI_SHELL, as_json, check_json, write

from sdblint import limits
from sdblint.config.settings import load_settings
from sdblint.extract import runner
from sdblint.extract.cache import FactsCache, content_digest, extractor_digest
from sdblint.flow.edges import Edges
from sdblint.pipeline import Options, run, run_sources
from sdblint.run_cache import RESULTS_FOLDER


def json_of(path: Path, **options) -> str:
    return as_json(run([path], load_settings(None, path), Options(**options)))


# ---------------------------------------------------------------- cache
def test_a_warm_cache_serves_every_file_and_gives_the_same_bytes(tmp_path):
    cache = tmp_path / "cache"
    cold = run([FIXTURES], load_settings(None, FIXTURES), Options(cache_dir=cache))
    warm = run([FIXTURES], load_settings(None, FIXTURES), Options(cache_dir=cache))
    assert cold.stats.cached == 0 and cold.stats.extracted == cold.files
    assert warm.stats.cached == warm.files and warm.stats.extracted == 0
    assert as_json(warm) == as_json(cold) == json_of(FIXTURES)


def test_every_way_of_running_gives_the_same_bytes(tmp_path):
    """Uncached, cold cache, warm facts only, reused results, serial and parallel extraction."""
    settings = load_settings(None, FIXTURES)
    serial = as_json(run([FIXTURES], settings, Options(jobs=1)))
    parallel = run([FIXTURES], settings, Options(jobs=2, cache_dir=tmp_path / "c"))
    assert parallel.stats.extracted == parallel.files > runner.PARALLEL_THRESHOLD   # worker processes ran
    reused = run([FIXTURES], settings, Options(jobs=2, cache_dir=tmp_path / "c"))
    assert reused.stats.reused
    shutil.rmtree(tmp_path / "c" / RESULTS_FOLDER)
    facts_only = run([FIXTURES], settings, Options(jobs=1, cache_dir=tmp_path / "c"))
    assert not facts_only.stats.reused and facts_only.stats.cached == facts_only.files
    assert {as_json(r) for r in (parallel, reused, facts_only)} == {serial}


def test_reused_results_follow_every_input_of_the_run(tmp_path):
    project = write(tmp_path / "p", {"a.py": OPENAI_SHELL})
    cache = tmp_path / "cache"
    settings = load_settings(None, project)
    assert not run([project], settings, Options(cache_dir=cache)).stats.reused
    assert run([project], settings, Options(cache_dir=cache)).stats.reused
    assert not run([project], settings, Options(cache_dir=cache, ignore=("SDB102",))).stats.reused   # the selection
    (project / "b.py").write_text("x = 1\n")                                                           # a new file
    again = run([project], settings, Options(cache_dir=cache))
    assert not again.stats.reused and again.stats.cached == 1
    write(project, {"pyproject.toml": "[tool.sdblint]\nignore = [\"SDB102\"]\n"})                     # the config
    assert not run([project], load_settings(None, project), Options(cache_dir=cache)).findings


def test_an_edit_that_keeps_the_facts_reuses_the_results_after_extracting_only_that_file(tmp_path):
    project = write(tmp_path / "p", {"a.py": OPENAI_SHELL, "b.py": "x = 1\n"})
    cache, settings = tmp_path / "cache", load_settings(None, project)
    run([project], settings, Options(cache_dir=cache))
    a = project / "a.py"
    a.write_text(a.read_text() + "# a comment at the end moves no line\n")
    cut = run([project], settings, Options(cache_dir=cache))
    assert cut.stats.reused == "the changed files' facts are as they were"
    assert (cut.stats.extracted, cut.stats.cached) == (1, 1)
    assert as_json(cut) == json_of(project)
    assert run([project], settings, Options(cache_dir=cache)).stats.reused.startswith("no file")   # stored anew

    a.write_text(a.read_text().replace("subprocess.run(cmd, shell=True)", "print(cmd)"))   # the facts change
    edited = run([project], settings, Options(cache_dir=cache))
    assert not edited.stats.reused and not edited.findings and (edited.stats.extracted, edited.stats.cached) == (1, 1)
    a.write_text("\n" + a.read_text())   # every line moves down one: so does each fact's location
    assert not run([project], settings, Options(cache_dir=cache)).stats.reused


def test_a_changed_file_that_runs_out_of_time_is_never_taken_for_unchanged_facts(tmp_path):
    project = write(tmp_path / "p", {"a.py": OPENAI_SHELL})
    cache, settings = tmp_path / "cache", load_settings(None, project)
    run([project], settings, Options(cache_dir=cache))
    a = project / "a.py"
    a.write_text(a.read_text() + "# a comment\n")
    late = run([project], settings, Options(cache_dir=cache, file_timeout=1e-9))
    assert not late.stats.reused and late.errors[0].transient and not late.findings
    assert run([project], settings, Options(cache_dir=cache)).stats.reused == "the changed files' facts are as they were"


def test_cache_entries_are_keyed_by_content_path_and_extractor(tmp_path):
    cache = FactsCache(tmp_path, digest="one")
    one, two = content_digest(b"x = 1"), content_digest(b"x = 2")
    keys = {cache.entry("a.py", one), cache.entry("a.py", two), cache.entry("b.py", one),
            FactsCache(tmp_path, digest="two").entry("a.py", one)}
    assert len(keys) == 4


def test_the_extractor_digest_covers_every_module_of_the_extraction_package(tmp_path):
    package = Path(extractor_digest.__code__.co_filename).parent
    copy = tmp_path / "extract"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = extractor_digest(copy)
    for module in sorted(copy.glob("*.py")):
        module.write_text(module.read_text() + "\n# changed\n")
        assert extractor_digest(copy) != before, module.name
        before = extractor_digest(copy)


def test_a_changed_file_is_extracted_again(tmp_path):
    project = write(tmp_path / "p", {"a.py": OPENAI_SHELL, "b.py": "x = 1\n"})
    cache = tmp_path / "cache"
    run([project], load_settings(None, project), Options(cache_dir=cache))
    (project / "b.py").write_text(OPENAI_SHELL)
    again = run([project], load_settings(None, project), Options(cache_dir=cache))
    assert (again.stats.cached, again.stats.extracted) == (1, 1)
    assert {f.path for f in again.findings} == {"a.py", "b.py"}


# ---------------------------------------------------------------- determinism
def test_serial_and_parallel_extraction_give_the_same_bytes():
    assert sum(1 for _ in FIXTURES.rglob("*.py")) > 64   # enough files for worker processes
    assert json_of(FIXTURES, jobs=1) == json_of(FIXTURES, jobs=2)


def test_in_memory_sources_give_what_the_same_files_give(tmp_path):
    project = write(tmp_path, {"agent/__init__.py": "", "agent/llm.py": OPENAI_SHELL})
    from_disk = run([project], load_settings(None, project))
    files = {p.relative_to(project).as_posix(): p.read_text() for p in project.rglob("*.py")}
    in_memory = run_sources(files, load_settings(None, project))
    assert as_json(in_memory) == as_json(from_disk)


# ---------------------------------------------------------------- fingerprints
TWO_SINKS = OPENAI_SHELL + "    subprocess.run(cmd, shell=True)\n"


def fingerprints(report: dict) -> list[str]:
    return [f["fingerprint"] for f in report["findings"]]


def test_identical_sink_calls_in_one_function_have_different_fingerprints(tmp_path):
    report = check_json(write(tmp_path, {"a.py": TWO_SINKS}))
    assert len(report["findings"]) == 2 and len(set(fingerprints(report))) == 2


def test_fingerprints_survive_unrelated_line_shifts(tmp_path):
    before = check_json(write(tmp_path / "one", {"a.py": TWO_SINKS}))
    after = check_json(write(tmp_path / "two", {"a.py": "# a comment\n# another\n" + TWO_SINKS.lstrip()}))
    assert [f["line"] for f in after["findings"]] == [f["line"] + 2 for f in before["findings"]]
    assert fingerprints(after) == fingerprints(before)


def test_fingerprints_do_not_depend_on_the_invocation_path(tmp_path):
    # The config inside the package makes it the root when checked from there (else the folder above it is).
    write(tmp_path, {"src/pkg/__init__.py": "", "src/pkg/agent.py": TWO_SINKS, "src/pkg/pyproject.toml": "[tool.sdblint]\n"})
    from_src = check_json(tmp_path / "src")
    from_pkg = check_json(tmp_path / "src" / "pkg")
    assert [f["path"] for f in from_src["findings"]] == ["pkg/agent.py"] * 2
    assert [f["path"] for f in from_pkg["findings"]] == ["agent.py"] * 2
    assert fingerprints(from_src) == fingerprints(from_pkg)


# ---------------------------------------------------------------- limits
def wrappers(depth: int) -> str:
    """Model output through ``depth`` nested pass-through functions, then to a shell. The outer
    wrappers come first, so each round of summaries can only see one more level."""
    chain = "".join(f"def w{i}(x):\n    return w{i - 1}(x)\n\n" for i in range(depth, 0, -1))
    return textwrap.dedent("""
        import subprocess
        from openai import OpenAI

        def w0(x):
            return x

        """) + chain + textwrap.dedent(f"""
        def run():
            out = OpenAI().chat.completions.create(model="m", messages=[]).choices[0].message.content
            subprocess.run(w{depth}(out), shell=True)
        """)


def test_results_flow_out_through_four_nested_wrappers(tmp_path):
    report = check_json(write(tmp_path, {"a.py": wrappers(4)}))
    assert [f["code"] for f in report["findings"]] == ["SDB102"]
    assert report["summary"]["limits_hit"] == {}


def test_hitting_the_summary_rounds_is_counted(tmp_path):
    report = check_json(write(tmp_path, {"a.py": wrappers(12)}))
    assert report["findings"] == []
    assert report["summary"]["limits_hit"]["SUMMARY_ROUNDS"] == 1


STATES = """
import subprocess
from openai import OpenAI

def run(a, b, c):
    out = OpenAI().chat.completions.create(model="m", messages=[]).choices[0].message.content
    first, second, third = out, out, out
    if first > 10:
        return
    if not isinstance(second, str):
        return
    if third != "ls":
        raise ValueError(third)
    later = out
    later = later.strip()
    later = later.lower()
    cmd = first if a else second if b else third if c else later
    subprocess.run(cmd, shell=True)
"""


def test_a_node_keeps_several_verification_states_and_the_unverified_one_decides(tmp_path):
    """Three checked copies of the output reach `cmd` before the unchecked one, which takes three
    more steps: with fewer than four states per node it would be lost and the status wrong."""
    finding, = check_json(write(tmp_path, {"a.py": STATES}))["findings"]
    assert finding["verifier"]["status"] == "missing"   # `out` itself reaches the shell unchecked


def test_hitting_the_states_per_node_is_counted(tmp_path):
    branches = limits.MAX_STATES_PER_NODE + 2
    names = [f"v{i}" for i in range(branches)]
    body = "".join(f"    if {n} > {i}:\n        return\n" for i, n in enumerate(names))
    source = textwrap.dedent("""
        import subprocess
        from openai import OpenAI

        def run(pick):
            out = OpenAI().chat.completions.create(model="m", messages=[]).choices[0].message.content
        """) + "".join(f"    {n} = out\n" for n in names) + body + f"    subprocess.run([{', '.join(names)}][pick])\n"
    report = check_json(write(tmp_path, {"a.py": source}))
    assert report["summary"]["limits_hit"]["MAX_STATES_PER_NODE"] >= 1


def test_hitting_the_paths_per_value_is_counted(tmp_path):
    factories = "".join(f"class C{i}:\n    def go(self, x):\n        pass\n\n" for i in range(limits.MAX_PATHS + 2))
    pick = " if n else ".join(f"C{i}()" for i in range(limits.MAX_PATHS + 2))
    source = factories + f"def run(n, text):\n    obj = {pick}\n    obj.go(text)\n"
    report = check_json(write(tmp_path, {"a.py": source}))
    assert report["summary"]["limits_hit"]["MAX_PATHS"] >= 1


# ---------------------------------------------------------------- containment
def test_a_failing_unit_is_reported_as_sdb999_and_every_other_finding_kept(tmp_path, monkeypatch):
    project = write(tmp_path, {"good.py": OPENAI_SHELL, "bad.py": OPENAI_SHELL})
    original = Edges.call_edges

    def failing(self, call, res):
        if self.project.call_module[call.id].path == "bad.py" and call.method == "run":
            raise RuntimeError("deliberate")
        return original(self, call, res)

    monkeypatch.setattr(Edges, "call_edges", failing)
    report = check_json(project)
    assert [(f["path"], f["line"], f["code"]) for f in report["findings"]] == [
        ("bad.py", 8, "SDB999"), ("good.py", 8, "SDB102")]
    internal = report["findings"][0]
    assert "stage build" in internal["message"] and "RuntimeError: deliberate" in internal["message"]
    assert internal["severity"] == "error"


def test_a_failing_check_costs_its_findings_only(tmp_path, monkeypatch):
    from sdblint.checks import sdb1_unverified_action as sdb1

    project = write(tmp_path, {"a.py": OPENAI_SHELL, "b.py": OPENAI_SHELL.replace("run(task)", "go(task)")})
    original = sdb1.make_finding

    def failing(fg, site, *args):
        if fg.project.call_module[site.call.id].path == "a.py":
            raise KeyError("deliberate")
        return original(fg, site, *args)

    monkeypatch.setattr(sdb1, "make_finding", failing)
    report = check_json(project)
    assert [(f["path"], f["code"]) for f in report["findings"]] == [("a.py", "SDB999"), ("b.py", "SDB102")]
    assert "stage check SDB102" in report["findings"][0]["message"]


def test_internal_errors_can_be_deselected_like_any_rule(tmp_path, monkeypatch):
    monkeypatch.setattr(Edges, "call_edges", lambda self, call, res: 1 / 0)
    report = check_json(write(tmp_path, {"a.py": OPENAI_SHELL}), "--ignore", "SDB999")
    assert report["findings"] == []
    assert json.dumps(report)  # still a complete report


def reexports(hops: int) -> dict[str, str]:
    """A client factory re-exported through ``hops`` modules, then used to ask a model for a command."""
    files = {"pkg/__init__.py": "", "pkg/m0.py": "from openai import OpenAI\n\ndef make():\n    return OpenAI()\n"}
    files.update({f"pkg/m{i}.py": f"from .m{i - 1} import make\n" for i in range(1, hops + 1)})
    files["pkg/agent.py"] = (f"import subprocess\nfrom .m{hops} import make\n\ndef run():\n"
                             "    cmd = make().chat.completions.create(model='m', messages=[]).choices[0].message.content\n"
                             "    subprocess.run(cmd, shell=True)\n")
    return files


def test_names_resolve_through_a_chain_of_re_exports(tmp_path):
    report = check_json(write(tmp_path, reexports(5)))
    assert [f["code"] for f in report["findings"]] == ["SDB102"]


def test_hitting_the_import_hops_is_counted(tmp_path):
    report = check_json(write(tmp_path, reexports(limits.MAX_IMPORT_HOPS + 3)))
    assert report["summary"]["limits_hit"]["MAX_IMPORT_HOPS"] >= 1


def nested_config(levels: int) -> str:
    """A client held ``levels`` data attributes deep in project objects (`Settings().a.b.client`)."""
    classes = "class Holder0:\n    client = OpenAI()\n\n" + "".join(
        f"class Holder{i}:\n    inner = Holder{i - 1}()\n\n" for i in range(1, levels + 1))
    chain = "".join(".inner" for _ in range(levels))
    return ("import subprocess\nfrom openai import OpenAI\n\n" + classes +
            f"def run():\n    cmd = Holder{levels}(){chain}.client.chat.completions.create(model='m', messages=[])"
            ".choices[0].message.content\n    subprocess.run(cmd, shell=True)\n")


def test_clients_are_found_through_nested_data_attributes(tmp_path):
    report = check_json(write(tmp_path, {"a.py": nested_config(2)}))
    assert [f["code"] for f in report["findings"]] == ["SDB102"]


def test_hitting_the_attribute_expansion_depth_is_counted(tmp_path):
    report = check_json(write(tmp_path, {"a.py": nested_config(limits.MAX_EXPAND_DEPTH + 3)}))
    assert report["summary"]["limits_hit"]["MAX_EXPAND_DEPTH"] >= 1


def holder_lattice(alternatives: int, levels: int) -> str:
    """``levels`` of holder classes, ``alternatives`` per level, each holding any one of the level
    below in `inner`: the chain `.inner.inner...` reaches one object in alternatives ** levels ways."""
    lines = ["import subprocess", "from openai import OpenAI", ""]
    lines += [line for j in range(alternatives) for line in (f"class Holder0x{j}:", "    client = OpenAI()", "")]
    for i in range(1, levels + 1):
        pick = " if flag else ".join(f"Holder{i - 1}x{j}()" for j in range(alternatives))
        lines += [line for j in range(alternatives) for line in
                  (f"class Holder{i}x{j}:", "    def __init__(self, flag):", f"        self.inner = {pick}", "")]
    chain = ".inner" * levels
    return "\n".join(lines + [
        "def run(flag):",
        f"    cmd = Holder{levels}x0(flag){chain}.client.chat.completions.create(model='m', messages=[])"
        ".choices[0].message.content",
        "    subprocess.run(cmd, shell=True)", ""])


def test_an_attribute_chain_cut_by_the_expansion_depth_is_counted_once_however_many_ways_reach_it(tmp_path):
    """The count grows with the holders, not with the ways through them (the work neither: each
    chain is expanded once per depth, which on a large code base is the difference between
    seconds and hours)."""
    levels = limits.MAX_EXPAND_DEPTH + 3
    one = check_json(write(tmp_path / "one", {"a.py": holder_lattice(1, levels)}))["summary"]["limits_hit"]
    three = check_json(write(tmp_path / "three", {"a.py": holder_lattice(3, levels)}))["summary"]["limits_hit"]
    assert one["MAX_EXPAND_DEPTH"] >= 1
    assert three["MAX_EXPAND_DEPTH"] == 3 * one["MAX_EXPAND_DEPTH"]


def approval(chained: int) -> str:
    """A human approval read through ``chained`` string methods before its answer is checked."""
    methods = ".strip()" * chained
    return textwrap.dedent(f"""
        import subprocess
        from openai import OpenAI

        def run():
            cmd = OpenAI().chat.completions.create(model="m", messages=[]).choices[0].message.content
            if input(f"run {{cmd}}? "){methods} != "y":
                return
            subprocess.run(cmd, shell=True)
        """)


def test_an_approval_read_through_string_methods_guards_the_action(tmp_path):
    assert check_json(write(tmp_path, {"a.py": approval(2)}))["findings"] == []


def test_hitting_the_checking_call_depth_is_counted(tmp_path):
    report = check_json(write(tmp_path, {"a.py": approval(limits.MAX_CHECKING_CALL_DEPTH + 3)}))
    assert report["summary"]["limits_hit"]["MAX_CHECKING_CALL_DEPTH"] >= 1


def test_a_failure_while_propagating_costs_the_flows_through_that_node(tmp_path, monkeypatch):
    from sdblint.flow import propagate as propagation

    project = write(tmp_path, {"good.py": OPENAI_SHELL, "bad.py": OPENAI_SHELL})
    original = propagation.step

    def failing(fg, state, edge, target):
        if target.startswith("n:bad::run::cmd"):
            raise ValueError("deliberate")
        return original(fg, state, edge, target)

    monkeypatch.setattr(propagation, "step", failing)
    report = check_json(project)
    assert [(f["path"], f["code"]) for f in report["findings"]] == [("bad.py", "SDB999"), ("good.py", "SDB102")]
    assert "stage propagate" in report["findings"][0]["message"]


def test_a_class_whose_bases_fail_to_resolve_is_reported_and_the_rest_analysed(tmp_path, monkeypatch):
    from sdblint.project.hierarchy import Hierarchy

    source = OPENAI_SHELL + "\n\nclass Broken(Exception):\n    pass\n"
    project = write(tmp_path, {"a.py": source})
    original = Hierarchy._resolve_bases
    monkeypatch.setattr(Hierarchy, "_resolve_bases",
                        lambda self, key: (_ for _ in ()).throw(KeyError(key)) if key.endswith("Broken") else original(self, key))
    report = check_json(project)
    assert [(f["path"], f["line"], f["code"]) for f in report["findings"]] == [("a.py", 8, "SDB102"), ("a.py", 11, "SDB999")]
    assert "stage index classes" in report["findings"][1]["message"]


def test_the_text_report_says_when_a_limit_was_reached(tmp_path):
    from helpers import invoke

    project = write(tmp_path, {"a.py": wrappers(12)})
    output = invoke("check", str(project)).output
    assert "Analysis limits reached, so some flows may be missing: SUMMARY_ROUNDS 1" in output
    assert "Analysis limits reached" not in invoke("check", str(write(tmp_path / "ok", {"a.py": wrappers(1)}))).output


# ---------------------------------------------------------------- one flow per source
SOURCES = """
import subprocess
from anthropic import Anthropic
from openai import OpenAI


def run(cmd):
    subprocess.run(cmd, shell=True)


def chat():
    run(OpenAI().chat.completions.create(model="m", messages=[]).choices[0].message.content)


def respond(x):
    text = OpenAI().responses.create(model="m", input=x).output_text
    run(text.strip())


def message():
    run(Anthropic().messages.create(model="m", max_tokens=1, messages=[]).content[0].text)
"""


def test_every_source_gets_its_own_flow_the_shortest_first(tmp_path):
    """The three model calls meet at `cmd` with the same (no) checks: propagation keeps the path of
    the first only, so the other two come from the search per sink."""
    finding, = check_json(write(tmp_path, {"a.py": SOURCES}))["findings"]
    starts = [flow[0]["line"] for flow in finding["flows"]]
    assert sorted(starts) == sorted(s["line"] for s in finding["sources"]) == [11, 15, 20]
    assert [len(flow) for flow in finding["flows"]] == sorted(len(flow) for flow in finding["flows"])
    assert finding["flow"] == finding["flows"][0]
    assert all(flow[-1] == {"path": "a.py", "line": 7, "note": "reaches subprocess.run"} for flow in finding["flows"])
    assert [s["line"] for s in finding["flows"][2]] == [15, 16, 6, 7]   # `text.strip()` is one hop more
    assert [flow[0]["line"] for flow in finding["flows"]] == [11, 20, 15]


def test_the_text_report_shows_the_first_flow_and_counts_the_others(tmp_path):
    from helpers import invoke

    output = invoke("check", str(write(tmp_path, {"a.py": SOURCES}))).output
    more = next(line for line in output.splitlines() if "more flows" in line)
    assert re.fullmatch(r"    \+2 more flows \(from \S*a\.py:20, \S*a\.py:15\)", more)


def test_hitting_the_flows_per_finding_is_counted(tmp_path):
    many = limits.MAX_FLOWS_PER_FINDING + 2
    calls = "".join(f"def ask{i}():\n    run(OpenAI().chat.completions.create(model='m{i}', messages=[]).choices[0].message.content)\n\n"
                    for i in range(many))
    source = "import subprocess\nfrom openai import OpenAI\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n\n" + calls
    report = check_json(write(tmp_path, {"a.py": source}))
    finding, = report["findings"]
    assert len(finding["flows"]) == limits.MAX_FLOWS_PER_FINDING and len(finding["sources"]) == many
    assert report["summary"]["limits_hit"]["MAX_FLOWS_PER_FINDING"] == 2


def test_hitting_the_flow_search_bound_keeps_the_flows_propagation_found(tmp_path, monkeypatch):
    from sdblint.findings import per_source
    monkeypatch.setattr(per_source, "MAX_FLOW_SEARCH_NODES", 2)
    report = check_json(write(tmp_path, {"a.py": SOURCES}))
    finding, = report["findings"]
    assert len(finding["flows"]) == 1 and report["summary"]["limits_hit"]["MAX_FLOW_SEARCH_NODES"] == 1
