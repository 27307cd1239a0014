"""The open buffers as one analysis sees them. A buffer that does not parse (half-typed code) is
analysed as the last text of it that did, so that the file's findings, and the flows that cross it
into other files, stay until it parses again; its syntax error is reported on its own."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from pygls.workspace import PositionCodec

from ..extract import extract
from ..facts import ParseError


@dataclass(frozen=True)
class Document:
    uri: str
    path: Path
    version: int | None
    text: str


@dataclass(frozen=True)
class Snapshot:
    """What an analysis needs, taken on the server's thread when a buffer changed."""

    folder: Path                     # where the project's config is looked for
    documents: tuple[Document, ...]  # the open Python buffers
    codec: PositionCodec             # the client's column units


@dataclass(frozen=True)
class Inputs:
    buffers: dict[Path, bytes]        # the text each open file is analysed with
    texts: dict[Path, str]            # the same by resolved path, decoded: where columns are counted
    broken: dict[str, ParseError]     # uri -> why its buffer does not parse


class LastGood:
    """The last text of each open buffer that parsed (only the analysis thread uses it)."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}   # uri -> text

    def inputs(self, documents: tuple[Document, ...]) -> Inputs:
        """A buffer that parses stands in for its file; one that does not is replaced by its last
        text that did, or, with none, by the file on disk."""
        open_uris = {d.uri for d in documents}
        self.texts = {uri: text for uri, text in self.texts.items() if uri in open_uris}
        texts, broken = {}, {}
        for d in documents:
            error = None if self.texts.get(d.uri) == d.text else syntax_error(d)   # unchanged text still parses
            if error is None:
                self.texts[d.uri] = d.text
            else:
                broken[d.uri] = error
            if d.uri in self.texts:
                texts[d.path.resolve()] = self.texts[d.uri]
        return Inputs({path: text.encode("utf-8") for path, text in texts.items()}, texts, broken)


def syntax_error(document: Document) -> ParseError | None:
    """Why Python cannot parse the buffer, or None. CPython's parser answers first (milliseconds);
    what it rejects is extracted as the pipeline would, since libcst reads some syntax newer than
    the running Python."""
    try:
        ast.parse(document.text)
        return None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    outcome = extract(document.path.name, document.text)
    return outcome if isinstance(outcome, ParseError) and outcome.syntax else None
