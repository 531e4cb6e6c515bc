"""The express lane: in-process calls bound without a WSGI environ or a werkzeug Request.

An in-process transport holds a call's parts already (method, URL, header pairs, body). The
general path turns them into a PEP 3333 environ, wraps that in a Request, and every layer reads
the parts back out of it; measured between a client's calls, that round trip and the generic
reading behind it were most of what the fake cost per call. A provider that can bind a call from
the parts alone (``Provider.express``) answers on this lane, through the very same
authenticate -> faults -> handle -> journal steps.

The lane takes a call only when it is sure to bind it exactly as the general path would: a cloud
without fault rules, a plain path (nothing to decode) without a query, a body within the limit,
no repeated header and no header that changes how the body is read (``Transfer-Encoding``) or
how the path is matched (``Upgrade``), a route the fast routes decide. Anything else, and any
route or request the provider declines, takes the general path, so no answer changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .transports import plain_path, split_url

if TYPE_CHECKING:
    from .cloud import FakeCloud
    from .providers.base import Provider
    from .routing import PatternRoutes

#: headers that send a call to the general path: how werkzeug reads the body, or matches the path
_GENERAL = frozenset({"transfer-encoding", "upgrade"})


@dataclass(slots=True)
class Parts:
    """One in-process call as the transport holds it, with its route matched."""

    method: str
    #: the path as sent (plain: nothing to decode), which is what ``Request.path`` would give
    path: str
    #: the route's arguments (URI labels)
    args: dict[str, str]
    #: lowercased header name -> value (text; bytes values read as latin-1, as a server does)
    headers: dict[str, str]
    body: bytes


def lane(
    cloud: FakeCloud,
    method: str,
    url: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes | None,
    static: Mapping[tuple[str, str], Any],
    patterns: PatternRoutes,
) -> tuple[Provider, str, Parts] | None:
    """The provider, route and parts of a call the express lane may take; None: the general path.

    ``static`` and ``patterns`` are the app's fast routes: what they decide is what werkzeug would.
    """
    if cloud.faults.active or cloud.sealed:
        return None
    scheme, _, path, query = split_url(url)
    if query or (scheme != "http" and scheme != "https") or not plain_path(path):
        return None
    body = body or b""
    if len(body) > cloud.max_body:
        return None
    method = method.upper()
    endpoint = static.get((path, method))
    args: dict[str, str] = {}
    if endpoint is None:
        found = patterns.match(path, method)
        if found is None:
            return None
        endpoint, args = found
    owner, route = endpoint
    provider = cloud.providers.get(owner)
    if provider is None or not provider.expresses:
        return None
    fields: dict[str, str] = {}
    # a list (what the transports pass) first: isinstance against the Mapping ABC is slow for one
    pairs = headers if type(headers) is list else headers.items() if isinstance(headers, Mapping) else headers
    for name, value in pairs:
        key = name.lower()
        if key in fields or key in _GENERAL:
            return None  # a repeated header is joined by a server: the general path does that
        fields[key] = value.decode("latin-1") if isinstance(value, bytes) else value
    return provider, route, Parts(method, path, args, fields, body)
