"""The json-lines format: one JSON object per line: each file Python cannot parse (the error objects
of the json format), then each finding (its finding objects). Files only sdblint could not analyse
are no problem of the code: they are not in this stream (as in the gitlab format)."""
from __future__ import annotations

import json

from ..pipeline import Result
from .json import error_dict, finding_dict
from .view import ReportView


def render(result: Result, view: ReportView) -> str:
    records = [error_dict(e) for e in result.errors if e.syntax] + [finding_dict(f) for f in result.findings]
    return "".join(json.dumps(record) + "\n" for record in records)
