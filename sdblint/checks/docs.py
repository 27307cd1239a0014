"""Rule metadata and documentation from ``rules/rules.toml``."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..catalog import rules_folder
from ..tomlcompat import tomllib

FIELDS = ("code", "name", "category", "severity", "summary", "what_it_does", "why_bad",
          "example", "use_instead", "references", "precision")
CWE = re.compile(r"CWE-(\d+)")
OWASP_LLM = re.compile(r"OWASP (LLM\d\d)")


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    category: str
    severity: str
    summary: str
    what_it_does: str
    why_bad: str
    example: str
    use_instead: str
    references: tuple[str, ...]
    precision: str
    url: str                                 # the rule's section of the rule reference
    security_severity: float | None = None   # absent for a rule that reports no weakness
    opt_in: bool = False                     # on only when selected by a selector naming nothing else

    @property
    def tags(self) -> tuple[str, ...]:
        """Tags in code scanning's convention: ``security`` (for weakness rules), ``external/cwe/cwe-94``,
        ``external/owasp/llm05``, from the references."""
        refs = " ".join(self.references)
        return (("security",) if self.security_severity is not None else ()) + tuple(
            [f"external/cwe/cwe-{n}" for n in CWE.findall(refs)]
            + [f"external/owasp/{n.lower()}" for n in OWASP_LLM.findall(refs)])

    def render(self) -> str:
        """The rule page, in the layout of ruff's rule documentation."""
        refs = "\n".join(f"- {r}" for r in self.references)
        return (
            f"# {self.name} ({self.code})\n\n"
            f"Severity: {self.severity}. Category: {self.category}.\n\n"
            f"{self.summary}.\n\n"
            f"## What it does\n{self.what_it_does.strip()}\n\n"
            f"## Why is this bad?\n{self.why_bad.strip()}\n\n"
            f"## Example\n```python\n{self.example.strip()}\n```\n\n"
            f"## Use instead\n```python\n{self.use_instead.strip()}\n```\n\n"
            f"## References\n{refs}\n\n{self.url}\n"
        )


@lru_cache(maxsize=1)
def load_rules() -> dict[str, RuleDoc]:
    data = tomllib.loads(rules_folder().joinpath("rules.toml").read_text(encoding="utf-8"))
    rules = {}
    for table in data["rule"]:
        values = {f: table[f] for f in FIELDS}
        values["references"] = tuple(values["references"])
        anchor = f"{table['code']}-{table['name']}".lower()
        rules[table["code"]] = RuleDoc(**values, url=f"{data['docs_url']}#{anchor}",
                                       security_severity=table.get("security_severity"),
                                       opt_in=table.get("opt_in", False))
    return rules
