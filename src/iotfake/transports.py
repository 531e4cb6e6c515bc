"""In-process transports: real client libraries talking to the WSGI app with no socket.

Each one hands the client's own request to the same WSGI app a live server runs, so a test gets
the identical answers (status, headers, body) without a port, a thread or a network stack:

* ``requests``: ``session.mount("http://iotfake", WSGIAdapter(cloud))``, or ``requests_session(cloud)``
* ``httpx``: ``httpx.Client(transport=httpx_transport(cloud), base_url=BASE_URL)``
* ``botocore``: ``route_botocore(boto3.client("iot", endpoint_url=BASE_URL, ...), cloud)``

A ``drop`` or ``lost_response`` fault cuts the connection of a live server; in process each
transport raises what its client raises when a server hangs up without answering
(``requests.ConnectionError``, ``httpx.RemoteProtocolError``, botocore's ``ConnectionClosedError``).

The client libraries are optional: each is imported only when its transport is used.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers
from werkzeug.http import HTTP_STATUS_CODES

from .environ import (  # split_url, wsgi_environ: what callers import from here
    HeaderFields,
    SessionHeaders,
    environ_key,
    known_environ_key,
    remember_session,
    split_url,  # noqa: F401
    wsgi_environ,
)
from .faults.drop import SOCKET_KEY  # where a server keeps the socket that a drop fault shuts
from .optional import require

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    import httpx
    import requests

    from .clients import ServiceSession
    from .cloud import FakeCloud
    from .server import Server

#: the base URL the in-process helpers use; any URL works, nothing is resolved or connected
BASE_URL = "http://iotfake"


class ConnectionDropped(ConnectionAbortedError):
    """The app hung up without an answer (a fault rule dropped the connection)."""


class _Connection:
    """The in-process stand-in for a client socket: shutting it down only marks the drop."""

    def shutdown(self, how: int) -> None:
        pass


def _app(target: FakeCloud | Server | WSGIApplication) -> WSGIApplication:
    """Accept a FakeCloud, a Server or any WSGI callable.

    A Server's cloud may be rebound between tests (the plugin does), so its app is read per request.
    """
    if isinstance(target, _server_class()):
        return lambda environ, start_response: target.cloud.wsgi_app(environ, start_response)
    return getattr(target, "wsgi_app", target)


@functools.cache
def _app_class() -> type:
    from .app import App  # the app imports the providers, which some transports' users need not

    return App


@functools.cache
def _server_class() -> type[Server]:
    from .server import Server  # the server module imports this one

    return Server


_CONNECTION = _Connection()
#: what an in-process call's environ holds besides the request
_IN_PROCESS = {SOCKET_KEY: _CONNECTION}


def connected(app: WSGIApplication) -> WSGIApplication:
    """``app`` run as a server runs it: with a connection that a fault can drop (ConnectionDropped)."""

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ.setdefault(SOCKET_KEY, _CONNECTION)
        try:
            return app(environ, start_response)
        except ConnectionAbortedError as exc:
            raise ConnectionDropped(str(exc)) from exc

    return wsgi


def call_wsgi(
    app: WSGIApplication,
    method: str,
    url: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    body: bytes | str | None = None,
) -> tuple[int, Headers, bytes]:
    """One request through ``app``: ``(status, headers, body)``, as a server would send them.

    Raises ConnectionDropped where a server would close the connection without an answer.
    """
    status, response_headers, content = _exchange(app, method, url, headers, body)
    return status, Headers(response_headers), content


def _exchange(
    app: WSGIApplication,
    method: str,
    url: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    body: bytes | str | None = None,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """:func:`call_wsgi` with the answer's headers as the app gave them (the transports build
    their client's own header maps from the list; a werkzeug ``Headers`` first cost 5 µs)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif body is not None and type(body) is not bytes:
        body = bytes(body)  # a bytearray or memoryview: the bytes a server would read
    kind = type(headers)
    read = kind is list or kind is tuple or kind is SessionHeaders or kind is HeaderFields
    if not read and not isinstance(headers, Mapping):  # the kinds the lane takes as they are
        headers = list(headers)  # an iterator is read by the lane and again by the general path
    fake = type(app) is _app_class()  # the fake itself: its answers without the WSGI convention
    if fake:  # the express lane first, if the call fits it
        try:
            reply = app.express(method, url, headers, body, _IN_PROCESS)  # type: ignore[attr-defined]
        except ConnectionAbortedError as exc:
            raise ConnectionDropped(str(exc)) from exc
        if reply is not None:
            return reply.wire(method.upper())
    environ = wsgi_environ(method, url, headers, body)
    environ[SOCKET_KEY] = _CONNECTION  # what connected() does, without a wrapper per call
    answer: list[Any] = []
    parts: list[bytes] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info is not None and answer:
            raise exc_info[1].with_traceback(exc_info[2])
        answer[:] = [status, response_headers]
        return parts.append  # the legacy write(): its bytes come before the iterable's

    try:
        if fake:
            return app.answer(environ).wire(environ["REQUEST_METHOD"])  # type: ignore[attr-defined]
        app_iter = app(environ, start_response)
    except ConnectionAbortedError as exc:
        raise ConnectionDropped(str(exc)) from exc
    try:
        parts.extend(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    status, response_headers = answer
    return int(status.split(" ", 1)[0]), response_headers, b"".join(parts)


# -- requests ---------------------------------------------------------------------------------------
class WSGIAdapter:
    """A ``requests`` transport adapter answering from a WSGI app in this process.

    Mount it on a session for a URL prefix. ``timeout``, ``verify``, ``cert`` and ``proxies`` are
    accepted and ignored: there is no connection to apply them to.
    """

    def __init__(self, target: FakeCloud | WSGIApplication) -> None:
        self.target = target

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        Response, CaseInsensitiveDict, get_encoding_from_headers = _requests_parts()
        body = request.body
        # bytes first: hasattr on them raises, and formats, an AttributeError inside
        if body is not None and type(body) is not bytes and hasattr(body, "read"):
            body = body.read()  # type: ignore[union-attr]
        elif body is not None and not isinstance(body, bytes | str):
            body = b"".join(body)  # a generator body (chunked upload)
        try:
            status, headers, content = _exchange(
                _app(self.target), request.method or "GET", request.url or "/", _pairs(request.headers), body
            )
        except ConnectionDropped as exc:
            from http.client import RemoteDisconnected

            from requests.exceptions import ConnectionError as RequestsConnectionError
            from urllib3.exceptions import ProtocolError

            gone = RemoteDisconnected("Remote end closed connection without response")
            raise RequestsConnectionError(
                ProtocolError("Connection aborted.", gone), request=request
            ) from exc
        response = Response()
        response.status_code = status
        response.reason = HTTP_STATUS_CODES.get(status, "")
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = _LazyRaw(content, headers, status)
        # the body is in memory already: hand it over as read, rather than have requests stream
        # it back out of ``raw`` through urllib3 (a third of the adapter's cost); ``raw`` still
        # holds it for code that reads the raw response
        response._content = content
        response._content_consumed = True
        response.url = request.url or ""
        response.request = request
        response.connection = self
        return response

    def close(self) -> None:
        """Nothing to release (part of the adapter interface ``requests`` calls)."""


def _pairs(headers: Any) -> Any:
    """A requests ``CaseInsensitiveDict`` as a session's header pairs (``SessionHeaders``: the
    same on every call), read from its store (iterating the mapping looks each name up again,
    in Python); anything else as it is. ``Content-Length`` is left out: the environ's comes
    from the body whatever a header says, and a set per body length would not repeat."""
    store = getattr(headers, "_store", None)
    if isinstance(store, dict):
        pairs = list(store.values())
        length = store.get(_LENGTH)
        if length is not None:
            pairs.remove(length)  # the very pair: found by identity, in C
        return SessionHeaders(pairs)
    return headers


_LENGTH = "content-length"


@functools.cache
def _requests_parts() -> tuple[Any, Any, Any]:
    """requests' classes, imported once (requests is optional; three imports per call cost more
    than a microsecond)."""
    from requests import Response
    from requests.structures import CaseInsensitiveDict
    from requests.utils import get_encoding_from_headers

    return Response, CaseInsensitiveDict, get_encoding_from_headers


class _LazyRaw:
    """A response's ``raw``: urllib3's ``HTTPResponse``, made only if someone reads it.

    ``requests`` itself only asks it for ``_original_response`` (the cookie jar's hook: there is
    no http.client response in process, so None, as urllib3's own says here); making the urllib3
    object for every call cost about a tenth of an in-process call.
    """

    _original_response = None

    def __init__(self, content: bytes, headers: list[tuple[str, str]], status: int) -> None:
        self._parts: tuple[bytes, list[tuple[str, str]], int] | None = (content, headers, status)
        self._real: Any = None

    def _made(self) -> Any:
        if self._real is None:
            from urllib3 import HTTPResponse

            assert self._parts is not None
            content, headers, status = self._parts
            self._real = HTTPResponse(
                body=io.BytesIO(content),
                headers=headers,
                status=status,
                preload_content=False,
                decode_content=False,
            )
            self._parts = None
        return self._real

    def release_conn(self) -> None:
        """What ``Response.close()`` calls: nothing to release unless the real one was made."""
        if self._real is not None:
            self._real.release_conn()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._made(), name)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._made())


def requests_session(target: FakeCloud | WSGIApplication, base_url: str = BASE_URL) -> ServiceSession:
    """A session whose requests to ``base_url`` (relative paths included) never leave the process."""
    require("requests", "requests_session")
    from .clients import ServiceSession

    session = ServiceSession(base_url)
    session.mount(base_url, WSGIAdapter(target))
    return session


# -- httpx ------------------------------------------------------------------------------------------
def httpx_transport(target: FakeCloud | WSGIApplication) -> httpx.WSGITransport:
    """httpx's WSGI transport over the fake: ``httpx.Client(transport=..., base_url=...)``."""
    return _httpx_transport_class()(_app(target))


@functools.cache
def _httpx_transport_class() -> type[httpx.WSGITransport]:
    httpx = require("httpx", "httpx_transport")

    class WSGITransport(httpx.WSGITransport):
        """httpx's WSGI transport, answering as the other in-process transports do (through
        ``_exchange``: the fake's express lane where a call fits it, a server's environ where
        not) and raising a dropped connection as httpx does over a socket.

        httpx's own ``handle_request`` builds its environ its own way (the last of a repeated
        header wins, undecodable header bytes raise) and always takes the general path, which
        made the fake's share of an httpx call two thirds of httpx's own cost."""

        def __init__(self, app: WSGIApplication) -> None:
            super().__init__(app=connected(app))
            self.target = app

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            body = request.read()
            pairs = _text_pairs(request.headers)
            try:
                status, headers, content = _exchange(
                    self.target, request.method, _url_text(request.url), pairs, body
                )
            except ConnectionDropped as exc:
                message = "Server disconnected without sending a response."
                raise httpx.RemoteProtocolError(message, request=request) from exc
            # a stream, not content=: httpx adds no header of its own to what the fake sent
            return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content))

    return WSGITransport


def _url_text(url: httpx.URL) -> str:
    """``str(url)``, joined from httpx's parsed parts where that is plainly the same: a scheme
    and a host, no user, no fragment, no IPv6 brackets (``str`` builds it through two layers of
    joins, a twentieth of the fake's share of an httpx call); ``str(url)`` itself otherwise."""
    parts = getattr(url, "_uri_reference", None)
    if getattr(parts, "_fields", None) == _URL_FIELDS:  # httpx's ParseResult, as read here
        scheme, user, host, port, path, query, fragment = parts  # type: ignore[misc]
        if scheme and host and not user and fragment is None and ":" not in host:
            authority = host if port is None else f"{host}:{port}"
            return (
                f"{scheme}://{authority}{path}" if query is None else f"{scheme}://{authority}{path}?{query}"
            )
    return str(url)


_URL_FIELDS = ("scheme", "userinfo", "host", "port", "path", "query", "fragment")


def _text_pairs(headers: httpx.Headers) -> SessionHeaders:
    """httpx's header pairs as a server reads them (latin-1), in the order sent, as a session's
    (``SessionHeaders``): a client's headers are the same on every call, so each distinct set
    is decoded once, and their environ keys are made once (see ``environ.header_fields``). The
    set is looked up by httpx's own list of (name, lower-case name, value) where it has one
    (``raw`` copies it in Python first)."""
    items = getattr(headers, "_list", None)
    key = tuple(items) if type(items) is list else tuple(headers.raw)
    pairs = _TEXT_PAIRS.get(key)
    if pairs is None:
        # without Content-Length, as the requests transport's (see ``_pairs``)
        pairs = SessionHeaders(
            [
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in headers.raw
                if name.lower() != b"content-length"
            ]
        )
        remember_session(_TEXT_PAIRS, key, pairs, sum(map(len, chain.from_iterable(pairs))))
    return pairs


#: a header set as read (``_list``'s triples or ``raw``'s pairs) -> its text pairs
_TEXT_PAIRS: dict[tuple[tuple[bytes, ...], ...], SessionHeaders] = {}


def httpx_client(
    target: FakeCloud | WSGIApplication, base_url: str = BASE_URL, **options: Any
) -> httpx.Client:
    """An ``httpx.Client`` wired to the fake in process; relative URLs go to ``base_url``."""
    httpx = require("httpx", "httpx_client")

    return httpx.Client(transport=httpx_transport(target), base_url=base_url, **options)


# -- botocore ---------------------------------------------------------------------------------------
class _RawBody(io.BytesIO):
    """The ``raw`` of a botocore AWSResponse: botocore reads it through ``stream()``."""

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.getvalue()


def _header_fields(headers: Any) -> HeaderFields | list[tuple[str, str]]:
    """A botocore ``HeadersDict`` read into its environ keys in one pass (see ``HeaderFields``),
    from its dict of ``_HeaderKey``s; its pairs (``_header_items``) where that reading could
    differ from ``add_headers``': two names with one key (``X-A``, ``X_A``: their values are
    joined), a value neither bytes nor text, or another kind of map."""
    inner = getattr(headers, "_dict", None)
    if type(inner) is not dict:
        return _header_items(headers)
    fields: dict[str, str] = {}
    known = known_environ_key
    try:
        for key, value in inner.items():
            name = key._key  # the name as sent (see _header_items)
            field = known(name) or environ_key(name)
            if field in fields:
                return _header_items(headers)
            if type(value) is bytes:  # botocore's signer leaves most values as bytes
                value = value.decode("latin-1")
            elif type(value) is not str:
                return _header_items(headers)
            fields[field] = value
    except AttributeError:
        return _header_items(headers)
    fields.pop("CONTENT_LENGTH", None)  # the body's own length stands, whatever a header said
    return HeaderFields(fields)


def _header_items(headers: Any) -> list[tuple[str, str]]:
    """A botocore ``HeadersDict`` as pairs, read from its dict of ``_HeaderKey``s when it has
    one (its ``items()`` makes a key object per lookup); any other mapping through ``items()``."""
    inner = getattr(headers, "_dict", None)
    if type(inner) is dict:
        try:  # the name as sent is the key's ``_key``, which its ``__str__`` (a Python call) returns
            return [(key._key, value) for key, value in inner.items()]
        except AttributeError:
            return [(str(key), value) for key, value in inner.items()]
    return list(headers.items())


def route_botocore(client: Any, target: FakeCloud | WSGIApplication) -> Any:
    """Answer every request of a boto3/botocore ``client`` from the fake, with no socket.

    Registers on the client's own ``before-send`` event (only this client is affected), so request
    signing, serialisation, parsing and error handling all run as they do against AWS. The URL the
    client was built with is passed through as it is: give it any ``endpoint_url``. Returns the
    client, for chaining.
    """
    from botocore.awsrequest import AWSResponse
    from botocore.exceptions import ConnectionClosedError

    def send(request: Any, **kwargs: Any) -> AWSResponse:
        body = request.body
        if body is not None and type(body) is not bytes and hasattr(body, "read"):  # see WSGIAdapter
            body = body.read()
        try:
            status, headers, content = _exchange(
                _app(target), request.method, request.url, _header_fields(request.headers), body
            )
        except ConnectionDropped as exc:
            raise ConnectionClosedError(endpoint_url=request.url, request=request, error=exc) from exc
        return AWSResponse(request.url, status, dict(headers), _RawBody(content))

    client.meta.events.register("before-send", send, unique_id="iotfake-in-process")
    return client
