"""Source mutations that keep a module parseable (structural) and ones that break it (token level).

Every structural mutation works on the text, not on an unparsed tree, so comments (``# expect:``,
suppressions) and layout survive. A mutation takes the source and a ``pick(n)`` function that
returns an index below ``n`` (a hypothesis draw, so failures shrink toward the first candidate),
and returns the new source, or ``None`` where the module offers no place for it. The caller
checks the result with ``ast.parse``: a mutation may produce invalid code in odd corners
(tab-indented files, a ``yield from`` wrapped into ``async def``), which is simply skipped.
"""
from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass

Pick = Callable[[int], int]

COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
            ast.With, ast.AsyncWith, ast.Try, ast.Match) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
SOFT_KEYWORDS = {"match", "case", "_", "type"}


def normalise(source: str) -> str:
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    return source if source.endswith("\n") else source + "\n"


def split_lines(source: str) -> list[str]:
    """Lines as Python's tokenizer counts them (only ``\\n`` ends one), each with its newline."""
    parts = source.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def char_col(line: str, byte_col: int) -> int:
    """``ast`` columns are UTF-8 byte offsets."""
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


@dataclass(frozen=True)
class Stmt:
    node: ast.stmt
    start: int      # index of its first line (its first decorator's), 0-based
    end: int        # index of its last line, inclusive
    indent: str
    block: int      # the statement list it belongs to
    top: bool       # a module-level statement


def statements(source: str) -> tuple[list[str], list[Stmt]]:
    """The lines of ``source`` and its statements that own whole lines (no ``a; b``, no body
    on its header's line), which are the ones a line-level edit can move safely."""
    tree = ast.parse(source)
    lines = split_lines(source)
    found: list[Stmt] = []
    blocks = 0
    todo: list[tuple[list[ast.stmt], bool]] = [(tree.body, True)]
    while todo:
        body, top = todo.pop()
        block, blocks = blocks, blocks + 1
        for node in body:
            for name in ("body", "orelse", "finalbody"):
                value = getattr(node, name, None)
                if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                    todo.append((value, False))
            for holder in getattr(node, "handlers", []) + getattr(node, "cases", []):
                todo.append((holder.body, False))
            stmt = _whole_lines(node, lines, block, top)
            if stmt is not None:
                found.append(stmt)
    found.sort(key=lambda s: (s.start, s.end))
    return lines, found


def _whole_lines(node: ast.stmt, lines: list[str], block: int, top: bool) -> Stmt | None:
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    start, end = first - 1, (node.end_lineno or node.lineno) - 1
    if end >= len(lines):
        return None
    head = lines[start]
    if first == node.lineno:
        if head[: char_col(head, node.col_offset)].strip():
            return None
    elif head.strip()[:1] != "@":
        return None
    tail = lines[end][char_col(lines[end], node.end_col_offset or 0):]
    if tail.strip() and not tail.lstrip().startswith("#"):
        return None
    return Stmt(node, start, end, indent_of(head), block, top)


def _indented(lines: list[str], by: str) -> list[str]:
    return [by + line if line.strip() else line for line in lines]


# ---------------------------------------------------------------- structural mutations
def swap(source: str, pick: Pick) -> str | None:
    """Swap two statements of one block."""
    lines, stmts = statements(source)
    by_block: dict[int, list[Stmt]] = {}
    for s in stmts:
        by_block.setdefault(s.block, []).append(s)
    blocks = [b for b in sorted(by_block.values(), key=lambda b: b[0].start) if len(b) >= 2]
    if not blocks:
        return None
    block = blocks[pick(len(blocks))]
    i = pick(len(block) - 1)
    j = i + 1 + pick(len(block) - 1 - i)
    a, b = block[i], block[j]
    return "".join(lines[: a.start] + lines[b.start: b.end + 1] + lines[a.end + 1: b.start]
                   + lines[a.start: a.end + 1] + lines[b.end + 1:])


WRAPPERS = {
    "if": (["if flag:"], [], 1),
    "try": (["try:"], ["except Exception:", "    pass"], 1),
    "try-finally": (["try:"], ["finally:", "    cleanup()"], 1),
    "with": (["with open('log.txt') as handle:"], [], 1),
    "async-with": (["async with session() as handle:"], [], 1),
    "for": (["for item in range(3):"], [], 1),
    "while": (["while True:"], ["    break"], 1),
    "def": (["def wrapped():"], [], 1),
    "async-def": (["async def wrapped():"], [], 1),
    "class": (["class Box:"], [], 1),
    "match": (["match flag:", "    case _:"], [], 2),
}


def wrap(source: str, pick: Pick) -> str | None:
    """Wrap a statement in ``if``/``try``/``with``/``for``/``while``/``def``/``async def``/``class``/``match``."""
    lines, stmts = statements(source)
    if not stmts:
        return None
    s = stmts[pick(len(stmts))]
    names = sorted(WRAPPERS)
    head, tail, levels = WRAPPERS[names[pick(len(names))]]
    body = _indented(lines[s.start: s.end + 1], "    " * levels)
    return "".join(lines[: s.start] + [s.indent + h + "\n" for h in head] + body
                   + [s.indent + t + "\n" for t in tail] + lines[s.end + 1:])


def delete(source: str, pick: Pick) -> str | None:
    """Replace a statement with ``pass``."""
    lines, stmts = statements(source)
    if not stmts:
        return None
    s = stmts[pick(len(stmts))]
    return "".join(lines[: s.start] + [s.indent + "pass\n"] + lines[s.end + 1:])


def unwrap(source: str, pick: Pick) -> str | None:
    """Replace a compound statement by its (dedented) body."""
    lines, stmts = statements(source)
    compound = [s for s in stmts if isinstance(s.node, (ast.If, ast.For, ast.While, ast.With, ast.Try))
                and s.node.body and s.node.body[0].lineno > s.node.lineno]
    if not compound:
        return None
    s = compound[pick(len(compound))]
    first, last = s.node.body[0].lineno - 1, (s.node.body[-1].end_lineno or 0) - 1
    inner = indent_of(lines[first])
    if not inner.startswith(s.indent) or inner == s.indent:
        return None
    cut = len(inner) - len(s.indent)
    body = [line[cut:] if line[:cut].strip() == "" else line for line in lines[first: last + 1]]
    return "".join(lines[: s.start] + body + lines[s.end + 1:])


def duplicate(source: str, pick: Pick) -> str | None:
    """Duplicate a function (sometimes under a new name, sometimes redefining it)."""
    lines, stmts = statements(source)
    defs = [s for s in stmts if isinstance(s.node, DEFS + (ast.ClassDef,))]
    if not defs:
        return None
    s = defs[pick(len(defs))]
    copy = lines[s.start: s.end + 1]
    if pick(2):
        at = s.node.lineno - 1 - s.start
        copy[at] = re.sub(rf"\b(def|class)(\s+){re.escape(s.node.name)}\b", rf"\1\2{s.node.name}_copy", copy[at], count=1)
    return "".join(lines[: s.end + 1] + ["\n"] + copy + lines[s.end + 1:])


DECORATORS = ["staticmethod", "functools.lru_cache(maxsize=None)", "tool", "app.route('/run')", "property",
              "retry(times=3)", "langchain.tools.tool", "mcp.tool()", "contextlib.contextmanager", "classmethod"]


def decorate(source: str, pick: Pick) -> str | None:
    """Add a decorator to a function or class."""
    lines, stmts = statements(source)
    defs = [s for s in stmts if isinstance(s.node, DEFS + (ast.ClassDef,))]
    if not defs:
        return None
    s = defs[pick(len(defs))]
    return "".join(lines[: s.start] + [f"{s.indent}@{DECORATORS[pick(len(DECORATORS))]}\n"] + lines[s.start:])


def methodize(source: str, pick: Pick) -> str | None:
    """Turn a module-level function into a method (with ``self``) of a new class."""
    lines, stmts = statements(source)
    defs = [s for s in stmts if s.top and isinstance(s.node, DEFS) and not s.indent]
    if not defs:
        return None
    s = defs[pick(len(defs))]
    body = lines[s.start: s.end + 1]
    at = s.node.lineno - 1 - s.start
    match = re.search(rf"\bdef\s+{re.escape(s.node.name)}\s*\(", body[at])
    if match is None:
        return None
    rest = body[at][match.end():]
    body[at] = body[at][: match.end()] + ("self" if rest.lstrip().startswith(")") else "self, ") + rest
    return "".join(lines[: s.start] + ["class Holder:\n"] + _indented(body, "    ") + lines[s.end + 1:])


def inline_argument(source: str, pick: Pick) -> str | None:
    """Move a call's argument into a variable assigned just before the statement."""
    lines, stmts = statements(source)
    sites = []
    for s in stmts:
        if isinstance(s.node, COMPOUND):
            continue
        for call in ast.walk(s.node):
            if isinstance(call, ast.Call):
                values = [a for a in call.args if not isinstance(a, ast.Starred)]
                values += [k.value for k in call.keywords if k.arg is not None]
                sites += [(s, v) for v in values if v.end_lineno is not None]
    if not sites:
        return None
    s, value = sites[pick(len(sites))]
    segment = ast.get_source_segment(source, value)
    if not segment:
        return None
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    begin = starts[value.lineno - 1] + char_col(lines[value.lineno - 1], value.col_offset)
    finish = starts[value.end_lineno - 1] + char_col(lines[value.end_lineno - 1], value.end_col_offset)
    if source[begin:finish] != segment:
        return None
    name = f"inlined_{value.lineno}_{value.col_offset}"
    changed = source[:begin] + name + source[finish:]
    at = starts[s.start]
    return changed[:at] + f"{s.indent}{name} = ({segment})\n" + changed[at:]


RENAME_TO = ["out", "cmd", "text", "client", "result", "response", "run", "data", "self", "subprocess", "eval",
             "os", "prompt", "query", "tool", "llm", "completion", "content", "args", "kwargs"]


def rename(source: str, pick: Pick) -> str | None:
    """Rename an identifier consistently (every NAME token: definitions, uses, attributes)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    names = sorted({t.string for t in tokens if t.type == tokenize.NAME and not keyword.iskeyword(t.string)
                    and t.string not in SOFT_KEYWORDS})
    if not names:
        return None
    old = names[pick(len(names))]
    choices = [n for n in RENAME_TO if n != old] + [old + "_renamed"]
    new = choices[pick(len(choices))]
    lines = split_lines(source)
    for t in reversed([t for t in tokens if t.type == tokenize.NAME and t.string == old]):
        (row, col), (end_row, end_col) = t.start, t.end
        if row != end_row:
            return None
        lines[row - 1] = lines[row - 1][:col] + new + lines[row - 1][end_col:]
    return "".join(lines)


MUTATIONS: dict[str, Callable[[str, Pick], str | None]] = {
    "swap": swap, "wrap": wrap, "delete": delete, "unwrap": unwrap, "duplicate": duplicate,
    "decorate": decorate, "methodize": methodize, "inline_argument": inline_argument, "rename": rename,
}


# ---------------------------------------------------------------- token-level breakage
def delete_line(source: str, pick: Pick) -> str:
    lines = split_lines(source)
    if not lines:
        return source
    i = pick(len(lines))
    return "".join(lines[:i] + lines[i + 1:])


def truncate(source: str, pick: Pick) -> str:
    return source[: pick(len(source) + 1)]


STRAY = ["(", ")", "[", "]", "{", "}", ":", "'", '"', '"""', "\\", "@", "=", "\t", " ", "\n", "def ", "lambda", ",",
         "\x00", "\ufeff", "\u2028"]


def insert_stray(source: str, pick: Pick) -> str:
    at = pick(len(source) + 1)
    return source[:at] + STRAY[pick(len(STRAY))] + source[at:]


def dedent_line(source: str, pick: Pick) -> str:
    lines = split_lines(source)
    if not lines:
        return source
    i = pick(len(lines))
    lines[i] = lines[i].lstrip(" \t")
    return "".join(lines)


def indent_line(source: str, pick: Pick) -> str:
    lines = split_lines(source)
    if not lines:
        return source
    i = pick(len(lines))
    lines[i] = "  " + lines[i]
    return "".join(lines)


BREAKERS: dict[str, Callable[[str, Pick], str]] = {
    "delete_line": delete_line, "truncate": truncate, "insert_stray": insert_stray,
    "dedent_line": dedent_line, "indent_line": indent_line,
}


def parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
