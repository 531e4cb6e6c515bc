"""The answer every layer hands back: a status, headers and a finished body.

werkzeug's ``Response`` is built for streaming, cookies, conditional requests and lazy bodies; a
fake's answers are small JSON documents known in full before they leave. Constructing and then
serialising a ``Response`` cost about a sixth of an EnOS create, so answers are :class:`Reply`
objects instead: the attributes the pipeline reads (``status_code``, ``headers``, ``get_data``)
and a WSGI ``__call__`` that writes them out directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from werkzeug.datastructures import Headers
from werkzeug.http import HTTP_STATUS_CODES

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

JSON = "application/json"

#: "200 OK", "404 NOT FOUND": werkzeug's status lines, so answers read as they did before
_STATUS_LINES: dict[int, str] = {code: f"{code} {text.upper()}" for code, text in HTTP_STATUS_CODES.items()}

HeaderItems = Mapping[str, str] | Iterable[tuple[str, str]] | Headers | None


class Reply:
    """A complete HTTP answer with a bytes body.

    ``headers`` is a werkzeug ``Headers`` built on first use: most answers carry only their
    content type, which goes straight to the WSGI header list.
    """

    __slots__ = ("_headers", "_plain", "body", "content_type", "status_code")

    def __init__(
        self,
        body: bytes | str = b"",
        status: int = 200,
        headers: HeaderItems = None,
        content_type: str | None = None,
    ) -> None:
        self.body = body.encode() if isinstance(body, str) else body
        self.status_code = status
        self._headers: Headers | None = None
        #: headers given as a plain dict of clean text (no CR/LF): kept as they are until someone
        #: asks for ``headers``; werkzeug's ``Headers`` would check each again, on every call
        self._plain: list[tuple[str, str]] | None = None
        self.content_type = content_type
        if headers:
            plain = type(headers) is dict and all(_clean(k) and _clean(v) for k, v in headers.items())
            if plain and not (content_type is not None and any(k.lower() == "content-type" for k in headers)):
                self._plain = list(headers.items())
                return
            self._headers = Headers(headers)
            if content_type is not None:
                self._headers["Content-Type"] = content_type  # the argument wins, as in werkzeug
                self.content_type = None

    @classmethod
    def trusted(cls, body: bytes, status: int, headers: list[tuple[str, str]], content_type: str) -> Reply:
        """A reply whose header names and values the caller made itself, clean text with no
        Content-Type among them (the constructor checks each header given by others)."""
        reply = cls.__new__(cls)
        reply.body, reply.status_code, reply.content_type = body, status, content_type
        reply._headers, reply._plain = None, headers
        return reply

    @property
    def headers(self) -> Headers:
        if self._headers is None:
            self._headers = Headers(self._plain or ())
            self._plain = None
            if self.content_type is not None:
                self._headers["Content-Type"] = self.content_type
                self.content_type = None
        return self._headers

    @property
    def status(self) -> str:
        return _STATUS_LINES.get(self.status_code) or f"{self.status_code} UNKNOWN"

    def get_data(self, as_text: bool = False) -> bytes | str:
        return self.body.decode() if as_text else self.body

    def wire(self, method: str | None) -> tuple[int, list[tuple[str, str]], bytes]:
        """The status, header list and body a server sends for this answer to ``method``."""
        status = self.status_code
        if self._headers is not None:
            headers = self._headers.to_wsgi_list()
        else:
            headers = list(self._plain) if self._plain else []
            if self.content_type is not None:
                headers.append(("Content-Type", self.content_type))
        # no body for 1xx, 204 and 304 (RFC 9110 6.4.1); a HEAD answer announces the GET body's length
        bodiless = status < 200 or status in (204, 304)
        if not bodiless:
            headers.append(("Content-Length", str(len(self.body))))
        return status, headers, b"" if bodiless or method == "HEAD" else self.body

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        _, headers, body = self.wire(environ.get("REQUEST_METHOD"))
        start_response(self.status, headers)
        return [body] if body else []

    def __repr__(self) -> str:
        return f"<Reply {self.status} {len(self.body)} bytes>"


def _clean(text: object) -> bool:
    return type(text) is str and "\n" not in text and "\r" not in text
