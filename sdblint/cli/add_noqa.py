"""`check --add-noqa`: the one time sdblint writes to checked files, asked to, and only comments at
line ends. Each file is replaced whole or left as it was (:func:`sdblint.atomic.replace_file`), in
the encoding it was read in; a file that cannot be edited is said on stderr and ends the run with
exit code 2 once the others are done."""
from __future__ import annotations

import errno
import io
import os
import sys
import tokenize
from pathlib import Path

import click

from ..atomic import replace_file
from ..findings.suppress import NoSuchLine, suppression_lines, with_suppressions


def add_suppressions(result, root: Path) -> None:
    edits = suppression_lines(result.findings)
    failed = []
    for rel, codes_by_line in sorted(edits.items()):
        try:
            edit_file(result.sources.get(rel, root / rel).resolve(), codes_by_line)
        except (OSError, UnicodeError, SyntaxError, NoSuchLine) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            click.echo(f"sdblint: error: cannot add suppressions to {rel} (left as it was): {reason}", err=True)
            failed.append(rel)
    added = sum(len(lines) for rel, lines in edits.items() if rel not in failed)
    files = len(edits) - len(failed)
    click.echo(f"Added {added} suppression{'s' if added != 1 else ''} in {files} file{'s' if files != 1 else ''}.")
    if failed:
        sys.exit(2)


def edit_file(file: Path, codes_by_line: dict[int, set[str]]) -> None:
    """``file`` with the comments added, in the encoding its coding declaration or byte order mark
    gives (as Python reads it), with its line endings and permissions."""
    if not os.access(file, os.W_OK):   # a rename would replace it all the same: refused as a write would be
        raise PermissionError(errno.EACCES, "the file is read-only")
    data = file.read_bytes()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = with_suppressions(data.decode(encoding), codes_by_line)
    replace_file(file, text.encode(encoding), durable=True)
