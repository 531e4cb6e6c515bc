"""The fake's one time source.

Everything that expires or refills (tokens, throttle buckets, timestamps) asks this clock, never
``time`` directly. It reads ``time.time()`` at call time, so ``freezegun.freeze_time`` moves it in
tests, and keeps an offset so a server in another process can be moved forward through the admin
API (``POST /_iotfake/clock``) where freezegun cannot reach.
"""

from __future__ import annotations

import threading
import time


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
        """Move the fake's time forward (tokens expire, buckets refill); returns the new offset."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            return self._offset

    @property
    def offset(self) -> float:
        return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    def snapshot(self) -> dict:
        return {"offset": self._offset}

    def restore(self, data: dict) -> None:
        with self._lock:
            self._offset = float(data.get("offset", 0.0))
