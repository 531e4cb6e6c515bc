"""Bounded memos of what clients send.

The request path remembers what it made of a value a client repeats on every call (a query, a
header set, a credential scope, a region, a route's depth), so the second call reads it back
instead of making it again. Clients choose those values, and a long-running ``iotfake serve``
sees every client's, so each memo is bounded. Past its bound a memo starts over rather than
stop learning: the values a client sends now are the ones worth keeping, and a memo that filled
up with yesterday's would make every new value pay full price for the rest of the process.

Reading stays a plain ``dict.get`` at each call site (a call per lookup would cost as much as
some of the lookups save); only keeping goes through :func:`keep`, on the path that made the
value anyway.
"""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def keep(memo: dict[K, V], key: K, value: V, size: int) -> V:
    """Remember ``value`` under ``key`` in a memo of at most ``size`` entries, emptied first
    when full; returns ``value``."""
    if len(memo) >= size:
        memo.clear()
    memo[key] = value
    return value
