"""A keep-alive WSGI request handler for werkzeug's threaded server.

werkzeug's development server closes every connection (``Connection: close``) and then waits up
to 10 ms draining the socket, because http.server cannot tell where an unread body ends. A test
fake knows more: its bodies are bounded by ``FakeCloud.max_body``. So this handler reads the whole
body before calling the app, which makes the connection safe to reuse, and keeps HTTP/1.1
connections open. A client such as ``requests.Session`` or boto3 then pays for one TCP handshake
and one thread per connection instead of per request.

Bodies over the limit are not read: the app answers 413 and the connection closes, as it must.
"""

from __future__ import annotations

import io
from typing import Any

from werkzeug.serving import WSGIRequestHandler

#: the errors that mean the client went away (or a drop fault closed the socket)
GONE = (ConnectionError, TimeoutError, OSError)

#: idle keep-alive connections are closed after this many seconds, freeing their thread
IDLE_TIMEOUT = 30


class KeepAliveHandler(WSGIRequestHandler):
    timeout = IDLE_TIMEOUT
    # a response larger than the write buffer goes out in several writes; with Nagle on, a reused
    # connection would wait for the client's delayed ACK (~40 ms) on the last one
    disable_nagle_algorithm = True
    # buffer what a response writes (status line, headers, body) and send it with the flush that
    # ends each request: one segment instead of two, so the client wakes once per response
    wbufsize = -1
    # http.server's own refusals (a request line over 64 KiB: 414; a header line too long or too
    # many headers: 431; a malformed request: 400) in JSON like every other answer. Only the
    # server's fixed explanation goes in, never client text, so the template stays valid JSON.
    error_content_type = "application/json"
    error_message_format = '{"message": "%(explain)s", "code": %(code)d}'

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()  # the client waits for it before sending the body
        environ = self.make_environ()
        limit = getattr(self.server, "max_body", None)
        if not self._buffer_body(environ, limit):
            self.close_connection = True
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer["status"], answer["headers"] = status, headers
            return lambda data: answer.setdefault("written", []).append(data)

        try:
            chunks = self.server.app(environ, start_response)
            try:
                body = b"".join([*answer.get("written", ()), *chunks])
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
        except GONE as exc:
            self.connection_dropped(exc, environ)
            self.close_connection = True
            return
        except Exception as exc:  # the app already guards itself; this is the server's own net
            self.log_error("iotfake: unhandled error: %r", exc)
            answer = {
                "status": "500 INTERNAL SERVER ERROR",
                "headers": [("Content-Type", "application/json")],
            }
            body = b'{"message":"internal error in the fake"}'
            self.close_connection = True
        try:
            self._send(environ, answer["status"], answer["headers"], body)
        except GONE as exc:
            self.connection_dropped(exc, environ)
            self.close_connection = True

    def _buffer_body(self, environ: dict[str, Any], limit: int | None) -> bool:
        """Read the request body into memory; False if it was left unread (too large)."""
        stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH")
        if environ.get("wsgi.input_terminated"):  # chunked: read up to one byte past the limit
            data = _read_until_end(stream, None if limit is None else limit + 1)
            # from here on the body is a plain sized one (werkzeug ignores lengths when chunked)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            if limit is not None and len(data) > limit:
                environ["CONTENT_LENGTH"] = str(len(data))
                environ["wsgi.input"] = io.BytesIO(b"")
                environ.pop("wsgi.input_terminated", None)
                return False
            environ.pop("wsgi.input_terminated", None)
        elif length:
            try:
                size = int(length)
            except ValueError:
                return False
            if size < 0 or (limit is not None and size > limit):
                return False
            data = stream.read(size)
        else:
            data = b""
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        return True

    def _send(
        self, environ: dict[str, Any], status: str, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        names = set()
        for name, value in headers:
            lowered = name.lower()
            if lowered in ("connection", "transfer-encoding"):
                continue
            names.add(lowered)
            self.send_header(name, value)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if environ["REQUEST_METHOD"] != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()


def _read_until_end(stream: Any, most: int | None) -> bytes:
    """Read a stream to its end, or to ``most`` bytes: a chunked stream yields a chunk per read."""
    parts, size = [], 0
    while most is None or size < most:
        part = stream.read(65536 if most is None else min(65536, most - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)
