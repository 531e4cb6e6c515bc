"""The express lane: in-process calls served without building a WSGI environ first.

An in-process transport holds a call as parts (method, URL, header pairs, body). The general
path turns them into a PEP 3333 environ, wraps that in a Request, matches the route on it and
binds the call from it; measured between a client's calls, that round trip was a fifth of what
the fake cost per call. On the lane the call is matched from the parts and bound either by the
provider's compiled operation for the route (see ``compiled``), which reads the parts directly,
or from a :class:`~iotfake.request.PartsRequest`, which builds the environ only if something
reads it; then it goes through the very same authenticate -> faults -> handle -> journal steps.

The lane takes a call only when the general path would route and read it the same way: a cloud
without fault rules, a plain path (nothing to decode) with an ASCII query, a body within the
limit, no ``Transfer-Encoding`` (werkzeug's own body reading) or ``Upgrade`` (werkzeug's own
routing), a route the fast routes decide, and not the admin API. Anything else returns None and
takes the general path, so no answer changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .environ import HeaderPairs, header_fields, plain_path, split_url
from .request import PartsRequest

if TYPE_CHECKING:
    from .cloud import FakeCloud
    from .providers.base import Provider
    from .routing import PatternRoutes

#: environ keys that send a call to the general path: werkzeug reads such a body, or matches
#: such a route, its own way
_GENERAL = ("HTTP_TRANSFER_ENCODING", "HTTP_UPGRADE")


class Ticket:
    """A call the lane took: its provider and route, and its parts as a server would read them.

    ``fields`` are the headers' environ keys (``HTTP_AUTHORIZATION``, ``CONTENT_TYPE``) with the
    URL's host, exactly what a server's environ holds for them; ``request()`` makes the
    :class:`PartsRequest` a provider's ``bind`` reads, for calls no compiled operation takes.
    """

    __slots__ = (
        "args",
        "body",
        "extra",
        "fields",
        "headers",
        "method",
        "parts",
        "path",
        "provider",
        "query",
        "route",
        "url",
    )

    def __init__(
        self,
        provider: Provider,
        route: str,
        args: dict[str, str],
        method: str,
        url: str,
        parts: tuple[str, str, str, str],
        headers: HeaderPairs,
        body: bytes,
        fields: dict[str, str],
        extra: dict[str, Any],
    ) -> None:
        self.provider, self.route, self.args = provider, route, args
        self.method, self.url, self.parts, self.headers, self.body = method, url, parts, headers, body
        self.path, self.query = parts[2], parts[3]
        self.fields, self.extra = fields, extra

    def request(self) -> PartsRequest:
        request = PartsRequest(
            self.method, self.url, self.parts, self.headers, self.body, self.extra, self.fields
        )
        request.max_content_length = self.provider.cloud.max_body
        return request


def lane(
    cloud: FakeCloud,
    method: str,
    url: str,
    headers: HeaderPairs,
    body: bytes | None,
    routes: tuple[Mapping[tuple[str, str], Any], PatternRoutes],
    extra: dict[str, Any],
) -> Ticket | None:
    """The call as a :class:`Ticket` if the lane may take it; None: the general path.
    ``routes`` are the app's fast routes (what they decide is what werkzeug would); ``extra``
    goes into the environ if one is built (the in-process connection)."""
    if cloud.faults.active or cloud.sealed:
        return None
    parts = split_url(url)
    scheme, netloc, path, query = parts
    if (scheme != "http" and scheme != "https") or not plain_path(path) or not query.isascii():
        return None
    body = body or b""
    if len(body) > cloud.max_body:
        return None
    method = method.upper()
    static, patterns = routes
    endpoint = static.get((path, method))
    args: dict[str, str] = {}
    if endpoint is None:
        found = patterns.match(path, method)
        if found is None:
            return None
        endpoint, args = found
    owner, route = endpoint
    if owner == "admin":  # its own body limit and write hook: the general path knows them
        return None
    fields = header_fields(netloc, headers, body)
    if _GENERAL[0] in fields or _GENERAL[1] in fields:
        return None
    return Ticket(cloud.providers[owner], route, args, method, url, parts, headers, body, fields, extra)
