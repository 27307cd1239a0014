"""What arrives over the wire, made safe before pygls sees it: a message without a Content-Length
header must not stall the session, and a request whose params pygls cannot read must still get an
answer (-32602). pygls alone does neither: its reader waits for a length that never comes and then
swallows the next message's header, and a failed conversion is logged with no reply."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, BinaryIO

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol

logger = logging.getLogger(__name__)

LENGTH_HEADER = b"content-length:"


class FramedReader:
    """The client's byte stream as pygls reads it (``readline`` for headers, ``read`` for a body),
    but re-framed one message at a time: each message pygls sees has exactly one Content-Length
    header, whatever came before it. Bytes that are not part of a framed message (a message sent
    without headers runs into the next message's header line) are skipped and logged, so the
    session goes on with the next well-framed message."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.pending = b""

    def readline(self) -> bytes:
        if not self.pending:
            self.pending = self._next_message()
        end = self.pending.find(b"\n") + 1 or len(self.pending)
        line, self.pending = self.pending[:end], self.pending[end:]
        return line

    def read(self, size: int) -> bytes:
        data, self.pending = self.pending[:size], self.pending[size:]
        return data

    def _next_message(self) -> bytes:
        """The next message framed anew, or b"" at the end of the stream."""
        length: int | None = None
        while True:
            line = self.stream.readline()
            if not line:
                return b""
            header = line.lower().find(LENGTH_HEADER)
            if header > 0:   # what came before the header has no length of its own
                skipped(line[:header])
                line = line[header:]
            if not line.strip():
                if length is not None:
                    break
                continue   # the end of a header block that had no length: what follows is skipped
            name, colon, value = line.partition(b":")
            if name.strip().lower() + colon == LENGTH_HEADER:
                length = int(value) if value.strip().isdigit() else None
            elif not colon:
                skipped(line)
        body = self.stream.read(length)
        return b"Content-Length: %d\r\n\r\n" % len(body) + body


def skipped(data: bytes) -> None:
    logger.warning("sdblint: skipped %d bytes that came without a Content-Length header: %r", len(data), data[:80])


@dataclass(frozen=True)
class Rejected:
    """A message pygls could not convert to its type: answered here, never dispatched."""

    data: dict[str, Any]   # the message as JSON; pygls has logged why it could not convert it


class GuardedProtocol(LanguageServerProtocol):
    """pygls' protocol, except that a request it cannot read is answered with an error."""

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException:   # raised inside json.loads: no reply would ever be sent
            return Rejected(data)

    def handle_message(self, message) -> None:
        if isinstance(message, Rejected):
            if "method" in message.data:   # a request or a notification; a response is never answered
                self.reply_error(message.data, JsonRpcInvalidParams(f"invalid params for {message.data['method']!r}"))
        elif not hasattr(message, "jsonrpc"):   # no "jsonrpc" member, or not an object at all
            self.reply_error(message if isinstance(message, dict) else {"id": None}, JsonRpcInvalidRequest())
        else:
            super().handle_message(message)

    def reply_error(self, data: dict[str, Any], error: JsonRpcException) -> None:
        """The error reply to a request; a notification (no id) gets none, as JSON-RPC says. An id
        that is neither a number nor a string cannot be echoed: the reply says the request was invalid."""
        if "id" not in data:
            logger.warning("sdblint: ignored a notification pygls could not read: %s", error)
            return
        request_id = data["id"]
        if request_id is not None and (isinstance(request_id, bool) or not isinstance(request_id, (int, str))):
            request_id, error = None, JsonRpcInvalidRequest("the request's id is neither a number nor a string")
        # Sent as a plain object: pygls' own response type would drop a null id, which JSON-RPC requires.
        self._send_data({"jsonrpc": "2.0", "id": request_id, "error": error.to_response_error()})
