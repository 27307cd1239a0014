"""A bounded walk over value nodes: each node once, at most ``MAX_TABLE_NODES`` of them."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..limits import MAX_TABLE_NODES


class ValueWalk:
    """``for node in walk: ... walk.push(more)``: the caller decides where to go from each node."""

    def __init__(self, starts: Iterable[str]):
        self.todo = list(starts)
        self.seen: set[str] = set()

    def __iter__(self) -> Iterator[str]:
        while self.todo and len(self.seen) < MAX_TABLE_NODES:
            node = self.todo.pop()
            if node in self.seen:
                continue
            self.seen.add(node)
            yield node

    def push(self, nodes: Iterable[str]) -> None:
        self.todo.extend(nodes)

    @property
    def cut_short(self) -> bool:
        """Stopped at the limit with nodes still to visit."""
        return bool(self.todo) and len(self.seen) >= MAX_TABLE_NODES
