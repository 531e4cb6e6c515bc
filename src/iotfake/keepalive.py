"""A keep-alive WSGI request handler for werkzeug's threaded server, lean on the hot path.

werkzeug's development server closes every connection (``Connection: close``) and then waits up
to 10 ms draining the socket, because http.server cannot tell where an unread body ends. A test
fake knows more: its bodies are bounded by ``FakeCloud.max_body``. So this handler reads the whole
body before calling the app, which makes the connection safe to reuse, and keeps HTTP/1.1
connections open. A client such as ``requests.Session`` or boto3 then pays for one TCP handshake
and one thread per connection instead of per request.

Bodies over the limit are not read: the app answers 413 and the connection closes, as it must.
A client that sent ``Expect: 100-continue`` with such a body gets the 413 instead of the go-ahead.

The request head is read by :mod:`iotfake.httphead` (not http.server's email-based parser) and the
WSGI environ built here, to the same values werkzeug's ``make_environ`` gives; the response goes
out as one write of bytes put together here. http.server's parsing, werkzeug's ``make_environ``
and http.server's response helpers were about a third of the server's time per AWS request under
boto3's replayed load (bench/replay.py).
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from http import HTTPStatus
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from . import httphead
from .httphead import Refusal
from .providers.base import json_response

#: the errors that mean the client went away (or a drop fault closed the socket)
GONE = (ConnectionError, TimeoutError, OSError)

#: idle keep-alive connections are closed after this many seconds, freeing their thread
IDLE_TIMEOUT = 30
#: a request's head must have arrived this many seconds after its first byte, and its body as
#: many seconds after the head plus a second for every ``MIN_BODY_RATE`` bytes that came. The
#: idle timeout bounds only the silence between two reads: a client sending a header line every
#: 12 s kept its thread for good, and 256 of them answered every other client 503 (slowloris).
#: A slow upload that keeps coming (a megabyte at 28 KB/s) goes on, as Apache's MinRate lets it
READ_TIMEOUT = 30
MIN_BODY_RATE = 500

#: the most digits a Content-Length may have (an exabyte); a longer one is refused with a 413
_LENGTH_DIGITS = 18

#: headers the handler writes itself
_OWN = frozenset({"connection", "transfer-encoding"})


#: empty lines ignored before a request line (RFC 9112 says at least one)
EMPTY_LINES = 4


class KeepAliveHandler(WSGIRequestHandler):
    timeout = IDLE_TIMEOUT
    # a response larger than the write buffer goes out in several writes; with Nagle on, a reused
    # connection would wait for the client's delayed ACK (~40 ms) on the last one
    disable_nagle_algorithm = True
    # buffer what a response writes (status line, headers, body) and send it with the flush that
    # ends each request: one segment instead of two, so the client wakes once per response
    wbufsize = -1
    # refusals of the head (a request line over 64 KiB: 414; a header line too long or too many
    # headers: 431; a malformed request: 400; HTTP/2 and later: 505) in JSON like every other
    # answer. Only the server's fixed explanation goes in, never client text, so the template
    # stays valid JSON.
    error_content_type = "application/json"
    error_message_format = '{"message": "%(explain)s", "code": %(code)d}'

    def setup(self) -> None:
        super().setup()
        # the connection's reads bounded by the request's deadline (see READ_TIMEOUT); the file
        # ``setup`` made is closed, or the socket would stay open after the handler closes it
        made, self._reader = self.rfile, _DeadlineReader(self.connection, IDLE_TIMEOUT)
        self.rfile = io.BufferedReader(self._reader)
        made.close()
        server = self.server
        self._server_line = f"Server: {self.version_string()}\r\n"
        # what every request on this connection shares (the fake serves plain HTTP: no TLS keys)
        self._constant: dict[str, Any] = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http" if getattr(server, "ssl_context", None) is None else "https",
            "wsgi.multithread": server.multithread,
            "wsgi.multiprocess": server.multiprocess,
            "wsgi.run_once": False,
            "werkzeug.socket": self.connection,
            "SERVER_SOFTWARE": self.server_version,
            "SCRIPT_NAME": "",
            "REMOTE_ADDR": self.address_string(),
            "REMOTE_PORT": self.port_integer(),
            "SERVER_NAME": server.server_address[0],
            "SERVER_PORT": str(server.server_address[1]),
        }

    def handle_one_request(self) -> None:
        """Read one request head, answer it; ``close_connection`` says whether another may follow."""
        try:
            self._reader.deadline, self._reader.rate = None, 0  # waiting: the idle timeout alone
            if not self.rfile.peek(1):
                self.close_connection = True
                return
            self._reader.deadline = time.monotonic() + READ_TIMEOUT
            line = self.rfile.readline(httphead.MAX_LINE + 1)
            for _ in range(EMPTY_LINES):  # RFC 9112 2.2: empty lines before a request line are ignored
                if line not in (b"\r\n", b"\n"):
                    break
                line = self.rfile.readline(httphead.MAX_LINE + 1)
            if len(line) > httphead.MAX_LINE:  # as http.server answers it
                self.requestline = self.request_version = self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not line:
                self.close_connection = True
                return
            try:
                environ = self._read_head(line)
            except Refusal as refusal:
                self.send_error(refusal.status, refusal.message, refusal.explain)
                return
            if environ is not None:
                try:
                    self._serve(environ)
                except Refusal as refusal:  # a body whose framing is broken (chunk sizes)
                    self.close_connection = True
                    self.send_error(refusal.status, refusal.message, refusal.explain)
        except TimeoutError as exc:  # a read or a write timed out: the connection is done
            self.log_error("Request timed out: %r", exc)
            self.close_connection = True
            if self._reader.deadline is not None:  # mid-request: say so, if the client still reads
                self._reader.deadline = None
                with contextlib.suppress(*GONE):
                    self.send_error(HTTPStatus.REQUEST_TIMEOUT)

    def _read_head(self, raw: bytes) -> dict[str, Any] | None:
        """The WSGI environ of the request whose line is ``raw``; None (and closed) if empty."""
        self.close_connection = True
        self.command, self.request_version = None, "HTTP/1.1"  # refusals get a status line
        self.requestline = raw.decode("latin-1").rstrip("\r\n")
        line = httphead.request_line(raw)
        if line is None:
            return None
        self.command, self.path, self.request_version = line.method, line.target, line.version
        fields = httphead.fields(self.rfile.readline)
        environ = dict(self._constant)
        path, query, host = httphead.locate(line.target)
        uri = httphead.wsgi_text(line.target)
        environ.update(
            {
                "wsgi.input": self.rfile,
                "wsgi.errors": sys.stderr,
                "REQUEST_METHOD": line.method,
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "REQUEST_URI": uri,
                "RAW_URI": uri,
                "SERVER_PROTOCOL": line.version,
            }
        )
        length = None
        for name, value in fields:
            if "_" in name:  # as werkzeug: X_Forwarded and X-Forwarded must not be confused
                continue
            key = name.upper().replace("-", "_")
            if key == "CONTENT_LENGTH":
                if length is not None and value != length:
                    raise Refusal(HTTPStatus.BAD_REQUEST, "Conflicting Content-Length headers")
                length = value
            elif key != "CONTENT_TYPE":
                key = f"HTTP_{key}"
                if key in environ:
                    value = f"{environ[key]},{value}"
            environ[key] = value
        if host is not None:
            environ["HTTP_HOST"] = host
        codings = environ.get("HTTP_TRANSFER_ENCODING")
        if codings is not None:
            _check_codings(codings)
            environ["wsgi.input_terminated"] = True
            environ["wsgi.input"] = io.BytesIO(b"")  # read by _buffer_body: httphead.read_chunked
        elif length is not None:
            if not (length.isascii() and length.isdigit()):
                raise Refusal(HTTPStatus.BAD_REQUEST, "Bad Content-Length")
            if len(length) > _LENGTH_DIGITS:  # past any limit, and past what int() may parse
                raise Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Content-Length out of range")
        # HTTP/1.1 both ways keeps the connection unless the client says close; HTTP/1.0 closes
        # unless it asks for keep-alive; HTTP/0.9 answers have no framing: always closed
        answers_1_1 = self.protocol_version >= "HTTP/1.1"
        self.close_connection = not (line.persistent and answers_1_1)
        connection = environ.get("HTTP_CONNECTION")
        if connection is not None and line.version != "HTTP/0.9":
            tokens = {token.strip().lower() for token in connection.split(",")}
            if "close" in tokens:
                self.close_connection = True
            elif "keep-alive" in tokens and answers_1_1:
                self.close_connection = False
        if codings is not None and (length is not None or line.version != "HTTP/1.1"):
            # RFC 9112 6.1: both framings (a smuggling attempt, or a broken proxy) or chunked
            # from HTTP/1.0 is read as chunked, and the connection closed after it
            self.close_connection = True
        return environ

    def _serve(self, environ: dict[str, Any]) -> None:
        limit = getattr(self.server, "max_body", None)
        if _admin_path(environ.get("PATH_INFO", "")):  # the admin API, namespaced or not
            refused = getattr(self.server, "admin_refusal", None)
            reason = None if refused is None or not _has_body(environ) else refused(environ)
            if reason is not None:  # told from the head: a refused client's body is never read
                self.close_connection = True
                refusal = json_response({"error": reason}, status=403)  # as the app answers it
                _, headers, body = refusal.wire(None)
                self._send(environ, refusal.status, headers, body)
                return
            limit = getattr(self.server, "max_admin_body", limit)
        fits = self._declared_fits(environ, limit)
        expect = environ.get("HTTP_EXPECT")
        if (
            expect is not None
            and fits
            and expect.strip(" \t").lower() == "100-continue"
            and self.request_version >= "HTTP/1.1"
        ):
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()  # the client waits for it before sending the body
        self._reader.rate = MIN_BODY_RATE  # the body: its deadline moves as its bytes come
        if self._reader.deadline is not None:
            self._reader.deadline = time.monotonic() + READ_TIMEOUT
        if not fits or not self._buffer_body(environ, limit):
            self.close_connection = True
        self._reader.deadline = None  # read: the app and the answer have the idle timeout
        self.connection.settimeout(IDLE_TIMEOUT)
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

    @staticmethod
    def _declared_fits(environ: dict[str, Any], limit: int | None) -> bool:
        """False if the head announces a body over the limit (it is then left unread)."""
        length = environ.get("CONTENT_LENGTH")
        return limit is None or not length or environ.get("wsgi.input_terminated") or int(length) <= limit

    def _buffer_body(self, environ: dict[str, Any], limit: int | None) -> bool:
        """Read the request body into memory; False if it was left unread (too large)."""
        stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH")
        if environ.get("wsgi.input_terminated"):  # chunked: read up to one byte past the limit
            data = httphead.read_chunked(self.rfile, None if limit is None else limit + 1)
            # from here on the body is a plain sized one (werkzeug ignores lengths when chunked)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            if limit is not None and len(data) > limit:
                environ["CONTENT_LENGTH"] = str(len(data))
                environ["wsgi.input"] = io.BytesIO(b"")
                environ.pop("wsgi.input_terminated", None)
                return False
            environ.pop("wsgi.input_terminated", None)
        elif length:
            data = stream.read(int(length))
            if len(data) < int(length):  # the client closed its side early: a killed upload
                # served, the bytes that came were taken as the whole body (and a padded
                # document, or a form cut at a field's end, was a change the client never sent)
                raise Refusal(
                    HTTPStatus.BAD_REQUEST, "Incomplete body", "the body ended before its Content-Length"
                )
        else:
            data = b""
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        return True

    def _send(
        self, environ: dict[str, Any], status: str, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        code, _, reason = status.partition(" ")
        self.log_request(int(code))
        if self.request_version == "HTTP/0.9":  # no status line, no headers: the body alone
            head = b""
        else:
            lines = [f"{self.protocol_version} {code} {reason}\r\n", self._server_line, _date_line()]
            sized = False
            for name, value in headers:
                lowered = name.lower()
                if lowered in _OWN:
                    continue
                sized = sized or lowered == "content-length"
                lines.append(f"{name}: {value}\r\n")
            if not sized:
                lines.append(f"Content-Length: {len(body)}\r\n")
            if self.close_connection:
                lines.append("Connection: close\r\n")
            lines.append("\r\n")
            head = "".join(lines).encode("latin-1")
        if environ["REQUEST_METHOD"] == "HEAD":
            body = b""
        self.wfile.write(head + body)
        self.wfile.flush()


class _DeadlineReader(io.RawIOBase):
    """A connection's reads, each one bounded by what is left of the request's ``deadline`` (a
    ``time.monotonic()`` instant; None between requests, when the idle timeout alone applies):
    however a client spaces its bytes, reading a request ends by its deadline."""

    def __init__(self, sock: Any, idle: float) -> None:
        self._sock, self._idle = sock, idle
        self.deadline: float | None = None
        #: bytes a second that each move the deadline a second on (0: a fixed deadline)
        self.rate = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        deadline = self.deadline
        if deadline is None:
            self._sock.settimeout(self._idle)
        else:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request did not arrive in time (see keepalive.READ_TIMEOUT)")
            self._sock.settimeout(min(left, self._idle))
        count: int = self._sock.recv_into(buffer)
        if self.rate and self.deadline is not None:
            self.deadline += count / self.rate
        return count


def _check_codings(codings: str) -> None:
    """RFC 9112 6.3: a Transfer-Encoding whose last coding is not ``chunked`` leaves the body's
    end unknown, so it is refused and the connection closed (read as no body, what followed it
    was served as the next request); a coding before ``chunked`` is one the fake cannot undo."""
    names = [name.strip().lower() for name in codings.split(",") if name.strip()]
    if not names or names[-1] != "chunked":
        raise Refusal(HTTPStatus.BAD_REQUEST, "Bad Transfer-Encoding", "chunked must be the last coding")
    if len(names) > 1:
        raise Refusal(
            HTTPStatus.NOT_IMPLEMENTED, "Unsupported Transfer-Encoding", "only chunked is understood"
        )


def _has_body(environ: dict[str, Any]) -> bool:
    return bool(environ.get("wsgi.input_terminated")) or environ.get("CONTENT_LENGTH", "0") not in ("", "0")


def _admin_path(path: str) -> bool:
    """Whether ``path`` is the admin API's, of the default namespace or a named one (a path that
    holds ``/_iotfake/`` further down is a provider's, with its own body limit)."""
    if path.startswith("/_ns/"):
        path = "/" + path[len("/_ns/") :].partition("/")[2]
    return path.startswith("/_iotfake/")


_date_cache: tuple[int, str] = (0, "")


def _date_line() -> str:
    """The Date header, formatted once per second rather than once per response."""
    global _date_cache
    now = int(time.time())
    second, line = _date_cache
    if second != now:
        from email.utils import formatdate

        line = f"Date: {formatdate(now, usegmt=True)}\r\n"
        _date_cache = (now, line)
    return line
