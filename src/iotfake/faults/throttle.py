"""Token buckets driven by the fake's clock.

A bucket holds at most ``burst`` tokens and regains ``rate`` per second of *fake* time, so under
``freeze_time`` nothing refills until the test moves the clock, and a test can say exactly which
call is the first to be refused.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from ..numbers import real


@dataclass(slots=True)
class TokenBucket:
    rate: float
    burst: float
    tokens: float
    #: clock time of the last refill
    stamp: float

    @classmethod
    def full(cls, rate: float, burst: float, now: float) -> TokenBucket:
        return cls(rate, burst, burst, now)

    def take(self, now: float) -> float | None:
        """Spend one token; ``None`` if there was one, else the seconds until there will be.

        Elapsed time is rounded to the microsecond: epoch floats carry ~1e-7 s of noise, which
        would otherwise make "advance 0.2 s at 5/s" refill 0.9999999 of a token.
        """
        elapsed = round(now - self.stamp, 6)
        if elapsed > 0:
            self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
            self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate

    def to_dict(self) -> dict[str, Any]:
        return {"tokens": self.tokens, "stamp": self.stamp}


#: how many buckets a rule holds before the refilled ones are forgotten
PRUNE_AT = 1024


class Buckets:
    """One bucket per tenant and key: real quotas are per account and, mostly, per API (the key is
    the operation), sometimes shared by several APIs or kept per resource (see ``Action.per``)."""

    __slots__ = ("_buckets", "_prune_at", "burst", "rate")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[tuple[str | None, str], TokenBucket] = {}
        self._prune_at = PRUNE_AT

    def take(self, tenant: str | None, key: str, now: float) -> float | None:
        bucket = self._buckets.get((tenant, key))
        if bucket is None:
            if len(self._buckets) >= self._prune_at:
                self._prune(now)
            bucket = self._buckets[(tenant, key)] = TokenBucket.full(self.rate, self.burst, now)
        return bucket.take(now)

    def _prune(self, now: float) -> None:
        """Forget the buckets that have refilled: a full bucket and a missing one answer alike,
        so buckets kept per client id or thing name stay bounded by the ones in use."""
        self._buckets = {
            where: bucket
            for where, bucket in self._buckets.items()
            if bucket.tokens + max(0.0, round(now - bucket.stamp, 6)) * bucket.rate < bucket.burst
        }
        self._prune_at = max(PRUNE_AT, 2 * len(self._buckets))

    def snapshot(self) -> list[dict[str, Any]]:
        return [
            {"tenant": tenant, "key": key, **bucket.to_dict()}
            for (tenant, key), bucket in self._buckets.items()
        ]

    def restore(self, rows: list[dict[str, Any]]) -> None:
        self._buckets = {
            # snapshots before per-keyed buckets name the key "operation"
            (row["tenant"], row["key"] if "key" in row else row["operation"]): TokenBucket(
                self.rate, self.burst, _finite(row["tokens"], "tokens"), _finite(row["stamp"], "stamp")
            )
            for row in rows
        }


def _finite(value: Any, name: str) -> float:
    """A bucket's number as a snapshot holds it: a finite JSON number (``float("nan")`` took
    the text "nan", and a NaN written back to a state file made it unreadable)."""
    number = real(value, -sys.float_info.max, sys.float_info.max)
    if number is None:
        raise ValueError(f"a bucket's {name} is a finite JSON number, not {value!r}")
    return number
