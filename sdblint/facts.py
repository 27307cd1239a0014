"""Plain, picklable facts that one libcst pass extracts from one module.

Nothing downstream of extraction touches a CST: the project graph is built from these
records alone, so they can be cached per file and tested on their own.

Value references (``src`` in a :class:`Flow`) are strings with a one-letter kind prefix:

- ``n:<module>::<scope>::<name>#<k>``  a definition of a local or module-level name
- ``c:<module>:<id>``                  the result of a call
- ``r:<module>::<scope>``              a function's return value
- ``g:<module>:<name>``                a module-level name read from another scope
                                       (resolved by the graph through defs and imports)
- ``a:<module>:<class>:<attr>``        an attribute stored on instances of a project class
"""
from __future__ import annotations

from dataclasses import dataclass

# Alias segments of containers (see :attr:`Flow.alias`). A list, tuple or set holds what it is
# built from as its elements, so the types of what is put in survive until an element is read.
CONTAINS = ".[+]"   # the value is a container whose elements are the source (`[Ask(), Run()]`)
ELEMENT = ".[*]"    # the value is an element of the source container (`for step in steps`)
GENERIC = ".[T]"    # the source subscripted with type arguments (`Registry[Context]`): the source, if it is a class


@dataclass(frozen=True, slots=True)
class Loc:
    line: int
    column: int
    end_line: int
    end_column: int


# `Guard.arg` of a statement call that checks its receiver (`target.relative_to(base)`).
RECEIVER = -2


@dataclass(frozen=True, slots=True)
class Guard:
    """A check active where a value is read.

    ``kind`` is one of ``allowlist``, ``fullmatch``, ``type``, ``policy`` (decided by the
    shape of the condition), ``call`` (a predicate or raising call whose meaning the
    graph resolves through the catalog or the project), ``mapping`` (a lookup whose
    key is guarded if the mapping turns out to be a fixed dict literal),
    ``base`` (the value follows another value and a "/" in a string, `f"{base_url}/{path}"`: the
    host is fixed if ``container``, the first value's sources, holds no model output),
    ``refused-prefix`` (the value does not start with ``prefix``: the branch where
    `x.startswith(prefix)` was false), or ``field`` (the value is stored under key
    ``mapping`` of a record whose keys are ``container``: a dict display or a call's
    keywords; the catalog says which records are transcript entries).
    """

    kind: str
    line: int
    call: str = ""          # for kind "call": the call node id
    mapping: str = ""       # for kind "mapping": dotted text of the mapping expression
    keyed: bool = True      # the read value is one the check constrains (not only "*")
    predicate: bool = False # a call used as a condition (its truth value is the check)
    container: tuple[str, ...] = ()  # for membership allow-lists: the values the container is built from
    prefix: str = ""        # for kind "prefix": the constant URL text before the value in a string;
                            # for "refused-prefix": the text the value does not start with
    arg: int = -1           # for kind "call": which of the call's arguments holds the value (-1: unknown, RECEIVER)


# In an argument's constant text (`Arg.text`): a value not known (`f"https://{host}/x"` is
# "https://{}/x"); never part of a host. No GraphQL document or path has an empty `{}` of its own.
UNKNOWN_TEXT = "{}"


@dataclass(frozen=True, slots=True)
class Flow:
    """One value flowing into a definition, argument, store or return."""

    src: str
    line: int
    alias: str | None = ""  # "" same object, ".a.b" attribute of it, None derived value; CONTAINS, ELEMENT
    attr: str = ""          # attributes read on the source value, dotted (for model fields)
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True, slots=True)
class Arg:
    index: int | None       # positional index, None for keywords and stars
    keyword: str | None
    star: str               # "", "*" or "**"
    flows: tuple[Flow, ...]
    literal: str | None     # the value of a plain string literal argument
    dotted: str | None      # dotted text of a Name/Attribute argument (schema classes)
    keys: tuple[str, ...]   # dotted texts of the names read, for verifier bookkeeping
    text: str = ""          # the constant text a non-literal argument starts with (`f"SELECT {x}"`, `BASE + q`)
    words: tuple[str, ...] = ()   # of a list or tuple display (`[sys.executable, path]`): each element's literal or dotted text
    literals: int = 0             # of a list or tuple display: how many of its first elements are string literals
    values: tuple[str, ...] = ()  # every string a non-literal argument can be, when each is known (`"w" if c else "x"`)
    field_texts: tuple[tuple[str, str], ...] = ()   # of a dict display (or a name holding one): each constant key's constant text


@dataclass(frozen=True, slots=True)
class Call:
    id: str                 # "c:<module>:<n>", also the node of its result
    scope: str              # the function key it appears in
    loc: Loc
    stmt_lines: tuple[int, int]
    callee_kind: str        # "attr" (x.m(...)), "name" (f(...)) or "other" (d[k](...), f()(...))
    method: str             # the attribute name for "attr" callees
    func_flows: tuple[Flow, ...]      # flows of the callee expression
    receiver: tuple[Flow, ...]        # flows of the receiver of an "attr" callee
    args: tuple[Arg, ...]
    first_literal: str | None
    discarded: bool         # the result is unused (expression statement)
    in_loop: bool
    text: str               # the call's source text, whitespace-normalised, for fingerprints
    callee_text: str        # the callee expression's source text
    selector: tuple[Flow, ...] | None = None  # a dispatch site: flows of the key/name that picks the callable
    is_lookup: bool = False  # the call itself looks a value up by key (`d.get(k)`, `getattr(o, n)`)
    removed: str = ""        # `x.replace(c, "")` (also for each `c` of a literal string looped over): the characters
    removed_pattern: str = ""  # `sub(P, "", x)`: the literal pattern P whose matches are deleted


@dataclass(frozen=True, slots=True)
class Binding:
    """What a `def` or `class` statement binds its name to."""

    kind: str               # "func" or "class", as :class:`sdblint.project.Entity` kinds
    key: str                # the function key or the class key


@dataclass(frozen=True, slots=True)
class Def:
    node: str
    name: str
    scope: str
    line: int
    flows: tuple[Flow, ...]
    literal_kind: str = ""  # "dict", "list", ... when the value is a display literal
    note: str = ""
    selector: tuple[Flow, ...] | None = None  # the value was looked up by name (`tools[name]`, `getattr(o, n)`)
    binds: "Binding | None" = None   # `def`/`class` statements: what the name is bound to
    annotation: str = ""    # `x: T = ...`: what the annotation says (see extract.annotations.annotation_kind)


@dataclass(frozen=True, slots=True)
class Store:
    """Flows written into an existing value: ``obj.x = v``, ``d[k] = v``, ``self.x = v``."""

    target: str
    line: int
    flows: tuple[Flow, ...]
    note: str = ""
    literal_kind: str = ""
    attr: str = ""          # `obj.x = v` from outside the class: the attribute written
    key: str = ""           # `d["k"] = v`: the constant key written


@dataclass(frozen=True, slots=True)
class Check:
    """A condition, assert or statement call that may verify the values it names."""

    scope: str
    line: int
    keys: tuple[str, ...]
    guard: Guard
    rejects: bool           # one of its branches exits (raise/return/continue/break)


@dataclass(frozen=True, slots=True)
class Loop:
    """A `for`/`while` loop: the reprompt and autonomy rules look at its bound."""

    scope: str
    line: int
    end_line: int
    kind: str               # "for", "async for" or "while"
    bounded: bool           # `for` over a range or a collection; `while` with a condition that can end


@dataclass(frozen=True, slots=True)
class Handler:
    """An `except` clause and what it does with the failure."""

    scope: str
    line: int
    try_lines: tuple[int, int]
    exceptions: tuple[str, ...]   # dotted names; () for a bare `except:`
    action: str             # "pass", "raise", "return", "continue", "break" or "handle"


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    node: str
    index: int
    annotation: str | None
    star: str = ""
    constraint: str = ""    # "literal", "pattern:P" or "bounded" (see extract.annotations.annotation_constraint)


@dataclass(frozen=True, slots=True)
class Function:
    key: str                # "<module>::<qualname>"
    name: str
    qualname: str
    class_name: str | None
    params: tuple[Param, ...]
    returns: tuple[Flow, ...]
    decorators: tuple[str, ...]
    loc: Loc
    is_async: bool
    # The parameters on whose values a branch raises, or returns None/False ("*": any). A raise
    # rejects for a caller that ignores the result; a falsy return only for one that reads it.
    raises_on: tuple[str, ...]
    rejects_on: tuple[str, ...]
    # Per parameter rejected, how its rejections decide (sdblint.extract.rejections.Shape values:
    # "denylist" when every one rejects what matches something bad, "ast-allowlist", ...).
    rejection_shapes: tuple[tuple[str, str], ...]
    is_predicate: bool      # returns a comparison, membership test or boolean literal
    is_abstract: bool
    is_static: bool
    returned_calls: tuple[str, ...] = ()   # calls returned as they are (`return re.fullmatch(...)`)
    # Every return is a dict with constant keys (`return {"url": BASE, "data": body}`): its
    # fields, so that `d = f(); d["url"]` reads one field only. None: not such a function.
    returned_fields: tuple[tuple[str, tuple[Flow, ...]], ...] | None = None
    returned_texts: tuple[tuple[str, str], ...] = ()   # of those fields, the constant text each starts with
    return_annotation: str = ""   # `-> Page`: what a call returns (see extract.syntax.annotation_kind)


@dataclass(frozen=True, slots=True)
class ClassInfo:
    qualname: str
    bases: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]   # (name, "literal" | dotted annotation)
    loc: Loc
    decorators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    path: str               # relative to the project root, with "/" separators
    module: str
    imports: tuple[tuple[str, str], ...]        # (local name, absolute dotted target)
    module_defs: tuple[tuple[str, tuple[str, ...]], ...]   # module-level name -> def nodes
    functions: tuple[Function, ...] = ()
    classes: tuple[ClassInfo, ...] = ()
    calls: tuple[Call, ...] = ()
    defs: tuple[Def, ...] = ()
    stores: tuple[Store, ...] = ()
    checks: tuple[Check, ...] = ()
    loops: tuple[Loop, ...] = ()
    handlers: tuple[Handler, ...] = ()
    suppressions: tuple[tuple[int, tuple[str, ...]], ...] = ()
    bare_suppressions: tuple[int, ...] = ()     # lines of `# noqa` / `# sdblint: ignore` naming no code


@dataclass(frozen=True, slots=True)
class ParseError:
    """A file that could not be analysed: the line and column where known, and a one-line reason."""

    path: str
    message: str
    line: int | None = None
    transient: bool = False  # the run's conditions, not the file, decided it (a time budget, a crash): never cached
    column: int | None = None
    # Python itself cannot parse the file (a syntax error, an undecodable byte): it fails the run, as
    # in ruff, and every format shows where. Otherwise only sdblint could not (a time budget, a crash).
    syntax: bool = False

    @property
    def kind(self) -> str:
        """What the reports call it: "syntax-error" (Python cannot parse it) or "not-analysed"."""
        return "syntax-error" if self.syntax else "not-analysed"
