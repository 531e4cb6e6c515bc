"""How long a throttled client is told to wait, in the units each header takes.

HTTP's ``Retry-After`` (EnOS, scriptr) takes whole seconds; AWS's ``x-amz-retry-after`` takes
milliseconds. Both are rounded up, since waiting that long finds a token, and clamped to
:data:`MAX_WAIT`: whatever a bucket computes (and a rule's rate is bounded so it never computes
more), the header stays a small whole number a client can parse.
"""

from __future__ import annotations

import math

#: the longest wait announced, in seconds: one day, the slowest rate a throttle rule accepts
MAX_WAIT = 86_400


def _clamped(wait: float | None) -> float:
    if wait is None or wait <= 0:  # NaN is not <= 0: it falls through to the clamp below
        return 0.0
    return wait if wait <= MAX_WAIT else float(MAX_WAIT)


def seconds(wait: float | None) -> str:
    """``Retry-After``: whole seconds, at least 1."""
    return str(max(1, math.ceil(round(_clamped(wait), 3))))


def milliseconds(wait: float | None) -> str:
    """``x-amz-retry-after``: whole milliseconds, at least 1; float noise (0.30000000000000004 s)
    does not round up to the next millisecond."""
    return str(max(1, math.ceil(round(_clamped(wait) * 1000, 3))))
