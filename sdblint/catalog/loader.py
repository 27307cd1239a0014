"""Loading the catalog: the shipped ``rules/*.toml`` and the same schema from a user's config,
validated strictly (a wrong value names the file, the key and what was expected)."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..config.errors import ConfigError
from ..kinds import VERIFIER_KINDS, VerifierKind
from ..tomlcompat import tomllib
from .model import (
    ArgCondition,
    Catalog,
    CatalogEntries,
    Category,
    CodeAgent,
    EndOfOptions,
    FileAccess,
    Language,
    ModelClass,
    ModelInterface,
    OutputHook,
    Proposer,
    Recorder,
    Sink,
    StreamCallback,
    ToolEntry,
    Verifier,
)
from .endpoints import ModelEndpoint
from .patterns import Pattern, compile_pattern, pattern_body

CATALOG_FILES = ("proposers.toml", "sinks.toml", "verifiers.toml", "frameworks.toml", "recorders.toml")
VERIFIER_RETURNS = ("value", "guard", "predicate")


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


def _kinds(table: dict, key: str, source: str, prefix: str) -> tuple[str, ...]:
    """A list of verifier kinds (see :class:`~sdblint.kinds.VerifierKind`)."""
    kinds = _strings(table, key, source, prefix)
    for kind in kinds:
        _kind(kind, source, f"{prefix}.{key}")
    return kinds


def _kind(value, source: str, key: str) -> VerifierKind:
    if value not in VERIFIER_KINDS:
        raise ConfigError(source, key, f"a verifier kind, one of {', '.join(sorted(VERIFIER_KINDS))}, got {value!r}")
    return VerifierKind(value)


def _check_keys(table: dict, allowed: set[str], source: str, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(source, f"{prefix}.{key}", f"one of {', '.join(sorted(allowed))} (unknown key)")


def _optional_string(table: dict, key: str, source: str, prefix: str) -> str | None:
    value = table.get(key)
    return None if value is None else _expect(value, str, source, f"{prefix}.{key}", "a string")


def _position(value, source: str, key: str) -> int | None:
    """An argument's position: a whole number from 0 (`true` is no position, though Python counts it as 1)."""
    if value is not None and (type(value) is not int or value < 0):
        raise ConfigError(source, key, f"an argument position, a whole number from 0, got {type(value).__name__} {value!r}")
    return value


def _condition(value, source: str, key: str) -> ArgCondition | None:
    if value is None:
        return None
    _expect(value, dict, source, key, "a table with index, keyword, contains")
    _check_keys(value, {"index", "keyword", "contains", "default", "matches", "if_unknown"}, source, key)
    matches = value.get("matches")
    try:
        regex = re.compile(_expect(matches, str, source, f"{key}.matches", "a regular expression")) if matches is not None else None
    except re.error as exc:
        raise ConfigError(source, f"{key}.matches", f"a valid regular expression ({exc})") from exc
    if_unknown = _expect(value.get("if_unknown", False), bool, source, f"{key}.if_unknown", "true or false")
    index = _position(value.get("index"), source, f"{key}.index")
    keyword = _optional_string(value, "keyword", source, key)
    if index is None and keyword is None:
        raise ConfigError(source, key, "index or keyword (which argument the condition reads)")
    return ArgCondition(index, keyword, _strings(value, "contains", source, key),
                        _optional_string(value, "default", source, key), regex, if_unknown)


def _conditions(value, source: str, key: str) -> tuple[ArgCondition, ...]:
    """One condition table or an array of them (any one holding is enough)."""
    if isinstance(value, list):
        return tuple(_condition(t, source, f"{key}[{i}]") for i, t in enumerate(value))
    return () if value is None else (_condition(value, source, key),)


def _when_kwarg(value, source: str, key: str) -> tuple[str, str] | None:
    """A verifier's `when_kwarg = { keyword = "abort", equals = "True" }`."""
    if value is None:
        return None
    _expect(value, dict, source, key, "a table with keyword and equals")
    _check_keys(value, {"keyword", "equals"}, source, key)
    for part in ("keyword", "equals"):
        if part not in value:
            raise ConfigError(source, f"{key}.{part}", "a string (required)")
    return (_expect(value["keyword"], str, source, f"{key}.keyword", "a string"),
            _expect(value["equals"], str, source, f"{key}.equals", "the argument's source text, a string"))


def _end_of_options(value, source: str, key: str) -> EndOfOptions | None:
    if value is None:
        return None
    _expect(value, dict, source, key, "a table with programs or positional")
    _check_keys(value, {"programs", "positional"}, source, key)
    return EndOfOptions(_strings(value, "programs", source, key),
                        _expect(value.get("positional", False), bool, source, f"{key}.positional", "true or false"))


def _callbacks(table: dict, source: str, prefix: str) -> tuple[StreamCallback, ...]:
    """A proposer's `callbacks`: `[{ args = ["callback"], params = ["1", "response"] }]`."""
    key = f"{prefix}.callbacks"
    found = []
    for i, item in enumerate(_expect(table.get("callbacks", []), list, source, key, "an array of tables")):
        _expect(item, dict, source, f"{key}[{i}]", "a table with args and params")
        _check_keys(item, {"args", "params"}, source, f"{key}[{i}]")
        found.append(StreamCallback(_strings(item, "args", source, f"{key}[{i}]", required=True),
                                    _strings(item, "params", source, f"{key}[{i}]", required=True)))
    return tuple(found)


def _bound_category(table: dict, source: str, key: str, categories: set[str]) -> str:
    """The category of a sink's `bound_args`: needed with them, a known one."""
    value = table.get("bound_category")
    if value is None:
        if "bound_args" in table:
            raise ConfigError(source, f"{key}.bound_category", "a category name (required with bound_args)")
        return ""
    if not isinstance(value, str) or value not in categories:
        raise ConfigError(source, f"{key}.bound_category",
                          f"one of {', '.join(sorted(categories))}, got {type(value).__name__} {value!r}")
    return value


def parse_entries(data: dict, source: str, prefix: str, categories: set[str]) -> CatalogEntries:
    """Proposer, sink and verifier entries from a rules file or a user's config table."""
    proposers, sinks, verifiers = [], [], []
    for i, table in enumerate(_expect(data.get("proposer", []), list, source, f"{prefix}proposer", "an array of tables")):
        key = f"{prefix}proposer[{i}]"
        _expect(table, dict, source, key, "a table")
        _check_keys(table, {"label", "patterns", "schema_args", "schema_segments", "unless_context", "callbacks"},
                    source, key)
        label = _expect(table.get("label", "proposer"), str, source, f"{key}.label", "a string")
        unless = table.get("unless_context")
        if unless is not None:
            try:
                unless = re.compile(_expect(unless, str, source, f"{key}.unless_context", "a regular expression"))
            except re.error as exc:
                raise ConfigError(source, f"{key}.unless_context", f"a valid regular expression ({exc})") from exc
        proposers.append(Proposer(label, _patterns(table, source, key),
                                  _strings(table, "schema_args", source, key),
                                  _strings(table, "schema_segments", source, key), unless,
                                  _callbacks(table, source, key)))
    for i, table in enumerate(_expect(data.get("sink", []), list, source, f"{prefix}sink", "an array of tables")):
        key = f"{prefix}sink[{i}]"
        _expect(table, dict, source, key, "a table")
        _check_keys(table, {"category", "patterns", "args", "when_arg", "unless_arg", "bound_args",
                            "bound_category", "write_verbs", "extra_adequate", "not_adequate", "url_args",
                            "end_of_options", "unless_opened", "document_content"}, source, key)
        category = _expect(table.get("category"), str, source, f"{key}.category", "a category name")
        if category not in categories:
            raise ConfigError(source, f"{key}.category", f"one of {', '.join(sorted(categories))}, got {category!r}")
        sinks.append(Sink(
            category, _patterns(table, source, key), _strings(table, "args", source, key),
            _condition(table.get("when_arg"), source, f"{key}.when_arg"),
            _condition(table.get("unless_arg"), source, f"{key}.unless_arg"),
            _strings(table, "bound_args", source, key), _bound_category(table, source, key, categories),
            _strings(table, "write_verbs", source, key), _kinds(table, "extra_adequate", source, key),
            _kinds(table, "not_adequate", source, key), _strings(table, "url_args", source, key),
            _end_of_options(table.get("end_of_options"), source, f"{key}.end_of_options"),
            _conditions(table.get("unless_opened"), source, f"{key}.unless_opened"),
            _strings(table, "document_content", source, key),
        ))
    for i, table in enumerate(_expect(data.get("verifier", []), list, source, f"{prefix}verifier", "an array of tables")):
        key = f"{prefix}verifier[{i}]"
        _expect(table, dict, source, key, "a table")
        _check_keys(table, {"kind", "returns", "patterns", "schema_from", "when_kwarg"}, source, key)
        kind = _kind(table.get("kind"), source, f"{key}.kind")
        returns = table.get("returns", "value")
        if returns not in VERIFIER_RETURNS:
            raise ConfigError(source, f"{key}.returns", f"one of {', '.join(VERIFIER_RETURNS)}, got {returns!r}")
        verifiers.append(Verifier(kind, returns, _patterns(table, source, key),
                                  _expect(table.get("schema_from", ""), str, source, f"{key}.schema_from", "a string"),
                                  _when_kwarg(table.get("when_kwarg"), source, f"{key}.when_kwarg")))
    recorders = []
    for kind in ("recorder", "retrieval"):
        for i, table in enumerate(_expect(data.get(kind, []), list, source, f"{prefix}{kind}", "an array of tables")):
            key = f"{prefix}{kind}[{i}]"
            _expect(table, dict, source, key, "a table")
            _check_keys(table, {"label", "patterns", "target_args", "base_classes", "methods"}, source, key)
            recorders.append(Recorder(
                _expect(table.get("label", kind), str, source, f"{key}.label", "a string"),
                _patterns(table, source, key), _strings(table, "target_args", source, key),
                tuple(compile_pattern(p, source) for p in _strings(table, "base_classes", source, key)),
                _strings(table, "methods", source, key), selects=kind == "retrieval",
            ))
    return CatalogEntries(tuple(proposers), tuple(sinks), tuple(verifiers), tuple(recorders))


def read_only_urls(tables: list, fixed_host: str) -> re.Pattern:
    """`[[read_api]]` tables: `urls` start the URL of a read-only API; `paths` end the path of a
    URL whose constant text fixes the host (a query string or fragment may follow)."""
    urls, paths = [], []
    for i, table in enumerate(tables):
        key = f"read_api[{i}]"
        _check_keys(table, {"label", "urls", "paths"}, "rules", key)
        urls += [url_glob(u) for u in _strings(table, "urls", "rules", key)]
        paths += [url_glob(p) for p in _strings(table, "paths", "rules", key)]
        if not table.get("urls") and not table.get("paths"):
            raise ConfigError("rules", key, "urls or paths (a read API needs at least one)")
    alternatives = [f"(?:{'|'.join(urls)})"] if urls else []
    if paths:
        alternatives.append(f"(?:{fixed_host})(?:[^?#{{}}]*/)?(?:{'|'.join(paths)})/?(?:[?#].*)?\\Z")
    return re.compile("|".join(alternatives) if alternatives else r"(?!)", re.DOTALL)


def url_glob(text: str) -> str:
    """A regular expression for a URL written with globs: `*` within a path segment, `**` across."""
    return re.escape(text).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")


def model_endpoints(tables: list) -> tuple[ModelEndpoint, ...]:
    """`[[model_endpoint]]` tables: `paths` end a URL's path on any host, `urls` start the URL
    of a hosted API."""
    found = []
    for i, table in enumerate(tables):
        key = f"model_endpoint[{i}]"
        _check_keys(table, {"label", "paths", "urls", "writes_text"}, "rules", key)
        paths = [url_glob(p) for p in _strings(table, "paths", "rules", key)]
        urls = [url_glob(u) for u in _strings(table, "urls", "rules", key)]
        if not paths and not urls:
            raise ConfigError("rules", key, "paths or urls (a model endpoint needs at least one)")
        alternatives = [f"(?:{'|'.join(paths)})/?\\Z"] if paths else []
        alternatives += [f"\\A(?:{'|'.join(urls)})"] if urls else []
        found.append(ModelEndpoint(table["label"], re.compile("|".join(alternatives)),
                                   bool(table.get("writes_text", True))))
    return tuple(found)


def plain_results(patterns: list[str]) -> re.Pattern:
    """One regular expression that matches a callee path going *through* one of ``patterns``: the
    pattern's text (called or not), then more segments."""
    bodies = [pattern_body(p, "rules") for p in patterns]
    if not bodies:
        return re.compile(r"(?!)")
    return re.compile(f"(?:{'|'.join(bodies)})" + r"(?:\([^()]*\))?\.")


def rules_folder():
    """The shipped ``rules/`` folder: package data when installed, the checkout otherwise."""
    try:
        return resources.files("sdblint.data")
    except ModuleNotFoundError:  # running from a source checkout that shadows the install
        return Path(__file__).resolve().parents[2] / "rules"


def model_interface(table: dict | None) -> ModelInterface | None:
    if table is None:
        return None
    return ModelInterface(table["label"], *(frozenset(table[k]) for k in ("methods", "class_words", "method_words", "prompt_words")))


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
        name: Category(name, table["code"], frozenset(_kinds(table, "adequate", "rules", f"category.{name}")),
                       frozenset(_kinds(table, "arguments_adequate", "rules", f"category.{name}")),
                       bool(table.get("receiver_is_payload", False)),
                       frozenset(_kinds(table, "url_not_adequate", "rules", f"category.{name}")))
        for name, table in data["category"].items()
    }
    entries = parse_entries(data, "rules", "", set(categories))
    flow, python = data["flow"], data["python"]
    return Catalog(
        proposers=entries.proposers,
        sinks=entries.sinks,
        recorders=entries.recorders,
        verifiers=entries.verifiers,
        parsers=tuple(compile_pattern(p) for t in data.get("parser", []) for p in t["patterns"]),
        sandboxes=tuple(compile_pattern(p) for t in data.get("sandbox", []) for p in t["patterns"]),
        categories=categories,
        mutators=frozenset(flow["mutators"]),
        mutator_receivers=tuple(compile_pattern(p) for p in flow["mutator_receivers"]),
        field_dumps=frozenset(flow.get("field_dumps", ())),
        verifier_name=re.compile(data["names"]["verifier_name"]),
        fixed_host_url=re.compile(data["url"]["fixed_host"]),
        read_only_url=read_only_urls(data.get("read_api", []), data["url"]["fixed_host"]),
        graphql_read=re.compile(data["graphql"]["read"]),
        graphql_body_args=tuple(data["graphql"]["body_args"]),
        callback_runners=tuple(compile_pattern(p) for p in flow["callback_runners"]),
        composers=tuple(compile_pattern(p) for p in flow["composers"]),
        graph_builders=tuple((compile_pattern(t["register"]), compile_pattern(t["run"])) for t in data.get("graph_builder", [])),
        graph_node_keywords=frozenset(k for t in data.get("graph_builder", []) for k in t.get("node_keywords", ())),
        language=Language(
            instance_call_methods=tuple(python["instance_call_methods"]),
            super_call=python["super_call"],
            attribute_lookup=python["attribute_lookup"],
            partial_calls=tuple(compile_pattern(p) for p in python["partial_calls"]),
            property_decorators=frozenset(python["property_decorators"]),
            classmethod_decorators=frozenset(python["classmethod_decorators"]),
            predicate_calls=tuple(compile_pattern(p) for p in python["predicate_calls"]),
            generated_init_decorators=tuple(compile_pattern(p) for p in python["generated_init_decorators"]),
            generated_init_bases=tuple(compile_pattern(p) for p in python["generated_init_bases"]),
            element_inserts=dict(python["element_inserts"]),
            element_extends=frozenset(python["element_extends"]),
            values_validators=tuple(compile_pattern(p) for p in python["values_validators"]),
        ),
        schema_bases=tuple(compile_pattern(p) for p in data["models"]["schema_bases"]),
        enum_bases=tuple(compile_pattern(p) for p in data["models"]["enum_bases"]),
        opaque_calls=tuple(compile_pattern(p) for p in flow["opaque_calls"] + flow["digests"]),
        plain_results=plain_results(flow["plain_results"]),
        type_aliases=dict(data.get("types", {})),
        model_classes=tuple(
            ModelClass(t["label"], tuple(compile_pattern(p) for p in t["base_classes"]), tuple(t["methods"]),
                       tuple(compile_pattern(p) for p in t["transports"]), t.get("writes_text", True))
            for t in data.get("model_class", [])
        ),
        model_interface=model_interface(data.get("model_interface")),
        tool_entries=tuple(
            ToolEntry(t["label"], tuple(compile_pattern(p) for p in t.get("decorators", ())),
                      tuple(compile_pattern(p) for p in t.get("base_classes", ())),
                      tuple(t.get("methods", ())), bool(t.get("schema_validated", False)),
                      tuple(compile_pattern(p) for p in t.get("registers", ())), tuple(t.get("register_args", ("0",))),
                      tuple(compile_pattern(p) for p in t.get("modules", ())))
            for t in data.get("tool_entry", [])
        ),
        tool_param_ignore=frozenset(data["tool_params"]["ignore"]),
        strip_pattern_calls=tuple(compile_pattern(p) for p in data["strip"]["pattern_calls"]),
        strip_proves=tuple((t["removes"], VerifierKind(t["kind"])) for t in data["strip"]["proves"]),
        unsafe_options=frozenset(data.get("command_options", {}).get("unsafe", ())),
        refused_prefixes={t["prefix"]: _kind(t["kind"], "rules", "refused_prefix.kind") for t in data.get("refused_prefix", [])},
        file_accesses=tuple(
            FileAccess(t["access"], _patterns(t, "rules", "file_access"), tuple(t["path"]), tuple(t.get("content", ())),
                       bool(t.get("interpreted", False)), _condition(t.get("unless_arg"), "rules", "file_access.unless_arg"))
            for t in data.get("file_access", [])
        ),
        file_carriers=tuple(compile_pattern(p) for p in data["files"]["carriers"]),
        path_joiners=tuple(compile_pattern(p) for p in data["files"]["joiners"]),
        document_files=re.compile(data["files"]["documents"]),
        interpreters=frozenset(data["files"]["interpreters"]),
        model_endpoints=model_endpoints(data.get("model_endpoint", [])),
        response_metadata=frozenset(data["response"]["metadata"]),
        transcript_speakers=frozenset(data["transcript"]["speaker_keys"]),
        transcript_contents=frozenset(data["transcript"]["content_keys"]),
        serialisers=tuple(compile_pattern(p) for p in data["serialised"]["patterns"]),
        output_hooks=tuple(
            OutputHook(t["label"], tuple(compile_pattern(p) for p in t["base_classes"]),
                       {name: tuple(params) for name, params in t["methods"].items()})
            for t in data.get("output_hook", [])
        ),
        code_agents=tuple(
            CodeAgent(t["label"], _patterns(t, "rules", "code_agent"),
                      _condition(t.get("when_arg"), "rules", "code_agent.when_arg"),
                      _condition(t.get("unless_arg"), "rules", "code_agent.unless_arg"),
                      tuple((category, tuple(compile_pattern(p) for p in patterns))
                            for category, patterns in t.get("with_tools", {}).items()),
                      tuple(t.get("model_args", ())), t.get("category", "code"))
            for t in data.get("code_agent", [])
        ),
    )

