"""Extraction: one file's source in, its :class:`~sdblint.facts.ModuleFacts` out, or the reason
it could not be analysed. Nothing here knows the catalog: facts are syntax only, so they can be
cached by content.

A file can fail in many ways (bad encoding, syntax, nesting that overflows a parser, a time
budget used up, a bug of ours); each becomes a :class:`~sdblint.facts.ParseError` for that
file and the run goes on.
"""
from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

from ..facts import ModuleFacts, ParseError
from .budget import DEFAULT_FILE_TIMEOUT, Deadline, FileTimeout

if TYPE_CHECKING:
    from .parse import Unparsable

# The parser and the walker (libcst) are imported by the functions that parse: commands that never
# parse (`--version`, `rules`, a `check` the run cache answers) import this package for its constants.

# The walk recurses once per nesting level; it runs on a thread of its own with a stack big
# enough for RECURSION_LIMIT frames (only the pages it touches are ever committed).
THREAD_STACK_BYTES = 512 * 1024 * 1024

__all__ = ["DEFAULT_FILE_TIMEOUT", "extract", "extract_bytes"]


def extract_bytes(rel_path: str, data: bytes, timeout: float | None = DEFAULT_FILE_TIMEOUT) -> ModuleFacts | ParseError:
    from .parse import Unparsable, decode

    try:
        source = decode(data)
    except Unparsable as exc:
        return unparsable(rel_path, exc)
    return extract(rel_path, source, timeout)


def extract(rel_path: str, source: str, timeout: float | None = DEFAULT_FILE_TIMEOUT) -> ModuleFacts | ParseError:
    """Facts for one file, or the reason it could not be analysed, within ``timeout`` seconds."""
    from .parse import RECURSION_LIMIT

    deadline = Deadline(timeout)
    outcome: list[ModuleFacts | ParseError] = []

    def work() -> None:
        outcome.append(_extract(rel_path, source, deadline))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    previous = threading.stack_size(THREAD_STACK_BYTES)
    try:
        worker = threading.Thread(target=work, name=f"sdblint-extract {rel_path}", daemon=True)
        worker.start()
    finally:
        threading.stack_size(previous)
    worker.join(timeout)
    if worker.is_alive():
        deadline.cancelled = True   # the walker stops at its next statement; the parser cannot be stopped
        return timeout_error(rel_path, timeout)
    return outcome[0]


def unparsable(rel_path: str, exc: Unparsable) -> ParseError:
    return ParseError(rel_path, exc.message, exc.line, column=exc.column, syntax=exc.syntax)


def timeout_error(rel_path: str, timeout: float | None) -> ParseError:
    return ParseError(rel_path, f"not analysed: took longer than the per-file budget of {timeout:g} s (--file-timeout)",
                      transient=True)


def crash_error(rel_path: str) -> ParseError:
    return ParseError(rel_path, "not analysed: the parser crashed on this file (its worker process died)", transient=True)


def _extract(rel_path: str, source: str, deadline: Deadline) -> ModuleFacts | ParseError:
    from .parse import Unparsable, check_syntax, module_name, parse
    from .walker import Walker

    module, is_package = module_name(rel_path)
    try:
        tree = parse(source, check_syntax(source))
        return Walker(rel_path, module, source, is_package, deadline).run(tree)
    except Unparsable as exc:
        return unparsable(rel_path, exc)
    except FileTimeout:
        return timeout_error(rel_path, deadline.seconds)
    except RecursionError:
        return ParseError(rel_path, "file is nested too deeply to analyse")
    except Exception as exc:  # one odd file must not stop the run; it is reported instead
        return ParseError(rel_path, f"internal error while extracting facts ({type(exc).__name__}: {exc}); "
                                    "please report it with the file")
