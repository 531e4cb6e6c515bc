"""Pagination: ``nextToken``/``maxResults`` and ``marker``/``pageSize`` over a sorted listing.

A token encodes the sort key of the last item returned, not an offset, so paging stays correct
while items are created or deleted between pages. Tokens are standard base64 (the model's Marker
pattern is ``[A-Za-z0-9+/]+={0,2}``) and opaque to clients.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ... import jsonio
from .wire import invalid

T = TypeVar("T")
#: page sizes when the client names none: AWS documents 25 for ListCertificates (the ``marker``
#: family); for the ``nextToken`` family it documents none, and the fake uses 50
DEFAULT_MARKER_PAGE = 25
DEFAULT_TOKEN_PAGE = 50


def encode(key: Sequence[Any]) -> str:
    return base64.b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode()


def decode(token: str, field: str) -> list[Any]:
    try:
        key = jsonio.loads(base64.b64decode(token, validate=True), what=field)
    except (binascii.Error, ValueError):  # not base64, or not JSON the fake wrote
        key = None
    if not isinstance(key, list):
        raise invalid(f"The {field} is invalid: {token}")
    return key


def page(
    items: list[T],
    key: Callable[[T], list[Any]],
    token: str | None,
    size: int,
    *,
    field: str = "nextToken",
    descending: bool = False,
) -> tuple[list[T], str | None]:
    """One page of ``items`` in ``key`` order, and the token for the next page (None at the end)."""
    ordered = sorted(items, key=key, reverse=descending)
    if token is not None:
        last = decode(token, field)
        try:
            if descending:
                ordered = [item for item in ordered if key(item) < last]
            else:
                ordered = [item for item in ordered if key(item) > last]
        except TypeError:
            raise invalid(f"The {field} is invalid: {token}") from None
    chunk = ordered[:size]
    more = len(ordered) > size
    return chunk, encode(key(chunk[-1])) if more and chunk else None


def by_marker(
    args: dict[str, Any], items: list[T], key: Callable[[T], list[Any]]
) -> tuple[list[T], str | None]:
    """One page of a ``marker`` list (``pageSize``, 25 by default), newest first unless the
    request says ``ascendingOrder``, as AWS's certificate, policy and alias lists order."""
    return page(
        items,
        key=key,
        token=args.get("marker"),
        size=args.get("pageSize", DEFAULT_MARKER_PAGE),
        field="marker",
        descending=not args.get("ascendingOrder", False),
    )
