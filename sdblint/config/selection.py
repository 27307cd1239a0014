"""Which findings a run reports: rule selection, suppression comments, per-file ignores."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from ..findings.model import Finding
from .errors import ConfigError
from .settings import Settings

COMMAND_LINE = "command line"


def expand(codes, known: list[str], source: str, key: str, opt_in: frozenset[str] | None = None) -> set[str]:
    """Codes and prefixes (`SDB1`, `ALL`) to the rule codes they name; unknown ones are an error.
    When choosing rules (``opt_in`` given), a selector that also names regular rules (`SDB`, `ALL`)
    leaves the opt-in ones out: they are enabled only by a selector naming nothing else (`SDB900`)."""
    out: set[str] = set()
    for code in codes:
        if not code.strip():   # an empty prefix would name every rule: only `ALL` does
            raise ConfigError(source, key, "a rule code or prefix such as SDB1 or SDB102 (or ALL), got an empty string")
        prefix = "" if code.upper() == "ALL" else code.upper()
        matched = {k for k in known if k.startswith(prefix)}
        if not matched:
            raise ConfigError(source, key, f"a rule code or prefix such as SDB1 or SDB102, got {code!r}")
        if opt_in is not None and matched - opt_in:
            matched -= opt_in
        out |= matched
    return out


def suppressing(code: str, lines: tuple[int, int], suppressions: dict[int, tuple[str, ...]]) -> tuple[int, str] | None:
    """The (line, code or prefix) of a suppression comment on the statement, or of a file-wide one
    (its key: a negated line), that names ``code``."""
    file_wide = [n for n in suppressions if n < 0]
    for n in [*range(lines[0], lines[1] + 1), *file_wide]:
        for named in suppressions.get(n, ()):
            if code.startswith(named):
                return n, named
    return None


@dataclass(frozen=True)
class Waived:
    """A finding a suppression comment hid: the comment's line and the code or prefix it names."""
    finding: Finding
    line: int
    code: str


@dataclass(frozen=True)
class Selection:
    codes: frozenset[str]
    per_file: tuple[tuple[str, frozenset[str]], ...]
    # Nested configs (a monorepo's services): (root-relative folder, the selection of its files),
    # the deepest first; a file under none of them is selected by ``codes`` and ``per_file``.
    scopes: tuple[tuple[str, "Selection"], ...] = ()

    @property
    def all_codes(self) -> frozenset[str]:
        """Every code some file of the run may report."""
        return self.codes.union(*(inner.codes for _, inner in self.scopes))

    def scoped(self, scopes) -> "Selection":
        return Selection(self.codes, self.per_file, tuple(scopes))

    @classmethod
    def build(cls, known: list[str], settings: Settings, select, extend_select, ignore,
              opt_in: frozenset[str] = frozenset()) -> "Selection":
        """Command-line options override (`--select`) or extend the config's selection."""
        src, pre = settings.source, settings.key_prefix
        chosen = (expand(select, known, COMMAND_LINE, "--select", opt_in) if select
                  else expand(settings.select, known, src, pre + "select", opt_in))
        chosen |= expand(settings.extend_select, known, src, pre + "extend-select", opt_in)
        chosen |= expand(extend_select or (), known, COMMAND_LINE, "--extend-select", opt_in)
        chosen -= expand(settings.ignore, known, src, pre + "ignore")
        chosen -= expand(ignore or (), known, COMMAND_LINE, "--ignore")
        per_file = tuple(
            (glob, frozenset(expand(codes, known, src, f"{pre}per-file-ignores.{glob}")))
            for glob, codes in settings.per_file_ignores
        )
        return cls(frozenset(chosen), per_file)

    def selects(self, code: str, path: str) -> bool:
        """Whether the rule is on for this file (selection and per-file ignores, of its closest config)."""
        for folder, inner in self.scopes:
            if path.startswith(folder + "/"):
                return inner.selects(code, path[len(folder) + 1:])
        if code not in self.codes:
            return False
        name = path.rsplit("/", 1)[-1]
        return not any(
            code in codes and (fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(name, glob))
            for glob, codes in self.per_file
        )

    def apply(self, findings, suppressions: dict[str, dict[int, tuple[str, ...]]]) -> tuple[list[Finding], list[Waived]]:
        """(the findings reported, those a suppression comment hid with the comment that did)."""
        kept, waived = [], []
        for f in findings:
            if not self.selects(f.code, f.path):
                continue
            hit = suppressing(f.code, f.stmt_lines, suppressions.get(f.path, {}))
            if hit is None:
                kept.append(f)
            else:
                waived.append(Waived(f, *hit))
        return kept, waived
