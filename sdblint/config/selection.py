"""Which findings a run reports: rule selection, suppression comments, per-file ignores."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from .errors import ConfigError
from .settings import Settings

COMMAND_LINE = "command line"


def expand(codes, known: list[str], source: str, key: str) -> set[str]:
    """Codes and prefixes (`SDB1`, `ALL`) to the rule codes they name; unknown ones are an error."""
    out: set[str] = set()
    for code in codes:
        prefix = "" if code.upper() == "ALL" else code.upper()
        matched = {k for k in known if k.startswith(prefix)}
        if not matched:
            raise ConfigError(source, key, f"a rule code or prefix such as SDB1 or SDB102, got {code!r}")
        out |= matched
    return out


@dataclass(frozen=True)
class Selection:
    codes: frozenset[str]
    per_file: tuple[tuple[str, frozenset[str]], ...]

    @classmethod
    def build(cls, known: list[str], settings: Settings, select, extend_select, ignore) -> "Selection":
        """Command-line options override (`--select`) or extend the config's selection."""
        src, pre = settings.source, settings.key_prefix
        chosen = (expand(select, known, COMMAND_LINE, "--select") if select
                  else expand(settings.select, known, src, pre + "select"))
        chosen |= expand(settings.extend_select, known, src, pre + "extend-select")
        chosen |= expand(extend_select or (), known, COMMAND_LINE, "--extend-select")
        chosen -= expand(settings.ignore, known, src, pre + "ignore")
        chosen -= expand(ignore or (), known, COMMAND_LINE, "--ignore")
        per_file = tuple(
            (glob, frozenset(expand(codes, known, src, f"{pre}per-file-ignores.{glob}")))
            for glob, codes in settings.per_file_ignores
        )
        return cls(frozenset(chosen), per_file)

    def reports(self, code: str, path: str, lines: tuple[int, int], suppressions: dict[int, tuple[str, ...]]) -> bool:
        if code not in self.codes:
            return False
        # A suppression comment naming the code on any line of the reported statement.
        if any(code in suppressions.get(n, ()) for n in range(lines[0], lines[1] + 1)):
            return False
        name = path.rsplit("/", 1)[-1]
        return not any(
            code in codes and (fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(name, glob))
            for glob, codes in self.per_file
        )
