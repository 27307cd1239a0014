"""From bytes to a libcst tree, with every way that can fail turned into a one-line reason.

CPython's own parser goes first: it is several times faster than libcst, gives CPython's
wording for syntax errors, and refuses input its parser cannot handle (5,000 nested
parentheses) with a clean error where libcst's native parser would overflow its stack and take
the process with it. What it accepts is then measured for nesting, because libcst nests some
shapes that ``ast`` keeps flat (`a and b and ...`).
"""
from __future__ import annotations

import ast
import io
import re
import tokenize

import libcst as cst

from ..nodes import module_segment

# Deeper than any hand-written code, and beyond what CPython compiles at its default
# recursion limit; the walker's recursion stays within RECURSION_LIMIT below this depth.
MAX_NESTING_DEPTH = 4_000
# Frames the walker and libcst's visitors need per nesting level, times the depth above.
RECURSION_LIMIT = 15 * MAX_NESTING_DEPTH


# The encoding declaration of PEP 263, on line 1 or 2.
CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")


class Unparsable(Exception):
    """Why a file cannot be analysed, and where. ``syntax``: Python itself cannot parse it (what
    fails a run), rather than only sdblint (a nesting deeper than it analyses, libcst's parser)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, syntax: bool = False):
        super().__init__(message)
        self.message, self.line, self.column, self.syntax = message, line, column, syntax


def decode(data: bytes) -> str:
    """Source text by the file's own encoding declaration (PEP 263), UTF-8 by default."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line, column = position(data, exc.start, b"\n")
        raise Unparsable(f"cannot decode the file as Python source ({exc.reason} at byte {exc.start})",
                         line, column, syntax=True) from exc
    except (LookupError, SyntaxError) as exc:   # an encoding declaration that is unknown or contradicted
        raise Unparsable(f"cannot decode the file as Python source ({exc})", *declaration_position(data),
                         syntax=True) from exc


def declaration_position(data: bytes) -> tuple[int, int]:
    """Where a bad encoding declaration is: its line; without one, the first byte that is not UTF-8."""
    cookie = next((n for n, text in enumerate(data.splitlines()[:2], 1) if CODING_COOKIE.match(text)), None)
    if cookie is not None:
        return cookie, 1
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return position(data, exc.start, b"\n")
    return 1, 1


def position(text, offset: int, newline) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` in ``text`` (bytes or str, with its ``newline``)."""
    start = text.rfind(newline, 0, offset) + 1
    return text.count(newline, 0, offset) + 1, offset - start + 1


def module_name(rel_path: str) -> tuple[str, bool]:
    """The dotted module a relative path defines, and whether it is a package's ``__init__``."""
    parts = rel_path[:-3].split("/") if rel_path.endswith(".py") else rel_path.split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(module_segment(p) for p in parts if p) or "__init__", is_package


def check_syntax(source: str) -> Unparsable | None:
    """CPython's verdict on the source, and its nesting depth as libcst will see it.

    A syntax error may only be syntax newer than the running Python (`type X = int` on 3.11),
    so it is returned, not raised: libcst has the last word, after a token count has bounded
    how deep the source can nest. If libcst fails too, CPython's wording is the better one."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as err:   # ValueError: null bytes, before Python 3.11.4
        message = getattr(err, "msg", str(err))
        if "null bytes" in message:   # never newer syntax, and libcst would read it
            raise Unparsable(f"syntax error: {message}", *position(source, source.find("\0"), "\n"),
                             syntax=True) from err
        if message.startswith("too many nested"):
            raise Unparsable(f"too deeply nested for Python's own parser ({message})", err.lineno or 1,
                             err.offset or 1, syntax=True) from err
        token_depth(source)
        return Unparsable(f"syntax error: {message}", err.lineno or 1, err.offset or 1, syntax=True)
    except (RecursionError, MemoryError) as err:
        raise Unparsable("too deeply nested for Python's own parser") from err
    depth, line = nesting_depth(tree)
    if depth > MAX_NESTING_DEPTH:
        raise Unparsable(too_deep(depth), line)
    return None


def too_deep(depth: int) -> str:
    return f"an expression nested {depth} levels deep (sdblint analyses up to {MAX_NESTING_DEPTH})"


def token_depth(source: str) -> None:
    """An upper bound of the nesting of source that ``ast`` could not read: brackets open at
    once, and operators in one logical line (each may nest one level)."""
    brackets = operators = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.OP, tokenize.STRING):   # `"a" "b" ...` nests in libcst too
                if token.string in ("(", "[", "{"):
                    brackets += 1
                elif token.string in (")", "]", "}"):
                    brackets -= 1
                operators += 1
            elif token.type == tokenize.NEWLINE:
                operators = 0
            if brackets > 200 or operators > MAX_NESTING_DEPTH:
                raise Unparsable(too_deep(max(brackets, operators)), token.start[0], token.start[1] + 1)
    except (tokenize.TokenError, SyntaxError):
        pass   # libcst reports the syntax error


def nesting_depth(tree: ast.AST) -> tuple[int, int | None]:
    """The deepest nesting in ``tree`` (iteratively: the tree may be very deep) and its line.
    A chain `a and b and c` counts one level per operand, as libcst nests it."""
    deepest, where = 0, None
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BoolOp):
            depth += len(node.values) - 1
        if depth > deepest:
            deepest, where = depth, getattr(node, "lineno", where)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest, where


def parse(source: str, cpython_error: Unparsable | None) -> cst.Module:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        if cpython_error is not None:
            raise cpython_error from exc
        # Python reads it (a syntax newer than libcst's grammar, `(name): int`): only sdblint cannot,
        # so it is no syntax error and fails no run.
        raise Unparsable(f"not analysed: valid Python that the parser cannot read (libcst: {exc.message})",
                         exc.raw_line, exc.raw_column + 1) from exc
