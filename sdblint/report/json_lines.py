"""The json-lines format: one JSON object per finding per line (the finding objects of the json format)."""
from __future__ import annotations

import json

from ..pipeline import Result
from .json import finding_dict
from .view import ReportView


def render(result: Result, view: ReportView) -> str:
    return "".join(json.dumps(finding_dict(f)) + "\n" for f in result.findings)
