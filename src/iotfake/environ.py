"""A request's parts as a server gives them to a WSGI app: the environ, and the parts' checks.

The in-process transports hold a call as parts (method, URL, header pairs, body). The general
path turns them into the PEP 3333 environ werkzeug's ``EnvironBuilder`` would build; the express
lane (``express``) builds only the headers' part of it (what ``EnvironHeaders`` reads) and the
rest if someone asks. Both use the functions here, so the two cannot drift apart.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterable, Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from werkzeug.urls import iri_to_uri

from . import charsets
from .httphead import wsgi_text
from .memo import keep

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment


class HeaderFields:
    """A call's headers as a transport read them itself: their environ keys and values, exactly
    what ``add_headers`` makes of the pairs (a Host header's key included), less the body's
    length, which ``add_headers`` takes from the body.

    botocore's transport reads its client's header map straight into these in one pass (the
    map's names are unique, so no values are joined) rather than listing pairs for
    ``add_headers`` to read again: the two loops were a seventh of the fake's bytecodes per
    boto3 call.
    """

    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields

    def __repr__(self) -> str:
        return f"HeaderFields({self.fields!r})"


class SessionHeaders(tuple):  # type: ignore[type-arg]
    """A session's header pairs, as the requests and httpx transports pass them (without
    ``Content-Length``, which ``add_headers`` takes from the body): a session sends the same
    headers on every call, so ``header_fields`` makes their environ keys once per distinct set.

    A set is remembered only when its names and values are exactly text or bytes, and looked
    up by equality: a value of a ``str`` subclass reads as the equal text an earlier call of
    the set sent, which every reader of a header (str methods, comparisons) reads the same.
    """

    __slots__ = ()


HeaderPairs = Mapping[str, str] | Iterable[tuple[str, str]] | HeaderFields


def wsgi_environ(
    method: str,
    url: str,
    headers: HeaderPairs = (),
    body: bytes | None = None,
) -> WSGIEnvironment:
    """The PEP 3333 environ a server would build for a request, the way werkzeug's
    ``EnvironBuilder`` builds it (a test holds the two to the same keys and values).

    Built directly because it runs on every in-process call: ``EnvironBuilder``, made for
    forms, files and cookies, cost as much as the fake's own answer.
    """
    scheme, netloc, path, query = split_url(url)
    scheme, path = scheme or "http", path or "/"
    host, name, port = host_parts(scheme, netloc)
    if plain_path(path):  # ASCII with nothing to decode: every form the same
        path_info = raw = path
    else:
        plain = _PLAIN.fullmatch(path) is not None
        path_info = wsgi_text(unquote(path if plain else iri_to_uri(path)))
        raw = wsgi_text(path)
    environ: WSGIEnvironment = {
        "REQUEST_METHOD": method.upper(),
        "SCRIPT_NAME": "",
        "PATH_INFO": path_info,
        "QUERY_STRING": query if query.isascii() else wsgi_text(query),
        "REQUEST_URI": raw,
        "RAW_URI": raw,
        "SERVER_NAME": name,
        "SERVER_PORT": str(int(port)),
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body or b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    add_headers(environ, headers, body)
    return environ


def header_fields(netloc: str, headers: HeaderPairs, body: bytes | None) -> dict[str, str]:
    """The environ keys a server makes of a call's headers: ``add_headers``' over the URL's
    host (``netloc``), which a Host header replaces.

    A session's header set (``SessionHeaders``, from the requests and httpx transports) has
    its keys made once per distinct set and copied after that, a third of the loop's cost.
    botocore signs every request anew (its date and signature change), so its transport reads
    them itself (``HeaderFields``).
    """
    fields = {"HTTP_HOST": netloc or DEFAULT_HOST}  # host_parts' host, without its port's parsing
    kind = type(headers)
    if kind is HeaderFields:  # read by the transport already (what add_headers does with them)
        known = headers.fields  # type: ignore[union-attr]
    elif kind is SessionHeaders:
        try:
            known = _SESSION_FIELDS.get(headers)
        except TypeError:  # an unhashable pair or value: read as any other pairs
            known = None
        else:
            if known is None:
                known = {}
                add_headers(known, headers, None)
                _remember(headers, known)
    else:
        known = None
    if known is None:
        add_headers(fields, headers, body)
        return fields
    fields.update(known)
    if body:  # the body's own length, as add_headers gives it
        fields["CONTENT_LENGTH"] = str(len(body))
    return fields


def _remember(headers: SessionHeaders, known: dict[str, str]) -> None:
    """Keep a session's keys, only for names and values exactly text or bytes: an equal value
    of another type (1 == 1.0) must not answer for it."""
    if _TEXT_TYPES.issuperset(map(type, chain.from_iterable(headers))):
        remember_session(_SESSION_FIELDS, headers, known, sum(map(len, known.values())))


def remember_session(memo: dict[Any, Any], key: Any, value: Any, chars: int) -> None:
    """Keep what was made of a session's header set (``value``, of ``chars`` characters) in one
    of the session memos: a client's header values are its own, so a bound on what is kept, no
    set over ``_SESSION_CHARS`` and at most ``_SESSION_FIELDS_SIZE`` sets, past which the memo
    starts over (sets that came and went, such as one per body length)."""
    if chars <= _SESSION_CHARS:
        keep(memo, key, value, _SESSION_FIELDS_SIZE)


def add_headers(environ: dict[str, str], headers: HeaderPairs, body: bytes | None) -> None:
    """The headers' environ keys (``HTTP_X_AMZ_DATE``, ``CONTENT_TYPE``), a repeated header's
    values joined with ", ", and the body's own length, whatever a header said."""
    fields: dict[str, str] = {}
    # a list or tuple (what the transports pass) first: isinstance against the Mapping ABC is slow
    kind = type(headers)
    plain = kind is list or kind is tuple or kind is SessionHeaders
    if not plain and kind is HeaderFields:  # read by the transport already
        environ.update(headers.fields)  # type: ignore[union-attr]
        if body:
            environ["CONTENT_LENGTH"] = str(len(body))
        return
    pairs = headers if plain else headers.items() if isinstance(headers, Mapping) else headers
    keys = _ENVIRON_KEYS
    for header, value in pairs:
        # bytes as a server reads them; the rest as werkzeug's Headers writes it: text as it is
        # (a str subclass such as a str Enum too), anything else through str()
        if type(value) is str:  # nearly always: the rest in the order they are likely
            text = value
        elif isinstance(value, bytes):
            text = value.decode("latin-1")
        elif isinstance(value, str):
            text = value
        else:
            text = str(value)
        key = keys.get(header) or environ_key(header)
        if key == "CONTENT_TYPE":
            fields.setdefault(key, text)  # the first one, as werkzeug's Headers.get gives it
        elif key != "CONTENT_LENGTH":
            joined = fields.get(key)  # a repeated header's values are joined with ", "
            fields[key] = text if joined is None else joined + ", " + text
    environ.update(fields)  # a Host header replaces the URL's host where it stands
    if body:  # the body's own length; none without a body
        environ["CONTENT_LENGTH"] = str(len(body))


def environ_key(header: str) -> str:
    """A header's environ key: ``X-Amz-Date`` -> ``HTTP_X_AMZ_DATE``, ``Content-Type`` ->
    ``CONTENT_TYPE`` (werkzeug's ``EnvironHeaders`` reads the same keys)."""
    key = _ENVIRON_KEYS.get(header)
    if key is None:
        key = header.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        keep(_ENVIRON_KEYS, header, key, 512)  # clients send the same few names
    return key


def host_parts(scheme: str, netloc: str) -> tuple[str, str, str]:
    """The Host header, server name and port of a URL's parts, as a server fills them in."""
    host = netloc or DEFAULT_HOST
    name, colon, port = host.partition(":")
    # ASCII digits only, as urllib's ``port`` reads them: ``str.isdigit`` also takes "²" (which
    # ``int`` refuses) and full-width digits
    if not (colon and port.isascii() and port.isdigit()):
        port = "443" if scheme == "https" else "80"
    return host, name, port


def split_url(url: str) -> tuple[str, str, str, str]:
    """``urlsplit``'s scheme, netloc, path and query.

    A client's URL is new on every call (it names the record), so ``urlsplit``'s cache never
    hits and a split cost a twentieth of the call. The URLs clients send (``http(s)://host/path
    ?query``, nothing to strip or check) are split by hand; anything else goes to ``urlsplit``.
    """
    scheme, sep, rest = url.partition("://")
    # what _PLAIN_URL says, with str methods: the regex engine's code is cold between a client's
    # calls, and cost more there than the whole split (bench instructions --in-situ)
    if (
        sep
        and (scheme == "http" or scheme == "https")
        and rest.isascii()
        and rest.isprintable()  # ASCII: no control character
        and " " not in rest
        and "#" not in rest
    ):
        netloc, slash, tail = rest.partition("/")
        if "?" not in netloc and "[" not in netloc and "]" not in netloc:
            path, _, query = tail.partition("?")
            return scheme, netloc, slash + path, query
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path, parts.query


def plain_path(path: str) -> bool:
    """Whether every form of ``path`` (as sent, IRI, decoded) is the same string: what
    ``_PLAIN`` matches, without ``%``, checked with str and bytes methods (see ``split_url``)."""
    return (
        path[:1] == "/"
        and path[1:2] != "/"
        and path.isascii()
        and "%" not in path
        and path.encode().translate(_PLAIN_TABLE).isalpha()  # charsets.all_in, inlined
    )


#: the rest of a URL after ``scheme://`` with nothing urlsplit would treat specially: no
#: fragment, whitespace or control characters, no brackets, ``?`` only after the host's ``/``
#: (``split_url`` checks it with str methods; a test holds the two together)
_PLAIN_URL = re.compile(r"[^/?#\[\]\s\x00-\x1f\x7f]*(?:/[^#\s\x00-\x1f\x7f]*)?")

#: the Host of a URL without one (what a server's environ says for ``http:///path``)
DEFAULT_HOST = "iotfake"

#: a session's header pairs -> their environ keys, without the body's length (see
#: ``header_fields``); clients choose the headers: bounded (``_remember``)
_SESSION_FIELDS: dict[SessionHeaders, dict[str, str]] = {}
_SESSION_FIELDS_SIZE = 64
_SESSION_CHARS = 4096
_TEXT_TYPES = frozenset((str, bytes))

#: header name -> its environ key (``X-Amz-Date`` -> ``HTTP_X_AMZ_DATE``, ``Content-Type`` ->
#: ``CONTENT_TYPE``)
_ENVIRON_KEYS: dict[str, str] = {}

#: a header name's environ key if it was made before, else None (``environ_key`` makes it): a
#: transport reading headers itself looks up each name without a call
known_environ_key = _ENVIRON_KEYS.get

#: what ``iri_to_uri`` leaves as it is (RFC 3986's unreserved and sub-delims, ``:@/%``): a path of
#: only these needs no call to it (a tenth of an in-process call's cost); ``//`` starts an authority
_PLAIN = re.compile(r"/(?!/)[A-Za-z0-9\-._~/%!$&'()*+,;=:@]*")
#: the characters ``_PLAIN`` takes after its first ``/`` (``plain_path`` checks a path's with it)
_PLAIN_TABLE = charsets.table(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/%!$&'()*+,;=:@"
)
