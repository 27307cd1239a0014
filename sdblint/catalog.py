"""The models-as-data catalog: proposers, sinks, verifiers and parsers from ``rules/*.toml``.

The same schema is accepted from a user's ``[tool.sdblint]`` table, so supporting a new SDK
or an in-house gateway is a data change. Callee paths are matched with a small pattern
language documented in ``rules/proposers.toml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ConfigError
from .tomlcompat import tomllib

CATALOG_FILES = ("proposers.toml", "sinks.toml", "verifiers.toml")
VERIFIER_RETURNS = ("value", "guard", "predicate")


@dataclass(frozen=True)
class Pattern:
    text: str
    regex: re.Pattern

    def matches(self, path: str) -> bool:
        return self.regex.match(path) is not None


@dataclass(frozen=True)
class ArgCondition:
    index: int | None
    keyword: str | None
    contains: tuple[str, ...]
    default: str | None = None


@dataclass(frozen=True)
class Proposer:
    label: str
    patterns: tuple[Pattern, ...]
    schema_args: tuple[str, ...] = ()
    schema_segments: tuple[str, ...] = ()
    unless_context: re.Pattern | None = None   # not a proposer inside scopes whose name matches

    def applies_in(self, scope_qualname: str) -> bool:
        return self.unless_context is None or not self.unless_context.search(scope_qualname)


@dataclass(frozen=True)
class ToolEntry:
    label: str
    decorators: tuple[Pattern, ...]
    base_classes: tuple[Pattern, ...]
    methods: tuple[str, ...]
    schema_validated: bool


@dataclass(frozen=True)
class Sink:
    category: str
    patterns: tuple[Pattern, ...]
    args: tuple[str, ...] = ()
    when_arg: ArgCondition | None = None
    unless_arg: ArgCondition | None = None
    bound_args: tuple[str, ...] = ()
    bound_category: str = ""
    write_verbs: tuple[str, ...] = ()
    extra_adequate: tuple[str, ...] = ()
    not_adequate: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verifier:
    kind: str
    returns: str
    patterns: tuple[Pattern, ...]
    schema_from: str = ""
    when_kwarg: tuple[str, str] | None = None


@dataclass(frozen=True)
class Category:
    name: str
    code: str
    adequate: frozenset[str]
    arguments_adequate: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Catalog:
    proposers: tuple[Proposer, ...]
    sinks: tuple[Sink, ...]
    verifiers: tuple[Verifier, ...]
    parsers: tuple[Pattern, ...]
    sandboxes: tuple[Pattern, ...]
    categories: dict[str, Category]
    mutators: frozenset[str]
    verifier_name: re.Pattern
    callback_runners: tuple[Pattern, ...] = ()
    composers: tuple[Pattern, ...] = ()
    graph_builders: tuple[tuple[Pattern, Pattern], ...] = ()   # (register a node, run the graph)
    schema_bases: tuple[Pattern, ...] = ()
    enum_bases: tuple[Pattern, ...] = ()
    opaque_calls: tuple[Pattern, ...] = ()
    tool_entries: tuple[ToolEntry, ...] = ()
    tool_param_ignore: frozenset[str] = frozenset()
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def classify(self, path: str) -> "Classification":
        """Every catalog entry a callee path matches (memoised: paths repeat a lot)."""
        found = self._memo.get(path)
        if found is None and not self._any_pattern().match(path):
            found = NOTHING   # most calls match no entry: one combined regex says so at once
        if found is None:
            found = Classification(
                next((p for p in self.proposers if any(x.matches(path) for x in p.patterns)), None),
                tuple(s for s in self.sinks if any(x.matches(path) for x in s.patterns)),
                tuple(v for v in self.verifiers if any(x.matches(path) for x in v.patterns)),
                any(x.matches(path) for x in self.parsers),
                any(x.matches(path) for x in self.sandboxes),
            )
            self._memo[path] = found
        return found

    def _any_pattern(self) -> re.Pattern:
        combined = self._memo.get("\0any")
        if combined is None:
            patterns = [x for group in (self.proposers, self.sinks, self.verifiers) for entry in group for x in entry.patterns]
            patterns += [*self.parsers, *self.sandboxes]
            combined = re.compile("|".join(f"(?:{x.regex.pattern})" for x in patterns))
            self._memo["\0any"] = combined
        return combined

    def proposer(self, path: str) -> Proposer | None:
        return self.classify(path).proposer

    def sinks_for(self, path: str) -> tuple[Sink, ...]:
        return self.classify(path).sinks

    def verifiers_for(self, path: str) -> tuple[Verifier, ...]:
        return self.classify(path).verifiers

    def is_parser(self, path: str) -> bool:
        return self.classify(path).parser

    def is_sandboxed(self, path: str) -> bool:
        return self.classify(path).sandboxed

    def with_extensions(self, extra: "CatalogEntries") -> "Catalog":
        """The user's entries first, so an in-house proposer wins over a generic pattern."""
        if not extra.any():
            return self
        return replace(self, proposers=extra.proposers + self.proposers, sinks=extra.sinks + self.sinks,
                       verifiers=extra.verifiers + self.verifiers, _memo={})


@dataclass(frozen=True)
class Classification:
    proposer: Proposer | None
    sinks: tuple[Sink, ...]
    verifiers: tuple[Verifier, ...]
    parser: bool
    sandboxed: bool


NOTHING = Classification(None, (), (), False, False)


@dataclass(frozen=True)
class CatalogEntries:
    proposers: tuple[Proposer, ...] = ()
    sinks: tuple[Sink, ...] = ()
    verifiers: tuple[Verifier, ...] = ()

    def any(self) -> bool:
        return bool(self.proposers or self.sinks or self.verifiers)


# ------------------------------------------------------------------ patterns
_SEGMENT_TOKEN = re.compile(r"\{[^}]*\}|\*|\('[^']*'\)|\(\)|[^*{(]+")


def split_segments(text: str) -> list[str]:
    """Split on dots that are outside parentheses and braces."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == "." and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def segment_regex(segment: str, source: str) -> str:
    out = []
    for token in _SEGMENT_TOKEN.findall(segment):
        if token == "*":
            out.append(r"[^.()]*")
        elif token == "()":
            out.append(r"\([^().]*\)")
        elif token.startswith("('{"):
            options = [o.strip() for o in token[3:-3].split(",")]
            out.append(r"\('(?:" + "|".join(re.escape(o) for o in options) + r")'\)")
        elif token.startswith("("):
            out.append(re.escape(token))
        elif token.startswith("{"):
            options = [o.strip() for o in token[1:-1].split(",")]
            out.append("(?:" + "|".join(pattern_body(o, source) for o in options) + ")")
        else:
            out.append(re.escape(token))
    if "".join(_SEGMENT_TOKEN.findall(segment)) != segment:
        raise ConfigError(source, "patterns", f"a valid callee pattern (could not read {segment!r})")
    return "".join(out)


def pattern_body(text: str, source: str) -> str:
    segments = split_segments(text)
    rx = ""
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "**":
            rx += r"[^.]+(?:\.[^.]+)*" if last else r"(?:[^.]+\.)*"
            continue
        if not seg:
            raise ConfigError(source, "patterns", f"a dotted callee pattern without empty segments, got {text!r}")
        rx += segment_regex(seg, source) + ("" if last else r"\.")
    return rx


@lru_cache(maxsize=None)
def compile_pattern(text: str, source: str = "rules") -> Pattern:
    return Pattern(text, re.compile(pattern_body(text, source) + r"\Z"))


# ------------------------------------------------------------------ loading
def _expect(value, kind, source: str, key: str, what: str):
    if not isinstance(value, kind):
        raise ConfigError(source, key, f"{what}, got {type(value).__name__} {value!r}")
    return value


def _strings(table: dict, key: str, source: str, prefix: str, required: bool = False) -> tuple[str, ...]:
    if key not in table:
        if required:
            raise ConfigError(source, f"{prefix}.{key}", "a list of strings (required)")
        return ()
    value = _expect(table[key], list, source, f"{prefix}.{key}", "a list of strings")
    for item in value:
        _expect(item, str, source, f"{prefix}.{key}", "a list of strings")
    return tuple(value)


def _patterns(table: dict, source: str, prefix: str) -> tuple[Pattern, ...]:
    return tuple(compile_pattern(p, source) for p in _strings(table, "patterns", source, prefix, required=True))


def _check_keys(table: dict, allowed: set[str], source: str, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(source, f"{prefix}.{key}", f"one of {', '.join(sorted(allowed))} (unknown key)")


def _condition(value, source: str, key: str) -> ArgCondition | None:
    if value is None:
        return None
    _expect(value, dict, source, key, "a table with index, keyword, contains")
    _check_keys(value, {"index", "keyword", "contains", "default"}, source, key)
    return ArgCondition(value.get("index"), value.get("keyword"), tuple(value.get("contains", ())), value.get("default"))


def parse_entries(data: dict, source: str, prefix: str, categories: set[str]) -> CatalogEntries:
    """Proposer, sink and verifier entries from a rules file or a user's config table."""
    proposers, sinks, verifiers = [], [], []
    for i, table in enumerate(_expect(data.get("proposer", []), list, source, f"{prefix}proposer", "an array of tables")):
        key = f"{prefix}proposer[{i}]"
        _expect(table, dict, source, key, "a table")
        _check_keys(table, {"label", "patterns", "schema_args", "schema_segments", "unless_context"}, source, key)
        label = _expect(table.get("label", "proposer"), str, source, f"{key}.label", "a string")
        unless = table.get("unless_context")
        if unless is not None:
            try:
                unless = re.compile(_expect(unless, str, source, f"{key}.unless_context", "a regular expression"))
            except re.error as exc:
                raise ConfigError(source, f"{key}.unless_context", f"a valid regular expression ({exc})") from exc
        proposers.append(Proposer(label, _patterns(table, source, key),
                                  _strings(table, "schema_args", source, key),
                                  _strings(table, "schema_segments", source, key), unless))
    for i, table in enumerate(_expect(data.get("sink", []), list, source, f"{prefix}sink", "an array of tables")):
        key = f"{prefix}sink[{i}]"
        _expect(table, dict, source, key, "a table")
        _check_keys(table, {"category", "patterns", "args", "when_arg", "unless_arg", "bound_args",
                            "bound_category", "write_verbs", "extra_adequate", "not_adequate"}, source, key)
        category = _expect(table.get("category"), str, source, f"{key}.category", "a category name")
        if category not in categories:
            raise ConfigError(source, f"{key}.category", f"one of {', '.join(sorted(categories))}, got {category!r}")
        sinks.append(Sink(
            category, _patterns(table, source, key), _strings(table, "args", source, key),
            _condition(table.get("when_arg"), source, f"{key}.when_arg"),
            _condition(table.get("unless_arg"), source, f"{key}.unless_arg"),
            _strings(table, "bound_args", source, key), table.get("bound_category", ""),
            _strings(table, "write_verbs", source, key), _strings(table, "extra_adequate", source, key),
            _strings(table, "not_adequate", source, key),
        ))
    for i, table in enumerate(_expect(data.get("verifier", []), list, source, f"{prefix}verifier", "an array of tables")):
        key = f"{prefix}verifier[{i}]"
        _expect(table, dict, source, key, "a table")
        _check_keys(table, {"kind", "returns", "patterns", "schema_from", "when_kwarg"}, source, key)
        kind = _expect(table.get("kind"), str, source, f"{key}.kind", "a verifier kind string")
        returns = table.get("returns", "value")
        if returns not in VERIFIER_RETURNS:
            raise ConfigError(source, f"{key}.returns", f"one of {', '.join(VERIFIER_RETURNS)}, got {returns!r}")
        when = table.get("when_kwarg")
        verifiers.append(Verifier(kind, returns, _patterns(table, source, key), table.get("schema_from", ""),
                                  (when["keyword"], when["equals"]) if when else None))
    return CatalogEntries(tuple(proposers), tuple(sinks), tuple(verifiers))


def rules_folder():
    """The shipped ``rules/`` folder: package data when installed, the checkout otherwise."""
    try:
        return resources.files("sdblint.rules")
    except ModuleNotFoundError:  # running from a source checkout that shadows the install
        return Path(__file__).resolve().parent.parent / "rules"


@lru_cache(maxsize=1)
def builtin_catalog() -> Catalog:
    data: dict = {}
    folder = rules_folder()
    for name in CATALOG_FILES:
        raw = folder.joinpath(name).read_bytes()
        for key, value in tomllib.loads(raw.decode()).items():
            if isinstance(value, list):
                data.setdefault(key, []).extend(value)
            else:
                data.setdefault(key, {}).update(value)
    categories = {
        name: Category(name, table["code"], frozenset(table["adequate"]), frozenset(table.get("arguments_adequate", ())))
        for name, table in data["category"].items()
    }
    entries = parse_entries(data, "rules", "", set(categories))
    flow = data["flow"]
    return Catalog(
        proposers=entries.proposers,
        sinks=entries.sinks,
        verifiers=entries.verifiers,
        parsers=tuple(compile_pattern(p) for t in data.get("parser", []) for p in t["patterns"]),
        sandboxes=tuple(compile_pattern(p) for t in data.get("sandbox", []) for p in t["patterns"]),
        categories=categories,
        mutators=frozenset(flow["mutators"]),
        verifier_name=re.compile(flow["verifier_name"]),
        callback_runners=tuple(compile_pattern(p) for p in flow["callback_runners"]),
        composers=tuple(compile_pattern(p) for p in flow["composers"]),
        graph_builders=tuple((compile_pattern(t["register"]), compile_pattern(t["run"])) for t in data.get("graph_builder", [])),
        schema_bases=tuple(compile_pattern(p) for p in data["models"]["schema_bases"]),
        enum_bases=tuple(compile_pattern(p) for p in data["models"]["enum_bases"]),
        opaque_calls=tuple(compile_pattern(p) for p in flow["opaque_calls"]),
        tool_entries=tuple(
            ToolEntry(t["label"], tuple(compile_pattern(p) for p in t.get("decorators", ())),
                      tuple(compile_pattern(p) for p in t.get("base_classes", ())),
                      tuple(t.get("methods", ())), bool(t.get("schema_validated", False)))
            for t in data.get("tool_entry", [])
        ),
        tool_param_ignore=frozenset(data["tool_params"]["ignore"]),
    )
