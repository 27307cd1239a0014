"""Sink edges: which arguments of a sink call carry its payload, and what each proves or needs.

An inference call's body (a prompt) and a read-only API's POST body are no payload, only their
URL; a recorder's content is none, only where the record goes; a report's text is none, only its
path; a bound SQL parameter is a state write when the query writes.
"""
from __future__ import annotations

from ..catalog import Sink
from ..catalog.endpoints import ModelEndpoint
from ..catalog.model import RECEIVER_PAYLOAD, UNTYPED_RECEIVER
from ..facts import UNKNOWN_TEXT, Call, Flow
from ..kinds import VerifierKind
from ..nodes import sink_node
from ..project import display_path
from .types import SinkRole, SinkSite


class SinkEdges:
    """Mixin of :class:`~sdblint.flow.graph.FlowGraph`."""

    def url_texts(self, call: Call, url_args: tuple[str, ...]) -> list[str]:
        """The constant text of each URL argument (``url_args``: positions or keywords) that has one."""
        return [text for a in call.args if self.arg_matches(a, url_args)
                for text in [a.literal or a.text or self.field_text(a)] if text]

    def graphql_read(self, call: Call) -> bool:
        """Is the JSON body a constant GraphQL query (`{"query": "query Issue($id: ID!) {...}",
        "variables": ...}`)? A value spliced into the document (an empty `{}` in its text, which no
        GraphQL document has) may add an operation of its own."""
        return any(self.catalog.graphql_read.match(text) and UNKNOWN_TEXT not in text
                   for a in call.args if self.arg_matches(a, self.catalog.graphql_body_args) and not a.star
                   for text in [dict(a.field_texts).get("query", "")])

    def model_endpoint(self, call: Call, url_args: tuple[str, ...]) -> ModelEndpoint | None:
        """The model API ``call`` sends its request to, if its URL says so (an inference call)."""
        return next(filter(None, map(self.catalog.model_endpoint, self.url_texts(call, url_args))), None)

    def sink_edges(self, call: Call, sink: Sink, path: str, scope: str, record_targets: tuple[str, ...] | None = None) -> None:
        """Model values in the sink's payload arguments reach it (of a recorder, only the arguments
        that say where the record goes)."""
        query = self.arg_text(call, 0, None) or ""
        # The body of an inference call (a prompt) or a read-only API's POST is no payload; the URL is.
        read_only = bool(sink.url_args) and (self.model_endpoint(call, sink.url_args) is not None or any(
            self.catalog.read_only_url.match(text) for text in self.url_texts(call, sink.url_args))
            or self.graphql_read(call))
        for index, a in enumerate(call.args):
            category = sink.category
            if read_only and not self.arg_matches(a, sink.url_args):
                continue   # a query in the body of a search API's POST: a read, not a mutation
            if record_targets is not None and not self.arg_matches(a, record_targets):
                continue   # the content of a record
            if sink.document_content and self.arg_matches(a, sink.document_content) and self.writes_document(call):
                continue   # what a report or a log file says, not where it goes
            if sink.bound_args and self.arg_matches(a, sink.bound_args):
                if not any(query.lstrip().upper().startswith(v) for v in sink.write_verbs):
                    continue
                category = sink.bound_category
            elif sink.args and not self.arg_matches(a, sink.args):
                continue
            elif (sink.end_of_options and sink.end_of_options.positional and a.index is not None
                  and self.catalog.attached_option_value(a.text)):
                continue   # `repo.git.diff(f"--unified={n}")`: the value of an option the code chose
            node = sink_node(call.id, category, index)
            for f in a.flows:
                self.edge(f, node, scope)
            not_adequate = sink.not_adequate
            if sink.url_args and self.arg_matches(a, sink.url_args):
                not_adequate += tuple(sorted(self.catalog.categories[category].url_not_adequate))
            if category == "shell" and self.is_whole_escaped(a.flows):
                # `os.system(shlex.quote(cmd))`: quoting the whole command still lets the model
                # pick the program; only quoting each argument of a fixed program protects.
                not_adequate += (VerifierKind.SHELL_ESCAPE.value,)
            # A read-only API's host is fixed: what follows it only picks what to read.
            extra = sink.extra_adequate + ((VerifierKind.HOST_FIXED.value,) if read_only else ())
            self.sinks.append(SinkSite(node, call, category, self.callee_name(call, path), SinkRole.VALUE, a.keys,
                                       extra, not_adequate))
        if self.catalog.categories[sink.category].receiver_is_payload and call.receiver and (
                not sink.args or RECEIVER_PAYLOAD in sink.args):
            # `Path(model_path).unlink()`: the receiver is the path being written.
            node = sink_node(call.id, sink.category, "receiver")
            for f in call.receiver:
                self.edge(f, node, scope)
            # `target.write_text(body)`: the receiver's name is what a check on the path names.
            receiver = call.callee_text.rpartition(".")[0]
            keys = (receiver,) if receiver.replace(".", "").replace("_", "").isalnum() else ()
            self.sinks.append(SinkSite(node, call, sink.category, self.callee_name(call, path), SinkRole.VALUE, keys))

    @staticmethod
    def callee_name(call: Call, path: str) -> str:
        """The callee for people: its path, or as written where the receiver has no type."""
        return call.callee_text if path.startswith(UNTYPED_RECEIVER) else display_path(path)

    def is_whole_escaped(self, flows: tuple[Flow, ...]) -> bool:
        """Is the argument, as a whole, the result of a shell-escaping call (directly or through
        plain assignments)?"""
        p = self.project
        todo, seen = [f for f in flows if f.alias == ""], set()
        while todo:
            flow = todo.pop()
            if flow.src in seen:
                continue
            seen.add(flow.src)
            if flow.src in p.calls:
                res = self.resolutions.get(flow.src) or self.resolve(p.calls[flow.src])
                if res.verifier and res.verifier.kind is VerifierKind.SHELL_ESCAPE:
                    return True
            elif flow.src in p.defs:
                todo.extend(f for f in p.defs[flow.src].flows if f.alias == "")
        return False
