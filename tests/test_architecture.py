"""The layout rules of the package: no import cycles, small modules, registries that drive the CLI."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import sdblint
from sdblint.cli.check import check
from sdblint.report import FORMATS

PACKAGE = Path(sdblint.__file__).resolve().parent
MAX_MODULE_LINES = 400


def module_name(path: Path) -> str:
    parts = ["sdblint", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph.add_node(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                targets = [target] + [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules]
                graph.add_edges_from((name, t) for t in targets if t in modules and t != name)
    return graph


def test_the_package_has_no_import_cycles():
    assert list(nx.simple_cycles(import_graph())) == []


def test_no_module_is_over_the_size_limit():
    sizes = {module_name(p): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    assert {m: n for m, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_output_format_choices_come_from_the_report_registry():
    option = next(p for p in check.params if p.name == "output_format")
    assert sorted(option.type.choices) == sorted(FORMATS)
