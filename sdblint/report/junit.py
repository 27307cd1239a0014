"""The junit format: JUnit XML, which CI systems (GitLab, Jenkins, Azure Pipelines, ...) show as test
results. Each file with findings is a ``<testsuite>``, each finding a failing ``<testcase>``.

It follows the common JUnit XML schema as ruff writes it: a file that could not be checked is a
test case with an ``<error>``, and a clean run holds one passing test case, so that CI shows a
green test rather than none. Paths are relative to the project root.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from ..facts import ParseError
from ..findings.model import Finding
from ..pipeline import Result
from .view import ReportView

# Characters XML 1.0 cannot hold even escaped; a note quotes source text, which may contain them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def failure_text(f: Finding) -> str:
    lines = [f"{step.path}:{step.line}: {step.note}" for step in f.flow]
    if f.verifier_status:   # an internal error (SDB999) has no verifier to speak of
        lines.append(f"verifier: {f.verifier_status} - {f.verifier_detail}"
                     + (f" ({f.verifier_location})" if f.verifier_location else ""))
    return "\n".join(lines)


def finding_case(f: Finding) -> ET.Element:
    case = ET.Element("testcase", {"name": f"{f.code} at {f.line}:{f.column}", "classname": f.path,
                                   "file": f.path, "line": str(f.line)})
    failure = ET.SubElement(case, "failure", {"message": xml_text(f.message), "type": f.code})
    failure.text = xml_text(failure_text(f))
    return case


def error_case(e: ParseError) -> ET.Element:
    """A file that could not be checked is an ``<error>``; one Python cannot parse fails the run, so it
    is a ``<failure>`` at its line and column, like a finding."""
    if e.syntax:
        case = ET.Element("testcase", {"name": f"{e.kind} at {e.line}:{e.column}", "classname": e.path,
                                       "file": e.path, "line": str(e.line)})
        ET.SubElement(case, "failure", {"message": xml_text(e.message), "type": e.kind})
        return case
    case = ET.Element("testcase", {"name": "could not be checked", "classname": e.path, "file": e.path,
                                   **({"line": str(e.line)} if e.line else {})})
    ET.SubElement(case, "error", {"message": xml_text(e.message), "type": "sdblint could not check this file"})
    return case


def counts(name: str, cases: list[ET.Element]) -> dict[str, str]:
    return {"name": name, "tests": str(len(cases)),
            "failures": str(sum(case.find("failure") is not None for case in cases)),
            "errors": str(sum(case.find("error") is not None for case in cases))}


def suite(name: str, cases: list[ET.Element]) -> ET.Element:
    element = ET.Element("testsuite", counts(name, cases))
    element.extend(cases)
    return element


def suites(result: Result) -> list[ET.Element]:
    by_path: dict[str, list[ET.Element]] = defaultdict(list)
    for f in result.findings:
        by_path[f.path].append(finding_case(f))
    for e in result.errors:
        by_path[e.path].append(error_case(e))
    if not by_path:
        return [suite("sdblint", [ET.Element("testcase", {"name": "no findings", "classname": "sdblint"})])]
    return [suite(path, by_path[path]) for path in sorted(by_path)]


def render(result: Result, view: ReportView) -> str:
    files = suites(result)
    root = ET.Element("testsuites", counts("sdblint", [case for s in files for case in s]))
    root.extend(files)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
