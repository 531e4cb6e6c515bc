"""Reading an HTTP/1.x request head: the request line and the header fields, with http.server's limits.

http.server hands header lines to the email package, which builds a full ``Message`` (a policy
object, a feed parser, defect lists) for a dozen ``Name: value`` lines; in a test fake answering
in well under a millisecond that was a fifth of the server's time. Here a header line is split at
its first colon, the value's surrounding whitespace trimmed (RFC 9112 5), and the same limits
hold: a line over 64 KiB is a 431, more than 100 lines a 431 too (the empty line that ends the
head counts, as in http.client). Where the email package would quietly drop everything after a
malformed line, this refuses it with a 400, as RFC 9112 5.1 asks of a server (whitespace before
the colon) and as any line without a name calls for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

#: longest request line or header line, in bytes (http.server's and http.client's limit)
MAX_LINE = 65536
#: most header lines, the empty one that ends the head included (http.client's limit)
MAX_HEADERS = 100

#: what a field name is made of: visible ASCII (the colon cannot occur: the name ends there), as
#: the email package's header pattern accepted
_VISIBLE = bytes(range(0x21, 0x7F))
_END = (b"\r\n", b"\n", b"")
_SPACE = b" \t\r\n"


class Refusal(Exception):
    """A head the server answers with an error and a closed connection."""

    def __init__(self, status: HTTPStatus, message: str, explain: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.explain = explain


@dataclass(slots=True)
class RequestLine:
    method: str
    target: str
    #: "HTTP/1.1", "HTTP/1.0", ... or "HTTP/0.9" for a two-word GET
    version: str
    #: whether the connection stays open after the answer unless a header says otherwise
    persistent: bool


def request_line(raw: bytes) -> RequestLine | None:
    """The parts of a request line (without its limit check), or None for an empty line.

    The same rules as http.server's ``parse_request``: three words whose last is ``HTTP/x.y``
    with x.y below 2.0, or the two words of an HTTP/0.9 GET. A target starting with ``//`` is
    reduced to one slash, as there (gh-87389).
    """
    words = raw.decode("latin-1").rstrip("\r\n").split()
    if not words:
        return None
    persistent = False
    version = "HTTP/0.9"
    if len(words) >= 3:
        version = words[-1]
        number = _version(version)
        if number is None:
            raise Refusal(HTTPStatus.BAD_REQUEST, f"Bad request version ({version!r})")
        if number >= (2, 0):
            raise Refusal(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED, f"Invalid HTTP version ({version[5:]})")
        persistent = number >= (1, 1)
    if not 2 <= len(words) <= 3:
        raise Refusal(HTTPStatus.BAD_REQUEST, f"Bad request syntax ({' '.join(words)!r})")
    method, target = words[0], words[1]
    if len(words) == 2 and method != "GET":
        raise Refusal(HTTPStatus.BAD_REQUEST, f"Bad HTTP/0.9 request type ({method!r})")
    if target.startswith("//"):
        target = "/" + target.lstrip("/")
    return RequestLine(method, target, version, persistent)


def _version(text: str) -> tuple[int, int] | None:
    if text[:5] != "HTTP/":
        return None
    parts = text[5:].split(".")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) <= 10 for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def fields(readline: Callable[[int], bytes]) -> list[tuple[str, str]]:
    """The header fields up to the empty line (or the end of the stream), in order.

    A line starting with whitespace continues the previous field (obsolete line folding, joined
    with one space as RFC 9112 5.2 allows).
    """
    found: list[tuple[str, str]] = []
    lines = 0
    while True:
        line = readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise Refusal(
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                "Line too long",
                f"got more than {MAX_LINE} bytes when reading header line",
            )
        lines += 1
        if lines > MAX_HEADERS:
            raise Refusal(
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                "Too many headers",
                f"got more than {MAX_HEADERS} headers",
            )
        if line in _END:
            return found
        if line[0] in b" \t":
            if not found:
                raise Refusal(HTTPStatus.BAD_REQUEST, "Bad header line: a continuation comes first")
            name, value = found[-1]
            more = line.strip(_SPACE).decode("latin-1")
            found[-1] = (name, f"{value} {more}" if more else value)
            continue
        name, colon, value = line.partition(b":")
        if not colon or not name or name.translate(None, _VISIBLE):  # something left: not visible
            raise Refusal(HTTPStatus.BAD_REQUEST, "Bad header line")
        found.append((name.decode("latin-1"), value.strip(_SPACE).decode("latin-1")))


def locate(target: str) -> tuple[str, str, str | None]:
    """``(PATH_INFO, QUERY_STRING, Host)`` for a request target, as werkzeug's dev server reads it.

    Percent-escapes in the path are decoded and the result carried in WSGI's latin-1 form (UTF-8
    bytes as code points); an absolute-form target names the host. An origin-form target (the
    one clients send) is split without urlsplit, to the same result.
    """
    host = None
    if target[:1] == "/":
        path, _, query = target.partition("#")[0].partition("?")
    else:
        url = urlsplit(target)
        path = f"/{url.netloc}{url.path}" if not url.scheme and url.netloc else url.path
        query = url.query
        if url.scheme and url.netloc:
            host = url.netloc
    if "%" in path:
        path = unquote(path)
    return wsgi_text(path), wsgi_text(query), host


def wsgi_text(text: str) -> str:
    """A str as a WSGI environ carries it: its UTF-8 bytes as latin-1 code points (PEP 3333)."""
    return text if text.isascii() else text.encode().decode("latin-1")


#: a chunk-size line, extensions included, is short; a longer one is not one
MAX_CHUNK_LINE = 4096
_HEX = frozenset("0123456789abcdefABCDEF")


def read_chunked(rfile: Any, most: int | None) -> bytes:
    """A ``Transfer-Encoding: chunked`` body (RFC 9112 7.1), or at most ``most`` bytes of it.

    Chunk extensions (``5;name=value``) are valid and ignored, trailer fields are read and
    dropped; a size that is not hex digits (a sign, ``0x``, a space inside, nothing at all) or a
    chunk not followed by CRLF is a :class:`Refusal` (400): the framing is lost, so the answer
    closes the connection.
    """
    parts: list[bytes] = []
    size = 0
    while most is None or size < most:
        line = rfile.readline(MAX_CHUNK_LINE + 1)
        if not line.endswith(b"\n") or len(line) > MAX_CHUNK_LINE:
            raise Refusal(
                HTTPStatus.BAD_REQUEST, "Bad chunked body", "a chunk-size line is cut short or too long"
            )
        digits = line.split(b";", 1)[0].strip(b" \t\r\n").decode("latin-1")
        if not digits or not set(digits) <= _HEX or len(digits) > 16:
            raise Refusal(
                HTTPStatus.BAD_REQUEST, "Bad chunked body", f"chunk size {digits!r} is not a hex number"
            )
        length = int(digits, 16)
        if length == 0:
            while rfile.readline(MAX_CHUNK_LINE + 1).strip(b"\r\n"):  # trailer fields, then CRLF
                pass
            break
        want = length if most is None else min(length, most - size)
        data = rfile.read(want)
        if len(data) < want:
            raise _bad_chunk("the body ended inside a chunk")
        parts.append(data)
        size += len(data)
        if want < length:
            break  # over the limit: the caller refuses the body
        if rfile.readline(3).strip(b"\r\n"):
            raise _bad_chunk("a chunk is not followed by CRLF")
    return b"".join(parts)


def _bad_chunk(why: str) -> Refusal:
    return Refusal(HTTPStatus.BAD_REQUEST, "Bad chunked body", why)
