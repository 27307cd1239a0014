"""Fuzz cases (a small project: relative path -> source, plus which settings to run it with),
the hypothesis strategies that make them, and the oracle that says whether sdblint misbehaved.

A case fails when ``run_sources`` raises, reports an SDB999 internal error, reports an
"internal error while extracting facts" for a file (a bug contained as an unanalysable file),
or loses a file (neither analysed nor reported).
"""
from __future__ import annotations

import ast
import functools
import os
import re
import tempfile
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import assume, note
from hypothesis import strategies as st

from sdblint.checks import INTERNAL_ERROR
from sdblint.config.settings import Settings, load_settings
from sdblint.pipeline import Options, run_sources

from .mutations import BREAKERS, MUTATIONS, normalise, parses

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EXTRACT_INTERNAL = "internal error while extracting facts"
OPTIONS = Options(jobs=1)
# What the CI test fails on (every kind of problem).
FAILING = {"sdb999", "exception", "extract-internal", "lost-file", "timeout", "crash"}


@dataclass(frozen=True)
class Case:
    label: str                         # how it was made: "grammar", "node/two-file", "mutate:swap,wrap", ...
    sources: dict[str, str]
    group: str | None = None           # a fixture group whose settings apply; None: the defaults
    origin: str = ""                   # the fixture a mutated case started from


@dataclass(frozen=True)
class Problem:
    kind: str                          # "sdb999" | "exception" | "extract-internal" | "lost-file" | "timeout"
    detail: str
    path: str = ""
    traceback: str = field(default="", compare=False)


# ---------------------------------------------------------------- settings
@functools.cache
def settings_for(group: str | None) -> Settings:
    if group is None:
        return Settings(root=Path(tempfile.gettempdir()).resolve() / "sdblint-fuzz")
    return load_settings(None, FIXTURES / group)


# ---------------------------------------------------------------- the oracle
def check(case: Case, options: Options = OPTIONS) -> list[Problem]:
    """Every way this run of sdblint went wrong (empty: it behaved)."""
    return run_and_check(case, options)[0]


def run_and_check(case: Case, options: Options = OPTIONS):
    """The problems of a run, and its :class:`~sdblint.pipeline.Result` (None if it raised)."""
    try:
        result = run_sources(case.sources, settings_for(case.group), options)
    except Exception as exc:   # the contract under test: nothing escapes run_sources  # noqa: BLE001
        return [Problem("exception", f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())], None
    problems = [Problem("sdb999", f"{f.path}:{f.line}: {f.message}", f.path)
                for f in result.findings if f.code == INTERNAL_ERROR]
    # An extraction bug is contained as an unanalysable file; it is still a bug, also where the file
    # is not valid Python (the reason given should be Python's).
    problems += [Problem("extract-internal", f"{e.path}: {e.message}", e.path)
                 for e in result.errors if EXTRACT_INTERNAL in e.message]
    seen = {m.path for m in result.modules} | {e.path for e in result.errors}
    problems += [Problem("lost-file", f"{rel}: neither analysed nor reported", rel)
                 for rel in case.sources if rel not in seen]
    return problems, result


def diagnose(case: Case, problem: Problem) -> str:
    """A traceback for the problem: the run again with SDBLINT_DEBUG set (contained failures
    are raised), or, for an extraction failure, the file's extraction without its safety net."""
    if problem.traceback:
        return problem.traceback
    if problem.kind.startswith("extract-internal"):
        import importlib
        budget = importlib.import_module("sdblint.extract.budget")
        parse = importlib.import_module("sdblint.extract.parse")   # the package re-exports a function of that name
        from sdblint.extract.walker import Walker
        source = case.sources[problem.path]
        module, is_package = parse.module_name(problem.path)
        try:
            tree = parse.parse(source, parse.check_syntax(source))
            Walker(problem.path, module, source, is_package, budget.Deadline(None)).run(tree)
        except Exception:  # noqa: BLE001
            return traceback.format_exc()
        return "(the extraction did not fail again outside the pipeline)"
    previous = os.environ.get("SDBLINT_DEBUG")
    os.environ["SDBLINT_DEBUG"] = "1"
    try:
        run_sources(case.sources, settings_for(case.group), OPTIONS)
    except Exception:  # noqa: BLE001
        return traceback.format_exc()
    finally:
        if previous is None:
            del os.environ["SDBLINT_DEBUG"]
        else:
            os.environ["SDBLINT_DEBUG"] = previous
    return "(no exception when run again with SDBLINT_DEBUG=1)"


FRAME = re.compile(r'File "([^"]*)", line (\d+), in (\S+)')
EXC_LINE = re.compile(r"^(\w+(?:\.\w+)*(?:Error|Exception|Exit|Warning|Interrupt|Iteration)\w*)\b", re.MULTILINE)


def signature(problem: Problem, trace: str) -> str:
    """What makes two failures the same bug: the kind, the exception type, and the innermost
    sdblint frame that raised it (the message alone would split one bug by identifier)."""
    frames = [(Path(f).as_posix(), line, fn) for f, line, fn in FRAME.findall(trace)]
    ours = [fr for fr in frames if "/sdblint/" in fr[0] and "/tests/" not in fr[0]]
    where = ""
    if ours:
        path, line, fn = ours[-1]
        where = f"{path.rsplit('/sdblint/', 1)[-1]}:{line}:{fn}"
    exc = EXC_LINE.findall(trace)
    kind_of = exc[-1] if exc else re.sub(r":.*", "", problem.detail.split("(")[-1])[:40]
    return f"{problem.kind}|{kind_of}|{where}"


# ---------------------------------------------------------------- strategies
@functools.cache
def _generators():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import hypothesmith
        return {"grammar": hypothesmith.from_grammar(), "node": hypothesmith.from_node()}


def generated(kind: str) -> st.SearchStrategy[str]:
    return _generators()[kind]


def top_level_names(source: str) -> tuple[list[str], list[str], list[str]]:
    """Functions, classes and plain variables a module defines at its top level."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], [], []
    functions, classes, variables = [], [], []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append(node.name)
        elif isinstance(node, ast.ClassDef):
            classes.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            variables += [t.id for t in targets if isinstance(t, ast.Name)]
    return functions, classes, variables


def importer(module: str, source: str) -> str:
    """A small agent that imports ``module`` and sends model output through what it defines."""
    functions, classes, variables = top_level_names(source)
    calls = [f"    r{i} = {module.rsplit('.', 1)[-1]}.{name}(out)" for i, name in enumerate(functions[:6])]
    calls += [f"    o{i} = {name}(out)\n    subprocess.run(o{i}.run(out), shell=True)" for i, name in enumerate(classes[:3])]
    calls += [f"    eval({name})" for name in variables[:3]]
    calls += [f"    subprocess.run(r{i}, shell=True)" for i in range(min(len(functions), 6))]
    package, _, leaf = module.rpartition(".")
    return (f"import subprocess\nfrom openai import OpenAI\nfrom {package} import {leaf}\nfrom {module} import *\n\n"
            "client = OpenAI()\n\n\ndef drive(prompt):\n"
            "    out = client.chat.completions.create(model='m', messages=[{'role': 'user', 'content': prompt}])"
            ".choices[0].message.content\n" + "\n".join(calls) + "\n    return out\n")


def project_of(kind: str, code: str, two_files: bool) -> Case:
    if not two_files:
        return Case(kind, {"gen.py": code})
    return Case(f"{kind}/two-file", {"pkg/__init__.py": "", "pkg/gen.py": code,
                                      "pkg/user.py": importer("pkg.gen", code)})


@st.composite
def generated_project(draw, kind: str, two_files: bool | None = None) -> Case:
    """A module from hypothesmith, alone or imported by a second module."""
    code = draw(generated(kind))
    note(f"generated module:\n{code}")
    return project_of(kind, code, draw(st.booleans()) if two_files is None else two_files)


@functools.cache
def fixture_snapshot() -> dict[Path, str]:
    """The fixture files as they are when first asked for, read once per process: they are
    read at test time (others edit them), but must not change under hypothesis mid-test."""
    snapshot = {}
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            snapshot[path] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return snapshot


def fixture_files() -> list[Path]:
    return list(fixture_snapshot())


def _fixture_case(path: Path, source: str, label: str, with_siblings: bool) -> Case:
    group = path.relative_to(FIXTURES).parts[0]
    rel = path.relative_to(FIXTURES / group).as_posix()
    sources = {rel: source}
    if with_siblings:
        siblings = [p for p in fixture_snapshot() if p.parent == path.parent and p != path]
        for sibling in siblings[:7]:
            sources[sibling.relative_to(FIXTURES / group).as_posix()] = fixture_snapshot()[sibling]
    return Case(label, sources, group, origin=path.relative_to(FIXTURES).as_posix())


def _picker(draw):
    return lambda n: draw(st.integers(0, n - 1)) if n > 1 else 0


@st.composite
def mutated_fixture(draw, max_mutations: int = 4) -> Case:
    """A fixture file under 1 to ``max_mutations`` structural mutations, each still parseable."""
    path = draw(st.sampled_from(fixture_files()))
    source = normalise(fixture_snapshot()[path])
    assume(parses(source))
    pick, applied = _picker(draw), []
    for _ in range(draw(st.integers(1, max_mutations))):
        name = draw(st.sampled_from(sorted(MUTATIONS)))
        changed = MUTATIONS[name](source, pick)
        if changed is None:
            continue
        assume(parses(changed))
        source, applied = changed, applied + [name]
    assume(applied)
    note(f"{path.relative_to(FIXTURES)} after {applied}:\n{source}")
    return _fixture_case(path, source, "mutate:" + ",".join(applied), draw(st.booleans()))


@st.composite
def broken_fixture(draw) -> Case:
    """A fixture file with 1 to 3 token-level edits (lines deleted, truncation, stray characters)."""
    path = draw(st.sampled_from(fixture_files()))
    source = fixture_snapshot()[path]
    pick, applied = _picker(draw), []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(BREAKERS)))
        source, applied = BREAKERS[name](source, pick), applied + [name]
    note(f"{path.relative_to(FIXTURES)} after {applied}:\n{source}")
    return _fixture_case(path, source, "break:" + ",".join(applied), False)


def any_case(kind: str) -> st.SearchStrategy[Case]:
    if kind in ("grammar", "node"):
        return generated_project(kind)
    if kind == "mutate":
        return mutated_fixture()
    if kind == "break":
        return broken_fixture()
    raise ValueError(f"unknown generator {kind!r}")
