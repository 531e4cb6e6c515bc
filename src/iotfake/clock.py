"""The fake's one time source.

Everything that expires or refills (tokens, throttle buckets, timestamps) asks this clock, never
``time`` directly. It reads ``time.time()`` at call time, so ``freezegun.freeze_time`` moves it in
tests, and keeps an offset so a server in another process can be moved forward through the admin
API (``POST /_iotfake/clock``) where freezegun cannot reach.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from .numbers import real

#: how far ahead the clock may be moved, in all: a century covers any token, certificate or quota
#: a test waits out, and keeps every date the fake writes inside what datetime and X.509 express
MAX_OFFSET = 100 * 365.25 * 86400
LIMIT_TEXT = f"from 0 to {MAX_OFFSET:.0f} (100 years)"


class Clock:
    """Wall-clock seconds plus an adjustable offset."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        """Seconds since the epoch, as the fake sees them."""
        return time.time() + self._offset

    def ms(self) -> int:
        """Epoch milliseconds: the unit EnOS and scriptr put on the wire."""
        return int((time.time() + self._offset) * 1000)

    def advance(self, seconds: float) -> float:
        """Move the fake's time forward (tokens expire, buckets refill); returns the new offset.

        ValueError for a negative, non-finite or too large amount: the clock only moves forward,
        and at most :data:`MAX_OFFSET` seconds ahead in all (until :meth:`reset`).
        """
        amount = real(seconds, 0, MAX_OFFSET)
        if amount is None:
            raise ValueError(f"the clock advances by a number of seconds {LIMIT_TEXT}, not {seconds!r}")
        with self._lock:
            if self._offset + amount > MAX_OFFSET:
                raise ValueError(
                    f"the clock is already {self._offset:.0f} s ahead and moves at most "
                    f"{MAX_OFFSET:.0f} s (100 years) ahead in all; reset it first"
                )
            self._offset += amount
            return self._offset

    @property
    def offset(self) -> float:
        return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    def snapshot(self) -> dict:
        return {"offset": self._offset}

    def restore(self, data: dict[str, Any]) -> None:
        offset = real(data.get("offset", 0.0), 0, MAX_OFFSET)
        if offset is None:
            raise ValueError(f"clock.offset must be a number of seconds {LIMIT_TEXT}")
        with self._lock:
            self._offset = offset
