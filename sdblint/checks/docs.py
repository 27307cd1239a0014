"""Rule metadata and documentation from ``rules/rules.toml``."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..catalog import rules_folder
from ..tomlcompat import tomllib

FIELDS = ("code", "name", "category", "severity", "summary", "what_it_does", "why_bad",
          "example", "use_instead", "references")


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
            f"## References\n{refs}\n"
        )


@lru_cache(maxsize=1)
def load_rules() -> dict[str, RuleDoc]:
    data = tomllib.loads(rules_folder().joinpath("rules.toml").read_text(encoding="utf-8"))
    rules = {}
    for table in data["rule"]:
        values = {f: table[f] for f in FIELDS}
        values["references"] = tuple(values["references"])
        rules[table["code"]] = RuleDoc(**values)
    return rules
