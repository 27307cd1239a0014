"""Files written and then read back or run (write-then-execute).

What a write puts in a file reaches every later read of the same file, and a run of that file
(`subprocess.run([sys.executable, path])`, `runpy.run_path(path)`) is a code-execution sink of its
own. The written text flows into the write call's node; that node flows on to the reads and runs.

"The same file" is decided conservatively, by how the path is written, never by what it might
evaluate to: the same local value (the same definition of a local or parameter), the same `self.`
attribute within a class, or the same module constant or constant path text within one function
(or one class). A path handed through a file handle, `Path(p)` or `str(p)` is the path inside.
"""
from __future__ import annotations

from ..catalog.model import FileAccess
from ..facts import Arg, Call, Flow
from ..nodes import NodeKind, class_key, kind_of, scope_module, sink_node
from .types import SinkRole, SinkSite
from .walk import ValueWalk

CODE = "code"
FILE_SLOT = "file"   # the slot of the sink node a run of a written file adds
RECEIVER = "receiver"
ANY_ARG = "*"
SAME_FILE_ALIASES = ("", ".name")

FileKey = tuple[str, ...]


class WrittenFiles:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def file_edges(self) -> None:
        if not self.catalog.file_accesses:
            return
        accesses = []
        for call in self.project.calls.values():
            access = next((a for a in map(self.catalog.file_access, self.resolutions[call.id].paths) if a), None)
            if access is not None and self.conditions_hold(None, access.unless_arg, call):
                accesses.append((call, access))
        writes: dict[FileKey, list[Call]] = {}
        for call, access in accesses:
            if access.access != "write":
                continue
            for a in call.args:
                if self.arg_matches(a, access.content):
                    for f in a.flows:
                        self.edge(f, call.id, call.scope)
            for key in self.file_keys(call, access):
                writes.setdefault(key, []).append(call)
        if not writes:
            return
        for call, access in accesses:
            if access.access == "write":
                continue
            written = sorted({w.id: w for key in self.file_keys(call, access) for w in writes.get(key, ())
                              if self.written_before(w, call)}.values(), key=lambda w: w.id)
            if not written:
                continue
            if access.access == "read":
                for w in written:
                    self.add(w.id, call.id)
                continue
            target = sink_node(call.id, CODE, FILE_SLOT)
            named = [a for a in call.args if ANY_ARG in access.path or self.arg_matches(a, access.path)]
            path = self.resolutions[call.id].paths[0]
            self.sinks.append(SinkSite(target, call, CODE, self.callee_name(call, path), SinkRole.VALUE,
                                       tuple(k for a in named for k in a.keys)))
            self.node_scope[target] = call.scope
            # The checks that hold where the run names the file (an approval asked first) guard the run.
            guards = tuple(dict.fromkeys(g for a in named for f in a.flows for g in f.guards))
            for w in written:
                self.edge(Flow(w.id, call.loc.line, guards=guards), target, call.scope)

    @staticmethod
    def written_before(write: Call, use: Call) -> bool:
        """In one function, only a write above the read or run fills the file it reads or runs."""
        return write.scope != use.scope or write.loc.line < use.loc.line

    def file_keys(self, call: Call, access: FileAccess) -> set[FileKey]:
        """The keys of the file a write, read or run names."""
        keys: set[FileKey] = set()
        if RECEIVER in access.path:
            keys |= self.flow_keys(call.receiver, call.scope)
        for a in call.args:
            if ANY_ARG not in access.path and not self.arg_matches(a, access.path):
                continue
            if access.interpreted:
                keys |= self.command_keys(a, call.scope)
            else:
                keys |= self.arg_keys(a, call.scope)
        return keys

    def arg_keys(self, a: Arg, scope: str) -> set[FileKey]:
        keys = self.flow_keys(a.flows, scope)
        if a.literal:
            keys.add(("text", self.file_owner(scope), a.literal))
        return keys

    def command_keys(self, a: Arg, scope: str) -> set[FileKey]:
        """The files a command runs with a Python interpreter: what follows the interpreter in a
        list display (`[sys.executable, path]`) or in the command's text (`f"python {path}"`)."""
        interpreters = self.catalog.interpreters
        text = a.literal if a.literal is not None else a.text
        words = list(a.words) or text.split()
        if not words or words[0] not in interpreters:
            return set()
        owner = self.file_owner(scope)
        keys = {("text", owner, w) for w in words[1:] if w and not w.startswith("-")}
        return keys | self.flow_keys(a.flows, scope)

    def flow_keys(self, flows: tuple[Flow, ...], scope: str) -> set[FileKey]:
        """Keys of the values that name a file: locals and parameters, `self.` attributes, module
        constants, and through handles and path objects (`open(p)`, `Path(p)`) the path inside."""
        p = self.project
        owner = self.file_owner(scope)
        keys: set[FileKey] = set()
        walk = ValueWalk(f.src for f in flows)
        for node in walk:
            kind = kind_of(node)
            if kind in (NodeKind.DEF, NodeKind.ATTR):
                keys.add(("value", node))
                d = p.defs.get(node)
                # `with open(p, "w") as fh`, `target = Path(p)`, `q = p`: the same file as `p`; and
                # `path = fh.name`: a handle's name is the file it was opened on (a temporary file's too).
                if d is not None and d.flows and all(f.alias in SAME_FILE_ALIASES for f in d.flows):
                    walk.push(f.src for f in d.flows)
            elif kind is NodeKind.GLOBAL:
                keys.add(("value", owner, node))
            elif kind is NodeKind.CALL and node in p.calls and self.is_file_carrier(p.calls[node]):
                # Followed here, not by recursion: `p = Path(p)` in a loop is a cycle.
                first = next((a for a in p.calls[node].args if a.index == 0), None)
                if first is not None:
                    walk.push(f.src for f in first.flows)
                    if first.literal:
                        keys.add(("text", owner, first.literal))
        if walk.cut_short:
            p.limits.hit("MAX_TABLE_NODES")
        return keys

    def is_file_carrier(self, call: Call) -> bool:
        return any(pt.matches(path) for path in self.resolutions[call.id].paths for pt in self.catalog.file_carriers)

    def file_owner(self, scope: str) -> str:
        """Where a constant path means the same file: the class of a method, else the function."""
        function = self.project.functions.get(scope)
        if function is not None and function.class_name:
            return class_key(scope_module(scope), function.class_name)
        return scope
