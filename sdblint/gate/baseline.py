"""Baselines: adopt sdblint on an existing codebase by failing only on findings that are new.

A baseline records each finding's fingerprint (see :mod:`sdblint.findings.fingerprint`: no line
numbers, so moving code does not resurrect old findings). Matching counts fingerprints, so one
entry never absorbs several new findings (bandit's baseline does, PyCQA/bandit#1467); entries that
match nothing any more are stale and counted, so the baseline can be pruned.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..config.errors import ConfigError
from ..findings.model import Finding

FORMAT_KEY = "sdblint-baseline"
FORMAT_VERSION = 1


def dumps(findings) -> str:
    entries = [{"fingerprint": f.fingerprint, "code": f.code, "path": f.path, "message": f.message}
               for f in sorted(findings, key=lambda f: (f.path, f.fingerprint))]
    return json.dumps({FORMAT_KEY: FORMAT_VERSION, "findings": entries}, indent=2) + "\n"


def load(path: Path) -> Counter:
    """Fingerprint -> how many findings the baseline holds with it; a bad file is a ConfigError."""
    source = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(source, "(file)", f"a readable baseline file ({exc.strerror})") from exc
    except ValueError as exc:   # not JSON, or not UTF-8
        raise ConfigError(source, "(file)", f"JSON written by `sdblint baseline` ({exc})") from exc
    except RecursionError as exc:   # arrays or objects nested deeper than the parser goes; a baseline nests 3 deep
        raise ConfigError(source, "(file)", "JSON written by `sdblint baseline` (nested too deep to be one)") from exc
    # `type is int`: `true` equals 1 in Python, but it is no version number
    if not isinstance(data, dict) or type(data.get(FORMAT_KEY)) is not int or data[FORMAT_KEY] != FORMAT_VERSION:
        raise ConfigError(source, FORMAT_KEY, f"{FORMAT_VERSION} (a file written by `sdblint baseline`)")
    entries = data.get("findings")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str)
                                                for e in entries):
        raise ConfigError(source, "findings", "a list of objects with a string `fingerprint`")
    return Counter(e["fingerprint"] for e in entries)


def new_findings(findings, baseline: Counter) -> tuple[list[Finding], list[Finding], int]:
    """(findings not in the baseline, the findings it matched, how many baseline entries are stale)."""
    left = Counter(baseline)
    new, matched = [], []
    for f in findings:
        if left[f.fingerprint] > 0:
            left[f.fingerprint] -= 1
            matched.append(f)
        else:
            new.append(f)
    return new, matched, sum(left.values())
