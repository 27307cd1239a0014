"""What every output format gets besides the result: where paths are shown from, colour, detail."""
from __future__ import annotations

import os
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

    def root_uri(self) -> str:
        """The root as a ``file:`` URI ending in a slash (SARIF's ``originalUriBaseIds``)."""
        return self.root.resolve().as_uri().rstrip("/") + "/"
