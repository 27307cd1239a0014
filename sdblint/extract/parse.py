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
import tokenize

import libcst as cst

# Deeper than any hand-written code, and beyond what CPython compiles at its default
# recursion limit; the walker's recursion stays within RECURSION_LIMIT below this depth.
MAX_NESTING_DEPTH = 4_000
# Frames the walker and libcst's visitors need per nesting level, times the depth above.
RECURSION_LIMIT = 15 * MAX_NESTING_DEPTH


class Unparsable(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line


def decode(data: bytes) -> str:
    """Source text by the file's own encoding declaration (PEP 263), UTF-8 by default."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        reason = f"{exc.reason} at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else str(exc)
        raise Unparsable(f"cannot decode the file as Python source ({reason})") from exc


def module_name(rel_path: str) -> tuple[str, bool]:
    """The dotted module a relative path defines, and whether it is a package's ``__init__``."""
    parts = rel_path[:-3].split("/") if rel_path.endswith(".py") else rel_path.split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(p for p in parts if p) or "__init__", is_package


def check_syntax(source: str) -> Unparsable | None:
    """CPython's verdict on the source, and its nesting depth as libcst will see it.

    A syntax error may only be syntax newer than the running Python (`type X = int` on 3.11),
    so it is returned, not raised: libcst has the last word, after a token count has bounded
    how deep the source can nest. If libcst fails too, CPython's wording is the better one."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        if "null bytes" in err.msg:   # never newer syntax, and libcst would read it
            raise Unparsable(f"syntax error: {err.msg}", err.lineno) from err
        if err.msg.startswith("too many nested"):
            raise Unparsable(f"too deeply nested for Python's own parser ({err.msg})", err.lineno) from err
        token_depth(source)
        where = f" at line {err.lineno}, column {err.offset or 1}" if err.lineno else ""
        return Unparsable(f"syntax error{where}: {err.msg}", err.lineno)
    except (RecursionError, MemoryError) as err:
        raise Unparsable("too deeply nested for Python's own parser") from err
    except ValueError as err:   # null bytes
        raise Unparsable(f"syntax error: {err}") from err
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
                raise Unparsable(too_deep(max(brackets, operators)), token.start[0])
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
        raise Unparsable(f"syntax error at line {exc.raw_line}, column {exc.raw_column + 1}: {exc.message}",
                         exc.raw_line) from exc
