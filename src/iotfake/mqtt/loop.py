"""The broker's event loop, on the machine's real monotonic clock whatever freezegun does.

``freeze_time`` replaces ``time.monotonic``, which asyncio's loops read for every timer: under it
the broker's ``asyncio.sleep`` (a latency rule) and ``wait_for`` (a CONNECT's deadline, a
keep-alive) never ended, so a test that froze time for token expiry hung its devices. The fake's
own clock (``clock.Clock``) still follows freezegun: token expiry, throttle windows and session
expiry move with it; only how long the broker waits in real seconds does not.
"""

from __future__ import annotations

import asyncio
import time

#: CLOCK_MONOTONIC, which ``time.monotonic`` reads on Linux and macOS; freezegun leaves
#: ``clock_gettime`` alone. Windows has neither: there the loop keeps ``time.monotonic``.
_MONOTONIC = getattr(time, "CLOCK_MONOTONIC", None)


class RealTimeLoop(asyncio.SelectorEventLoop):
    def time(self) -> float:
        if _MONOTONIC is None:
            return super().time()
        return time.clock_gettime(_MONOTONIC)


def new_loop() -> asyncio.AbstractEventLoop:
    return RealTimeLoop()
