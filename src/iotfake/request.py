"""The request object every layer reads: werkzeug's, with fast paths for what a fake reads most.

A provider reads the query string and the whole (bounded) body of nearly every request. werkzeug
parses the first with ``urllib``'s general ``parse_qsl`` and reads the second through a
``LimitedStream``; for the plain ASCII queries and sized bodies clients send, a split and one
``read`` give the same values for a fraction of the cost. Anything else (escapes, ``+``, chunked
or unsized bodies, form parsing) takes werkzeug's own path, so behaviour never differs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload
from urllib.parse import parse_qsl

from werkzeug.datastructures import EnvironHeaders, ImmutableMultiDict
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.wrappers import Request as _WerkzeugRequest

from .environ import HeaderPairs, environ_key, header_fields, host_parts, wsgi_environ
from .memo import keep


def _wsgi_str(value: str) -> str:
    """A WSGI string (bytes as latin-1) as text: UTF-8, undecodable bytes replaced, as werkzeug."""
    return value if value.isascii() else value.encode("latin1").decode(errors="replace")


T = TypeVar("T")


class once(Generic[T]):
    """A property computed on first read and then kept in the instance: werkzeug's
    ``cached_property`` is a data descriptor, so every later read still runs its Python
    ``__get__``; this one steps aside once the instance holds the value."""

    def __init__(self, fget: Callable[[Any], T]) -> None:
        self.fget = fget
        self.name = fget.__name__
        self.__doc__ = fget.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> once[T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> T | once[T]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fget(obj)
        return value


_werkzeug_args = _WerkzeugRequest.args.fget  # type: ignore[attr-defined]
_werkzeug_content_length = _WerkzeugRequest.content_length.fget  # type: ignore[attr-defined]


class Args(ImmutableMultiDict):
    """The query's parameters; ``get`` reads the first value straight from the underlying dict
    (werkzeug's raises and catches a KeyError on every miss, and providers look up names that are
    mostly absent)."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        if type is not None:
            return super().get(key, default, type)
        values = dict.get(self, key)
        return values[0] if values else default


_NO_ARGS = Args()


def mimetype_of(fields: dict[str, Any]) -> str:
    """werkzeug's ``mimetype`` of an environ's (or header fields') CONTENT_TYPE."""
    return fields.get("CONTENT_TYPE", "").partition(";")[0].strip(" \t").lower()


def plain_args(query: str) -> Args | None:
    """werkzeug's ``args`` of a query with nothing to decode (ASCII, no ``%`` or ``+``), split
    by hand, or of one ``query_args`` read before; None for any other query, which werkzeug's
    own parsing reads."""
    if not query:
        return _NO_ARGS  # immutable, so one empty instance serves every request without a query
    args = _QUERIES.get(query)  # immutable too: a client's repeated query (``?action=create&orgId=o1``)
    if args is not None:
        return args
    if not query.isascii() or "%" in query or "+" in query:
        return None
    # MultiDict's own storage (name -> values), built in place: its constructor's isinstance
    # checks against the collections ABCs cost more than the split
    values: dict[str, list[str]] = {}
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            found = values.get(name)
            if found is None:
                values[name] = [value]
            else:
                found.append(value)
    args = Args.__new__(Args)  # MultiDict's __init__ does nothing more for no mapping, in Python
    dict.update(args, values)
    if len(query) <= _QUERY_CHARS:  # a long query is not worth keeping
        keep(_QUERIES, query, args, _QUERIES_SIZE)
    return args


def query_args(query: str) -> Args:
    """werkzeug's ``args`` of an ASCII query, escapes and ``+`` included: ``plain_args`` where it
    can, else werkzeug's own parsing of the same text (what ``Request.args`` runs)."""
    args = plain_args(query)
    if args is None:
        args = Args(parse_qsl(query, keep_blank_values=True, errors="werkzeug.url_quote"))
        if len(query) <= _QUERY_CHARS:  # kept as plain ones are: ``endpointType=iot%3AData-ATS``
            keep(_QUERIES, query, args, _QUERIES_SIZE)
    return args


#: queries -> their ``Args``, so a query a client repeats is split once (see ``plain_args``)
_QUERIES: dict[str, Args] = {}
_QUERIES_SIZE = 256
_QUERY_CHARS = 256


class Headers(EnvironHeaders):
    """werkzeug's read-only environ headers, with ``get`` reading the header's environ key
    straight away (werkzeug's goes through two calls, and a caught KeyError for every header a
    request lacks; providers ask for several on every call)."""

    def __init__(self, environ: dict[str, Any]) -> None:
        # werkzeug's two constructors (EnvironHeaders', then Headers' with no defaults), in one
        # frame: made on every call
        self._list: list[tuple[str, str]] = []
        self.environ = environ

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]
        if type is not None or not isinstance(key, str):
            return super().get(key, default, type)
        return self.environ.get(environ_key(key), default)


class Request(_WerkzeugRequest):
    parameter_storage_class = Args

    def __init__(self, environ: dict[str, Any], populate_request: bool = True, shallow: bool = False) -> None:
        # werkzeug's constructor, inlined: the same attributes from the same environ keys (a test
        # compares every attribute with werkzeug's), without its layers of calls per request
        get = environ.get
        name = get("SERVER_NAME")
        if name is None:
            self.server = None
        else:
            try:
                self.server = (name, int(get("SERVER_PORT")))  # type: ignore[arg-type]
            except (TypeError, ValueError):  # a unix socket
                self.server = (name, None)
        self.method = get("REQUEST_METHOD", "GET").upper()
        self.scheme = get("wsgi.url_scheme", "http")
        self.root_path = _wsgi_str(get("SCRIPT_NAME") or "").rstrip("/")
        self.path = "/" + _wsgi_str(get("PATH_INFO") or "").lstrip("/")
        self.query_string = get("QUERY_STRING", "").encode("latin1")
        self.headers = Headers(environ)
        self.remote_addr = get("REMOTE_ADDR")
        self.environ = environ
        self.shallow = shallow
        if populate_request and not shallow:
            environ["werkzeug.request"] = self

    @once
    def args(self) -> Args:  # type: ignore[override]
        return self._args_of(self.environ.get("QUERY_STRING", ""))

    def server_value(self, key: str) -> Any:
        """What the server or transport put in the environ beside the request (werkzeug's
        socket, a test client's ``environ_overrides``), or None."""
        return self.environ.get(key)

    def _args_of(self, query: str) -> Args:
        args = plain_args(query)
        return _werkzeug_args(self) if args is None else args

    @once
    def content_length(self) -> int | None:  # type: ignore[override]
        environ = self.environ
        value = environ.get("CONTENT_LENGTH")
        if "HTTP_TRANSFER_ENCODING" not in environ:
            if value is None:  # a GET: no header, no length (werkzeug's answer, without its calls)
                return None
            if value and value.isdigit() and value.isascii():
                return int(value)
        return _werkzeug_content_length(self)

    @once
    def mimetype(self) -> str:  # type: ignore[override]
        """werkzeug's value (the part before any ``;``, stripped, lowercased) without parsing
        the parameters, which only ``mimetype_params`` needs."""
        return mimetype_of(self.environ)

    def get_data(  # type: ignore[override]
        self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False
    ) -> Any:
        data = self.__dict__.get("_cached_data")
        if data is None and not parse_form_data and "stream" not in self.__dict__:
            data = self._read_sized_body()
            if data is not None and cache:
                self._cached_data = data
        if data is None:
            return super().get_data(cache=cache, as_text=as_text, parse_form_data=parse_form_data)
        return data.decode(errors="replace") if as_text else data

    def _read_sized_body(self) -> bytes | None:
        """The body read in one call, or None where werkzeug's stream handling is needed."""
        environ = self.environ
        if environ.get("wsgi.input_terminated") or "HTTP_TRANSFER_ENCODING" in environ:
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length <= 0:
            return None if length < 0 else b""
        if self.max_content_length is not None and length > self.max_content_length:
            raise RequestEntityTooLarge()
        data = environ["wsgi.input"].read(length)
        if len(data) < length:  # the client hung up mid-body, as werkzeug's LimitedStream reports it
            raise ClientDisconnected()
        return data


def server_value(request: Any, key: str) -> Any:
    """``request.server_value(key)`` for any werkzeug request (a caller may hand the app one)."""
    if isinstance(request, Request):
        return request.server_value(key)
    return request.environ.get(key)


class PartsRequest(Request):
    """A Request made from an in-process call's parts (the express lane, see ``express``).

    It holds the headers' environ keys, which is all ``headers`` reads, and answers ``args``,
    ``get_data``, ``content_length`` and ``mimetype`` from the parts. The full environ is built,
    exactly as the general path builds it, the first time anything reads ``environ`` (a form, a
    strict signature check, werkzeug's other properties), so every attribute keeps its value.
    The lane sends calls with ``Transfer-Encoding`` or ``Upgrade`` to the general path.
    """

    def __init__(
        self,
        method: str,
        url: str,
        parts: tuple[str, str, str, str],
        headers: HeaderPairs,
        body: bytes,
        extra: dict[str, Any],
        fields: dict[str, Any] | None = None,
    ) -> None:
        scheme, netloc, path, query = parts
        if fields is None:  # the headers' environ keys, unless the caller made them already
            fields = header_fields(netloc, headers, body)
        self._netloc = netloc
        self.method = method
        self.scheme = scheme
        self.root_path = ""
        self.path = path
        self.query_string = query.encode("latin1")
        self.headers = Headers(fields)
        self.remote_addr = None
        self.shallow = False
        self.fields = fields
        self._query = query
        self._body = body
        self._parts = (method, url, headers, body, extra)
        #: the body was read from the parts: the environ's stream, if built, is read to its end
        self._consumed = False

    @once
    def environ(self) -> dict[str, Any]:  # type: ignore[override]
        method, url, headers, body, extra = self._parts
        environ = wsgi_environ(method, url, headers, body)
        environ.update(extra)
        if self._consumed:
            environ["wsgi.input"].seek(0, 2)
        return environ

    @once
    def args(self) -> Args:  # type: ignore[override]
        return self._args_of(self._query)

    @once
    def server(self) -> tuple[str, int]:  # type: ignore[override]
        """The URL's host and port, as a server names itself (read by werkzeug's URL properties)."""
        _, name, port = host_parts(self.scheme, self._netloc)
        return name, int(port)

    def server_value(self, key: str) -> Any:
        built = self.__dict__.get("environ")
        return self._parts[4].get(key) if built is None else built.get(key)

    @once
    def content_length(self) -> int | None:  # type: ignore[override]
        return len(self._body) if self._body else None

    @once
    def mimetype(self) -> str:  # type: ignore[override]
        return mimetype_of(self.fields)

    def _read_sized_body(self) -> bytes | None:
        """The body from the parts, once: a second read, or one after the environ was built,
        reads the environ's stream as the general path does (and finds it read)."""
        if self._consumed or "environ" in self.__dict__:
            return super()._read_sized_body()
        body = self._body
        if self.max_content_length is not None and len(body) > self.max_content_length:
            raise RequestEntityTooLarge()
        self._consumed = bool(body)  # an empty body is answered without reading the stream
        return body
