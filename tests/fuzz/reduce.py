"""Shrink a failing case to a small one that fails the same way (same :func:`~fuzz.cases.signature`).

Greedy passes until nothing shrinks any more or the time is up: drop whole files; delete chunks
of lines (delta debugging: halves, quarters, ... single lines); delete, ``pass`` out or unwrap
single statements; and try the ``ast.unparse`` form of each file. Each candidate runs under an
alarm, so a candidate that hangs costs one check, not the reduction.
"""
from __future__ import annotations

import ast
import signal
import time
from dataclasses import replace

from .cases import Case, check, diagnose, signature
from .mutations import normalise, split_lines, statements


class _Alarm(BaseException):
    """Raised by the alarm; a BaseException so sdblint's containment does not swallow it."""


def _on_alarm(signum, frame):
    raise _Alarm()


def fails_as(case: Case, target: str, seconds: float = 30.0) -> bool:
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        for problem in check(case):
            if problem.kind == target.split("|", 1)[0] and signature(problem, diagnose(case, problem)) == target:
                return True
        return False
    except _Alarm:
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def size(case: Case) -> int:
    return sum(len(s) for s in case.sources.values())


def reduce_case(case: Case, target: str, time_limit: float = 180.0) -> Case:
    deadline = time.monotonic() + time_limit
    best = case

    def attempt(candidate: Case) -> bool:
        nonlocal best
        if time.monotonic() > deadline or size(candidate) >= size(best) and candidate.sources.keys() == best.sources.keys():
            return False
        if fails_as(candidate, target):
            best = candidate
            return True
        return False

    progress = True
    while progress and time.monotonic() < deadline:
        progress = False
        for rel in sorted(best.sources):                         # whole files
            if len(best.sources) > 1 and rel in best.sources:
                progress |= attempt(replace(best, sources={k: v for k, v in best.sources.items() if k != rel}))
        for rel in sorted(best.sources):
            progress |= _reduce_lines(best, rel, attempt, lambda: best)
            progress |= _reduce_statements(rel, attempt, lambda: best)
            try:
                unparsed = ast.unparse(ast.parse(best.sources[rel])) + "\n"
            except (SyntaxError, ValueError, RecursionError):
                continue
            progress |= attempt(_with(best, rel, unparsed))
    return best


def _with(case: Case, rel: str, text: str) -> Case:
    return replace(case, sources={**case.sources, rel: text})


def _reduce_lines(case: Case, rel: str, attempt, current) -> bool:
    progress = False
    n = 2
    while True:
        lines = split_lines(current().sources[rel])
        if len(lines) < 2 or n > len(lines):
            return progress
        step = max(1, len(lines) // n)
        shrunk = False
        for start in range(0, len(lines), step):
            lines = split_lines(current().sources[rel])
            if start >= len(lines):
                break
            if attempt(_with(current(), rel, "".join(lines[:start] + lines[start + step:]))):
                shrunk = progress = True
        if shrunk:
            n = max(2, n - 1)
        elif step == 1:
            return progress
        else:
            n *= 2


def _reduce_statements(rel: str, attempt, current) -> bool:
    progress = False
    index = 0
    while True:
        source = normalise(current().sources[rel])
        try:
            lines, stmts = statements(source)
        except (SyntaxError, ValueError, RecursionError):
            return progress
        if index >= len(stmts):
            return progress
        s = stmts[len(stmts) - 1 - index]
        options = ["".join(lines[: s.start] + lines[s.end + 1:]),
                   "".join(lines[: s.start] + [s.indent + "pass\n"] + lines[s.end + 1:])]
        body = getattr(s.node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt) and body[0].lineno > s.node.lineno:
            first, last = body[0].lineno - 1, (body[-1].end_lineno or 0) - 1
            inner = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
            cut = len(inner) - len(s.indent)
            if cut > 0:
                inside = [line[cut:] if line[:cut].strip() == "" else line for line in lines[first: last + 1]]
                options.append("".join(lines[: s.start] + inside + lines[s.end + 1:]))
        if any(attempt(_with(current(), rel, text)) for text in options):
            progress = True
        else:
            index += 1
