"""What every output format gets besides the result: where paths are shown from, colour, detail."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReportView:
    root: Path                 # the project root; a finding's ``path`` is relative to it
    cwd: Path                  # where the user stands; human formats show paths from here
    color: bool = False
    quiet: bool = False

    def shown(self, rel: str) -> str:
        """``rel`` (relative to the root) as a path from the current directory, for click-through."""
        return Path(os.path.relpath(self.root / rel, self.cwd)).as_posix()

    def message(self, f) -> str:
        """A finding's message with the places it names (`(app/llm.py:11)`, written from the root)
        shown from the current directory like its location, so that one finding's paths share a base."""
        return self.places(f.message, f)

    def verifier_location(self, f) -> str:
        return self.places(f.verifier_location, f)

    def places(self, text: str, f) -> str:
        paths = {f.path, *(s.path for s in f.sources), *(s.path for flow in f.flows for s in flow)}
        if f.verifier_location:
            paths.add(f.verifier_location.rpartition(":")[0])
        moved = {p: self.shown(p) for p in paths if self.shown(p) != p}
        if not moved:
            return text
        # a path only where it is a whole path followed by `:line`, longest first (`a/b.py` before `b.py`)
        place = re.compile("|".join(rf"(?<![\w/.-]){re.escape(p)}(?=:\d)" for p in sorted(moved, key=len, reverse=True)))
        return place.sub(lambda m: moved[m.group(0)], text)

    def root_uri(self) -> str:
        """The root as a ``file:`` URI ending in a slash (SARIF's ``originalUriBaseIds``)."""
        return self.root.resolve().as_uri().rstrip("/") + "/"
