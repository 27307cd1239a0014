"""Where every node of a libcst tree starts and ends, as libcst's ``PositionProvider`` says.

The provider computes positions by generating the module's code with a position-tracking
codegen state. Its state builds two dataclass objects per node, hashes each node through a
Python-level ``__hash__`` and enters a generator-based context manager per expression: more
than three times the cost of the code generation itself, and a third of all extraction time.
:class:`SpanState` tracks the same positions through the same codegen hooks with plain
tuples keyed by node identity (the tree outlives the walk, so identities are not reused).

A test compares both on every fixture and on tricky syntax; should a libcst release change
the codegen hooks, the public provider is used instead.
"""
from __future__ import annotations

import re

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import MetadataWrapper, PositionProvider

NEWLINE = re.compile(r"\r\n?|\n")

Span = tuple[int, int, int, int]   # start line, start column (0-based), end line, end column


class SpanState(CodegenState):
    """A codegen state that tracks the position of each node (the tokens are kept only because
    the module's codegen asks whether there are any)."""

    def __init__(self, module: cst.Module):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = 1
        self.column = 0
        self.starts: list[tuple[int, int]] = []
        self.spans: dict[int, Span] = {}

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            segments = NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        line, column = self.starts.pop()
        # A syntactic position recorded inside the node's own codegen wins, as in libcst.
        self.spans.setdefault(id(node), (line, column, self.line, self.column))

    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
                                  end_node: cst.CSTNode | None = None) -> "SyntacticPosition":
        return SyntacticPosition(self, node, start_node, end_node)


class SyntacticPosition:
    """The context manager of :meth:`SpanState.record_syntactic_position` (a class: a generator
    based one costs several times more, and it is entered for most expressions)."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: SpanState, node, start_node, end_node):
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = (self.state.line, self.state.column)

    def __exit__(self, *exc) -> None:
        state, spans = self.state, self.state.spans
        line, column = spans[id(self.start_node)][:2] if self.start_node is not None else self.start
        end = spans[id(self.end_node)][2:] if self.end_node is not None else (state.line, state.column)
        spans[id(self.node)] = (line, column, *end)


def node_spans(module: cst.Module) -> dict[int, Span]:
    """``id(node) -> span`` for every node of ``module``."""
    try:
        state = SpanState(module)
        module._codegen(state)
        return state.spans
    except (AttributeError, TypeError):   # the codegen hooks changed: take the public road
        ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        return {id(node): (r.start.line, r.start.column, r.end.line, r.end.column) for node, r in ranges.items()}
