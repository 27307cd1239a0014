"""Verifier kinds and the markers that explain a missing verifier: one enum each.

Catalog ``kind`` values and ``adequate`` lists (shipped and from ``[tool.sdblint]``) are
validated against :class:`VerifierKind`, so a misspelt kind is a config error, not a verifier
that silently never counts.
"""
from __future__ import annotations

from enum import Enum


class VerifierKind(str, Enum):
    ALLOWLIST = "allowlist"        # membership in a fixed set, a fixed dict lookup, `== "const"`
    ENUM = "enum"                  # `Action(x)` for an Enum class
    FULLMATCH = "fullmatch"        # `re.fullmatch(P, x)` with a rejecting branch
    SCHEMA = "schema"              # pydantic, jsonschema, structured output
    POLICY = "policy"              # a bounded comparison with a rejecting branch
    TYPE = "type"                  # `isinstance(x, T)` with a rejecting branch
    PATH_CHECK = "path-check"      # containment of a path in a root
    SHELL_ESCAPE = "shell-escape"  # `shlex.quote`
    HTML_ESCAPE = "html-escape"    # `html.escape`, `markupsafe.escape`
    HUMAN = "human"                # an approval whose answer guards the action
    SANDBOX = "sandbox"            # code run in isolation
    CUSTOM = "custom"              # a project function whose body can reject
    DENYLIST = "denylist"          # rejects what matches something bad (`re.search(r"DROP", q)`), lets the rest through
    AST_ALLOWLIST = "ast-allowlist"  # parses the value and rejects every syntax node outside a fixed set
    SIGNATURE = "signature"        # a framework's own type check of tool arguments
    HOST_FIXED = "host-fixed"      # a URL whose scheme and host are constants
    SQL_LITERAL = "sql-literal"    # a value composed into SQL as a quoted literal or identifier
    PATH_COMPONENT = "path-component"  # no path separator left: it names an entry of the folder it joins
    OPTION_CHECK = "option-check"  # cannot start with `-`: no option on a command line
    TRANSCRIPT = "transcript-entry"  # the content of a chat-message record: recorded, not acted on
    SERIALISED = "serialised-record"  # part of a document a serialiser made (`json.dumps(state)`): persisted, not acted on

    @property
    def is_record(self) -> bool:
        """A record of the text, not a check of it: enough where storing text is no action, never
        counted as a verifier where it is not."""
        return self in (VerifierKind.TRANSCRIPT, VerifierKind.SERIALISED)

    def __str__(self) -> str:
        return self.value


class Marker(str, Enum):
    """Why a path has no verifier, though something on it looked like one."""

    PARSE = "parse"                # parsed, never validated
    NAME_ONLY = "name-only"        # named like a verifier, cannot reject
    DISCARDED = "discarded"        # a validator ran, its result was thrown away
    DELETED = "deleted"            # characters deleted (`x.replace("/", "")`): what that proves is catalog data

    def __str__(self) -> str:
        return self.value


VERIFIER_KINDS = frozenset(k.value for k in VerifierKind)
