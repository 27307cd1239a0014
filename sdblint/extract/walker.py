"""The walker: one pass over a module's libcst tree, from the top statement down.

Flow-sensitive inside a function: it keeps, per name, the set of definitions that can reach
the current statement (strong updates, in loops too: what an earlier pass assigned reaches the
reads before the assignment through a loop-carried definition; merges after branches) and the
set of checks that hold there (``if x not in ALLOWED: raise`` guards what follows, ``if ok:``
only its body). Every read of a name records both, so the
graph needs no control-flow information of its own.

Each job is a mixin in its own module; this class holds the walk's state and its output.
"""
from __future__ import annotations

import libcst as cst

from ..facts import (
    Call,
    Check,
    ClassInfo,
    Def,
    Flow,
    Function,
    Handler,
    Loc,
    Loop,
    ModuleFacts,
    Store,
)
from ..nodes import scope_key
from .ast_walks import AstWalks
from .bindings import Bindings
from .budget import Deadline
from .calls import Calls
from .conditions import Conditions
from .expressions import Expressions
from .texts import Texts
from .positions import node_spans
from .settings import ModuleSettings
from .state import Scope, State
from .statements import Statements
from .suppressions import suppressions
from .syntax import dotted


class Walker(Statements, AstWalks, Bindings, Conditions, Expressions, Texts, Calls):
    def __init__(self, path: str, module: str, source: str, is_package: bool, deadline: Deadline):
        self.path = path
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.source = source
        self.deadline = deadline
        self.lines = source.splitlines()
        self.calls: list[Call] = []
        self.defs: list[Def] = []
        self.stores: list[Store] = []
        self.checks: list[Check] = []
        self.loops: list[Loop] = []
        self.handlers: list[Handler] = []
        self.functions: list[Function] = []
        self.classes: list[ClassInfo] = []
        self.imports: dict[str, str] = {}
        self.module_defs: dict[str, list[str]] = {}
        self.loop_depth = 0
        self.stmt_lines = (0, 0)
        self.scope = Scope(key=scope_key(module), class_name=None, self_name=None)
        self.state = State()
        self.spans: dict = {}
        self.call_ids: dict[int, str] = {}
        self.selectors: dict[int, tuple[Flow, ...]] = {}    # lookup expression -> its key's flows
        self.conditions: dict[str, cst.BaseExpression] = {}  # def node -> the test it stores (`ok = x in A`)
        self.def_flows: dict[str, tuple[Flow, ...]] = {}
        self.dict_literals: dict[int, dict[str, tuple[Flow, ...]]] = {}   # dict display -> flows per constant key
        self.dict_fields: dict[str, dict[str, tuple[Flow, ...]]] = {}     # def node holding one -> the same
        self.dict_texts: dict = {}    # dict display, and def node holding one -> constant text per key
        self.def_texts: dict[str, str] = {}   # def node -> the constant text its string value starts with
        self.constraint_aliases: dict[str, str] = {}   # `Slug = Annotated[str, Field(pattern=P)]` -> its constraint
        self.def_values: dict[str, tuple[str, ...]] = {}   # def node -> every string it can be, when all are known
        self.call_inputs: dict[str, tuple[Flow, ...]] = {}   # call node -> its receiver and argument flows
        self.expanding: set[str] = set()   # names whose stored condition is being read
        self.url_constants: dict[str, str] = {}   # dotted name -> a URL literal it holds
        self.module_texts: dict[str, str] = {}    # module constant -> the string literal it holds
        self.parsed_texts: dict[tuple[str, str], str] = {}   # (scope, name of a tree) -> the text it was parsed from
        self.walks: dict[str, str] = {}           # loop variable of an `ast.walk` -> the tree it walks
        self.walks_checked: set[str] = set()      # trees a walk rejected outside an AST allow-list
        self.visitor_entries: set[int] = set()    # `visit` methods of AST visitors that see every node (by node identity)
        self.node_type_defs: set[str] = set()     # def nodes holding the type of a walked node (`kind = type(node)`)
        self.def_selector: dict[str, tuple[Flow, ...]] = {}
        # Per-node answers on long chains (`a.b.c...`, `a + b + ...`), by node identity: the tree
        # outlives the walk, so ids are not reused. Without them each level re-reads the chain below.
        self.dotted_memo: dict[int, str | None] = {}
        self.prefix_memo: dict[int, str] = {}
        self.settings: ModuleSettings | None = None   # the module's classes and constants, for configured texts
        self.function_nodes: dict[str, cst.FunctionDef] = {}   # scope key -> its `def`


    def run(self, tree: cst.Module) -> ModuleFacts:
        self.spans = node_spans(tree)
        self.settings = ModuleSettings(tree)
        self.block(tree.body)
        coded, bare = suppressions(self.source)
        return ModuleFacts(
            path=self.path,
            module=self.module,
            imports=tuple(sorted(self.imports.items())),
            module_defs=tuple(sorted((k, tuple(v)) for k, v in self.module_defs.items())),
            functions=tuple(self.functions),
            classes=tuple(self.classes),
            calls=tuple(self.calls),
            defs=tuple(self.defs),
            stores=tuple(self.stores),
            checks=tuple(self.checks),
            loops=tuple(self.loops),
            handlers=tuple(self.handlers),
            suppressions=coded,
            bare_suppressions=bare,
        )

    def dotted(self, node) -> str | None:
        return dotted(node, self.dotted_memo)

    def loc(self, node: cst.CSTNode) -> Loc:
        line, column, end_line, end_column = self.spans[id(node)]
        return Loc(line, column + 1, end_line, end_column + 1)

    def line(self, node: cst.CSTNode) -> int:
        return self.spans[id(node)][0]

    def end_line(self, node: cst.CSTNode) -> int:
        return self.spans[id(node)][2]

    def source_for(self, loc: Loc, limit: int) -> str:
        """The source text at ``loc``, whitespace-normalised, cut to ``limit`` characters. Lines are
        read only until the cut is reached, so a huge call costs no more than a short one."""
        first = self.lines[loc.line - 1]
        words = (first[loc.column - 1: loc.end_column - 1] if loc.line == loc.end_line else first[loc.column - 1:]).split()
        size = sum(map(len, words)) + len(words)
        for n in range(loc.line + 1, loc.end_line + 1):
            if size > limit:
                break
            text = self.lines[n - 1]
            more = (text[: loc.end_column - 1] if n == loc.end_line else text).split()
            words.extend(more)
            size += sum(map(len, more)) + len(more)
        return " ".join(words)[:limit]
