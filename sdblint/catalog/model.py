"""The catalog's typed model: proposers, sinks, verifiers, categories and the lookups on them.

Built from ``rules/*.toml`` and the user's ``[tool.sdblint]`` by :mod:`sdblint.catalog.loader`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..kinds import VerifierKind
from .endpoints import ModelEndpoint, endpoint_for
from .language import Language
from .patterns import Pattern

# The receiver segment of a method call whose receiver cannot be typed (`?.execute`).
UNTYPED_RECEIVER = "?."
# In a sink's `args`: the object the method is called on carries the risk (`Path(p).unlink()`).
RECEIVER_PAYLOAD = "receiver"


@dataclass(frozen=True)
class ArgCondition:
    index: int | None
    keyword: str | None
    contains: tuple[str, ...]
    default: str | None = None
    matches: re.Pattern | None = None   # or: the text matches this regular expression
    if_unknown: bool = False   # a value sdblint cannot know (`open(p, mode)`) counts as one that holds

    def holds(self, text: str) -> bool:
        return any(x in text for x in self.contains) or bool(self.matches and self.matches.search(text))


def takes_text(names: tuple[str, ...], position: int, name: str) -> bool:
    """Is the parameter at ``position`` (after a bound `self`) called ``name`` one of ``names``,
    which lists parameters by position ("0") or by name ("chunk")?"""
    return str(position) in names or name in names


@dataclass(frozen=True)
class StreamCallback:
    """An argument of a proposer call that is a function the library calls with the model's text
    as it streams (gpt4all `generate(prompt, callback=on_token)`)."""

    args: tuple[str, ...]      # the call's arguments that are the callback: positions ("1") or keywords
    params: tuple[str, ...]    # the callback's parameters that get the text (see :func:`takes_text`)


@dataclass(frozen=True)
class OutputHook:
    """A library base class whose subclasses' methods the library calls with model output (a
    LangChain callback handler's `on_llm_new_token(token)`): by method, the parameters that get it."""

    label: str
    base_classes: tuple[Pattern, ...]
    methods: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Proposer:
    label: str
    patterns: tuple[Pattern, ...]
    schema_args: tuple[str, ...] = ()
    schema_segments: tuple[str, ...] = ()
    unless_context: re.Pattern | None = None   # not a proposer inside scopes whose name matches
    callbacks: tuple[StreamCallback, ...] = ()   # functions handed to the call that get the text

    def applies_in(self, scope_qualname: str) -> bool:
        return self.unless_context is None or not self.unless_context.search(scope_qualname)


@dataclass(frozen=True)
class ModelClass:
    """A framework's model base class: a subclass *is* the model, so inside its completion
    ``methods`` what a transport call returns (the model server's response) is model output."""

    label: str
    base_classes: tuple[Pattern, ...]
    methods: tuple[str, ...]
    transports: tuple[Pattern, ...]
    writes_text: bool = True   # False for an embedding model: its answer is vectors, not model text


@dataclass(frozen=True)
class ModelInterface:
    """How a project's own abstract model interface is told from any other abstract method
    (``[model_interface]`` in rules/proposers.toml): words of its names and its parameters'."""

    label: str
    methods: frozenset[str]
    class_words: frozenset[str]
    method_words: frozenset[str]
    prompt_words: frozenset[str]

    def matches(self, class_name: str, method: str, params: tuple[str, ...]) -> bool:
        name = method.strip("_")
        words = name_words(name)
        named = name in self.methods or bool(words & self.method_words)
        about_models = bool(name_words(class_name) & self.class_words or words & self.method_words)
        return named and about_models and any(name_words(p) & self.prompt_words for p in params)


def name_words(name: str) -> set[str]:
    """The words of an identifier, in lower case: `BaseLLMProvider` -> base, llm, provider."""
    return {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", name)}


@dataclass(frozen=True)
class ToolEntry:
    label: str
    decorators: tuple[Pattern, ...]
    base_classes: tuple[Pattern, ...]
    methods: tuple[str, ...]          # "*": every public method the class defines
    schema_validated: bool
    registers: tuple[Pattern, ...] = ()   # calls that register a function as a tool
    register_args: tuple[str, ...] = ()   # the arguments of such a call that are the function
    modules: tuple[Pattern, ...] = ()     # modules whose public functions and methods are ready-made tools

    def has_method(self, name: str) -> bool:
        return name in self.methods or ("*" in self.methods and not name.startswith("_"))


@dataclass(frozen=True)
class EndOfOptions:
    """Where a sink's command line is, for the `--` that ends its options: a list display whose
    first word is one of ``programs`` (`subprocess.run(["git", "clone", "--", url])`), or the call's
    own positional arguments (``positional``: GitPython `repo.git.diff("--", path)` runs git)."""

    programs: tuple[str, ...] = ()
    positional: bool = False


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
    url_args: tuple[str, ...] = ()   # the URL: to a read-only API, only it is a payload
    end_of_options: EndOfOptions | None = None   # its argv reads no option after a literal `--`
    unless_opened: tuple[ArgCondition, ...] = ()   # not a sink when the handle it writes to was opened so (append: a log)
    document_content: tuple[str, ...] = ()   # arguments that are only what a document says (`[files] documents`)

    @property
    def untyped(self) -> bool:
        """Written for a receiver sdblint cannot type (`?.execute`): matched by method name."""
        return any(p.text.startswith(UNTYPED_RECEIVER) for p in self.patterns)


@dataclass(frozen=True)
class Recorder:
    """Calls that write model output down as the content of a record (a log or audit entry, a
    chat-history message, a transcript): recording a proposal is what the contract asks for.
    Only ``target_args`` (where the record goes) still reach a sink."""

    label: str
    patterns: tuple[Pattern, ...]
    target_args: tuple[str, ...] = ()
    base_classes: tuple[Pattern, ...] = ()   # a project subclass's `methods` record too
    methods: tuple[str, ...] = ()
    selects: bool = False   # a retrieval: the arguments only select what it returns, which is not model output


@dataclass(frozen=True)
class CodeAgent:
    """A call that builds an agent which acts on what its model writes, in-process: runs its code,
    its shell commands, its requests (the sink category says which)."""

    label: str
    patterns: tuple[Pattern, ...]
    when_arg: ArgCondition | None = None
    unless_arg: ArgCondition | None = None
    # By sink category: the agent is that sink only when an argument carries a tool built by one of
    # the patterns. Empty: the agent itself is a `category` sink.
    with_tools: tuple[tuple[str, tuple[Pattern, ...]], ...] = ()
    model_args: tuple[str, ...] = ()
    category: str = "code"


@dataclass(frozen=True)
class FileAccess:
    """A call that writes, reads or runs a file: what a write puts in a file is what a later read
    of the same file gets back, and what a run of it executes (write-then-execute)."""

    access: str                      # "write", "read" or "run"
    patterns: tuple[Pattern, ...]
    path: tuple[str, ...]            # the arguments that name the file; "receiver": the receiver does
    content: tuple[str, ...] = ()    # of a write: the arguments written
    interpreted: bool = False        # of a run: only a command that starts with a Python interpreter
    unless_arg: ArgCondition | None = None


@dataclass(frozen=True)
class Verifier:
    kind: VerifierKind
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
    receiver_is_payload: bool = False   # sinks without `args` also write to their receiver
    url_not_adequate: frozenset[str] = frozenset()   # not enough for a sink's `url_args` (SSRF)


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
    fixed_host_url: re.Pattern = re.compile(r"(?!)")   # constant URL text that fixes scheme and host
    read_only_url: re.Pattern = re.compile(r"(?!)")    # constant URL text of a read-only API endpoint
    graphql_read: re.Pattern = re.compile(r"(?!)")     # a GraphQL document that only reads (`query {...}`)
    graphql_body_args: tuple[str, ...] = ()            # the arguments of an HTTP call that hold its JSON body
    callback_runners: tuple[Pattern, ...] = ()
    composers: tuple[Pattern, ...] = ()
    graph_builders: tuple[tuple[Pattern, Pattern], ...] = ()   # (register a node, run the graph)
    graph_node_keywords: frozenset[str] = frozenset()          # keywords naming the node function
    language: Language = Language()
    schema_bases: tuple[Pattern, ...] = ()
    enum_bases: tuple[Pattern, ...] = ()
    opaque_calls: tuple[Pattern, ...] = ()    # results that keep none of the text: `len(x)`, digests
    plain_results: re.Pattern = re.compile(r"(?!)")   # matches a callee path through a plain value (`Path().stem.replace`)
    tool_entries: tuple[ToolEntry, ...] = ()
    output_hooks: tuple[OutputHook, ...] = ()
    tool_param_ignore: frozenset[str] = frozenset()
    recorders: tuple[Recorder, ...] = ()
    code_agents: tuple[CodeAgent, ...] = ()
    type_aliases: dict[str, str] = field(default_factory=dict)
    model_classes: tuple[ModelClass, ...] = ()   # annotated class -> the path of its instances
    model_interface: ModelInterface | None = None   # a project's abstract model interface
    strip_pattern_calls: tuple[Pattern, ...] = ()   # `re.sub(P, "", x)`: P's matches are deleted
    strip_proves: tuple[tuple[str, VerifierKind], ...] = ()   # (characters, kind once all are deleted)
    refused_prefixes: dict[str, VerifierKind] = field(default_factory=dict)   # not starting with it proves the kind
    unsafe_options: frozenset[str] = frozenset()   # options whose value is a file or a program (`--output`)
    file_accesses: tuple[FileAccess, ...] = ()
    file_carriers: tuple[Pattern, ...] = ()      # calls whose result stands for the file their first argument names
    path_joiners: tuple[Pattern, ...] = ()       # carriers that join all their arguments (`Path(root, name)`)
    document_files: re.Pattern = re.compile(r"(?!)")   # path text of a file written for people to read (a report)
    interpreters: frozenset[str] = frozenset()   # command heads that run the Python file named after them
    model_endpoints: tuple[ModelEndpoint, ...] = ()
    transcript_speakers: frozenset[str] = frozenset()   # keys of a chat-message record that name who spoke
    transcript_contents: frozenset[str] = frozenset()   # keys that hold what was said
    serialisers: tuple[Pattern, ...] = ()        # `json.dumps(x)`: a document holding the value, a record of it
    response_metadata: frozenset[str] = frozenset()   # attributes and keys of a model answer that hold no model text
    field_dumps: frozenset[str] = frozenset()    # `model.model_dump()`: the model's fields as a dict
    mutator_receivers: tuple[Pattern, ...] = ()   # typed receivers a mutating method puts its arguments in
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def attached_option_value(self, text: str) -> bool:
        """Does an argument starting with ``text`` put its value in an option the code wrote, in the
        same word (`f"--unified={n}"`), an option that is not unsafe? Then the value is no option."""
        name, eq, _ = text.partition("=")
        return bool(eq) and name.startswith("-") and " " not in name and name not in self.unsafe_options

    def mutates(self, call_method: str, paths) -> bool:
        """Does `x.append(v)` put ``v`` in ``x``: a mutating method on a receiver that is not typed
        or is typed as a container?"""
        return call_method in self.mutators and (
            not paths or any(pt.matches(path) for path in paths for pt in self.mutator_receivers))

    def classify(self, path: str) -> "Classification":
        """Every catalog entry a callee path matches (memoised: paths repeat a lot)."""
        found = self._memo.get(path)
        if found is not None:
            return found
        if not self._any_pattern().match(path) or self.plain_results.match(path):
            # Most calls match no entry: one combined regex says so at once. A path through a plain
            # value (`pathlib.Path().stem.replace` is `str.replace`) is no library call.
            found = NOTHING
        else:
            found = Classification(
                next((p for p in self.proposers if any(x.matches(path) for x in p.patterns)), None),
                tuple(s for s in self.sinks if any(x.matches(path) for x in s.patterns)),
                tuple(v for v in self.verifiers if any(x.matches(path) for x in v.patterns)),
                any(x.matches(path) for x in self.parsers),
                any(x.matches(path) for x in self.sandboxes),
                next((r for r in self.recorders if any(x.matches(path) for x in r.patterns)), None),
                next((a for a in self.code_agents if any(x.matches(path) for x in a.patterns)), None),
            )
        self._memo[path] = found
        return found

    def _any_pattern(self) -> re.Pattern:
        combined = self._memo.get("\0any")
        if combined is None:
            patterns = [x for group in (self.proposers, self.sinks, self.verifiers, self.recorders, self.code_agents)
                        for entry in group for x in entry.patterns]
            patterns += [*self.parsers, *self.sandboxes]
            combined = re.compile("|".join(f"(?:{x.source})" for x in patterns))
            self._memo["\0any"] = combined
        return combined

    def deleted_by_pattern(self, pattern: str) -> str:
        """The characters that matter to some sink (``strip_proves``) that `re.sub(pattern, "", x)` deletes."""
        try:
            compiled = re.compile(pattern)
        except (re.error, RecursionError, OverflowError):
            return ""
        wanted = sorted({c for chars, _ in self.strip_proves for c in chars})
        return "".join(c for c in wanted if compiled.fullmatch(c))

    def stripped_kinds(self, deleted: set[str]) -> set[VerifierKind]:
        """What a value proves once the characters ``deleted`` are gone from it."""
        return {kind for chars, kind in self.strip_proves if set(chars) <= deleted}

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

    def recorder(self, path: str) -> Recorder | None:
        return self.classify(path).recorder

    def code_agent(self, path: str) -> CodeAgent | None:
        return self.classify(path).code_agent

    def file_access(self, path: str) -> FileAccess | None:
        key = "\0file:" + path   # memoised beside `classify`: every call of a project is asked
        if key not in self._memo:
            self._memo[key] = None if self.plain_results.match(path) else next(
                (f for f in self.file_accesses if any(x.matches(path) for x in f.patterns)), None)
        return self._memo[key]

    def model_endpoint(self, url_text: str) -> ModelEndpoint | None:
        """The model API a URL's constant text names (see :func:`~sdblint.catalog.endpoints.endpoint_for`)."""
        return endpoint_for(self.model_endpoints, url_text)

    def reads_field(self, attr: str) -> tuple[bool, bool]:
        """Reading ``attr`` off a value (`usage.total_tokens`, `[content]`): does it go through a
        field that only describes a model's answer (`[response] metadata`), and through one that
        holds what a chat message said (`[transcript] content_keys`)? Memoised: asked per edge."""
        key = "\0attr:" + attr
        found = self._memo.get(key)
        if found is None:
            parts = {part.strip("[]") for part in attr.split(".")}
            found = self._memo[key] = (not parts.isdisjoint(self.response_metadata),
                                       not parts.isdisjoint(self.transcript_contents))
        return found

    def with_extensions(self, extra: "CatalogEntries") -> "Catalog":
        """The user's entries first, so an in-house proposer wins over a generic pattern."""
        if not extra.any():
            return self
        return replace(self, proposers=extra.proposers + self.proposers, sinks=extra.sinks + self.sinks,
                       verifiers=extra.verifiers + self.verifiers, recorders=extra.recorders + self.recorders, _memo={})


@dataclass(frozen=True)
class Classification:
    proposer: Proposer | None
    sinks: tuple[Sink, ...]
    verifiers: tuple[Verifier, ...]
    parser: bool
    sandboxed: bool
    recorder: Recorder | None = None
    code_agent: CodeAgent | None = None


NOTHING = Classification(None, (), (), False, False)


@dataclass(frozen=True)
class CatalogEntries:
    proposers: tuple[Proposer, ...] = ()
    sinks: tuple[Sink, ...] = ()
    verifiers: tuple[Verifier, ...] = ()
    recorders: tuple[Recorder, ...] = ()

    def any(self) -> bool:
        return bool(self.proposers or self.sinks or self.verifiers or self.recorders)


