"""What the broker hears from the cloud it serves: the changes every write commits (either
transport's), turned into what connected clients must see, and the cloud starting afresh.
Messages the registry published (iot-data's Publish, shadow answers) are routed; a write of a
credential a session was admitted by asks its side whether the session may stay; writes a side
watches become its notices (AWS: jobs/notify); a reset or a rebind ends every session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import TYPE_CHECKING, Any

from . import packets, persistence
from .sides import CREDENTIALS

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..cloud import FakeCloud
    from .persistence import Away
    from .session import ClientKey, Session
    from .sides import Sides
    from .subscribers import Subscribers

#: AWS's disconnect reason for a client whose credentials no longer admit it (a revoked certificate)
REVOKED = "AUTH_ERROR"
#: how often, in real seconds, the sides hear that time passed (``DeviceSide.tick``)
TICK = 1.0

log = logging.getLogger("iotfake")


class Listening:
    """The broker's change listener (a mixin of ``Broker``)."""

    loop: asyncio.AbstractEventLoop | None
    cloud: FakeCloud
    sides: Sides
    _sessions: dict[ClientKey, Session]
    _tls: Any
    _thread: threading.Thread | None
    _unsubscribe: Callable[[], None] | None
    _gone: dict[ClientKey, dict[str, Any]]
    _away: Away
    _subscribers: Subscribers
    #: made on the loop at its first use (``_route_in_order``)
    _in_order: asyncio.Lock | None = None
    if TYPE_CHECKING:

        async def _drop(self, session: Session, reason: str, detail: str | None = None) -> None: ...
        async def _work(self, fn: Callable[..., Any], *args: Any) -> Any: ...
        async def _route(
            self, realm: tuple[str, str], message: packets.Publish, origin: Session | None
        ) -> None: ...

    def _hear(self, batch: list[Any]) -> None:
        """Change listener (any thread): route what the registry published, on the loop."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        if self._tls is not None:
            self._tls.hear(batch)
        written = (
            {  # nobody connected: no credential of a session to look for (a bulk load)
                (tuple(change.scope), change.kind, change.key)
                for change in batch
                if change.kind in CREDENTIALS and change.scope is not None
            }
            if self._sessions
            else None
        )
        if written:
            with contextlib.suppress(RuntimeError):
                asyncio.run_coroutine_threadsafe(self._revoke(written), loop)
        watched = (
            [c for c in batch if c.kind in self.sides.watched and c.scope is not None]
            if self._sessions
            else []
        )
        if watched:
            with contextlib.suppress(RuntimeError):
                asyncio.run_coroutine_threadsafe(self._notices(watched), loop)
        heard = (
            [c for c in batch if c.kind in self.sides.heard and c.scope is not None] if self._sessions else []
        )
        if heard:
            self._publish_heard(heard, loop)
        for change in batch:
            if change.kind != "published" or change.scope is None:
                continue
            event = change.after.data
            message = packets.Publish(
                event["topic"], bytes(event["payload"]), int(event.get("qos", 0)), False
            )
            with contextlib.suppress(RuntimeError):  # the loop stopped meanwhile
                asyncio.run_coroutine_threadsafe(self._route(tuple(change.scope), message, None), loop)

    def _publish_heard(self, changes: list[Any], loop: asyncio.AbstractEventLoop) -> None:
        """What the sides make of the writes they hear (AWS: registry events), made here, in the
        dispatching thread, and routed on the loop in the order their writes committed."""
        made = [m for side in self.sides.all if side.hears for m in side.heard(changes)]
        if made:
            with contextlib.suppress(RuntimeError):  # the loop stopped meanwhile
                asyncio.run_coroutine_threadsafe(self._route_in_order(made), loop)

    async def _route_in_order(self, made: list[tuple[tuple[str, str], packets.Publish]]) -> None:
        """Route a dispatch's messages after those of every dispatch before it (each waits for
        its receivers' policies on the pool, which would let a later one overtake)."""
        if self._in_order is None:
            self._in_order = asyncio.Lock()
        async with self._in_order:
            for realm, message in made:
                await self._route(realm, message, origin=None)

    def _run_ticking(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run the broker's loop until it stops, ticking (``_ticking``) meanwhile."""
        ticking = loop.create_task(self._ticking())
        try:
            loop.run_forever()
        finally:
            ticking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(ticking)

    async def _ticking(self) -> None:
        """Every ``TICK`` seconds, each side with connected clients hears that time passed, for
        their realms (a deadline on the fake's clock passes with no call to notice it)."""
        while True:
            await asyncio.sleep(TICK)
            realms: dict[Any, set[tuple[str, str]]] = {}
            for session in list(self._sessions.values()):
                realms.setdefault(session.side, set()).add(session.admitted.realm)
            for side, mine in realms.items():
                try:
                    await self._work(side.tick, mine)
                except Exception:  # a tick's failure must not end the ticking
                    log.exception("iotfake: the %s device side's tick failed", side.name)

    async def _notices(self, changes: list[Any]) -> None:
        """What the sides publish of the registry's writes they watch (AWS: jobs/notify)."""
        for side in self.sides.all:
            mine = [change for change in changes if change.kind in side.watches]
            if mine:
                for realm, message in await self._work(side.notices, mine):
                    await self._route(realm, message, origin=None)

    async def _revoke(self, written: set[tuple[tuple[str, str], str, str]]) -> None:
        """Drop the sessions whose credentials were written and no longer admit them (a revoked
        certificate, a disabled or deleted device): the registry decides who stays, not only who
        gets in."""
        for session in list(self._sessions.values()):
            realm = session.admitted.realm
            if any((realm, kind, key) in written for kind, key in session.admitted.credentials):
                reason = await self._work(session.side.revoked, session)
                if reason is not None:
                    await self._drop(session, REVOKED, detail=reason)

    def rebind(self, cloud: FakeCloud) -> None:
        """Serve another cloud (the pytest plugin's fresh cloud per test): the old one's clients go."""
        self.reset()  # the old cloud's clients go, and its disconnects are not the new one's
        if self._unsubscribe is not None:
            self._unsubscribe()
        # the listener's certificate chains to the first cloud's root: one server, one identity
        cloud.authority = self.cloud.authority
        self.cloud.broker = None
        self.cloud = cloud
        cloud.broker = self
        from .sides import sides_for

        self.sides = sides_for(cloud)
        self._unsubscribe = cloud.changes.subscribe(self._hear)
        if self._tls is not None:
            self._tls.cloud = cloud
            self._tls.refresh()

    async def _drop_all(self, reason: str) -> None:
        """Every client goes, and every session kept for one (the fake starts afresh or stops)."""
        for session in list(self._sessions.values()):
            await self._drop(session, reason)
        persistence.forget(self._away, self._subscribers)

    def reset(self) -> None:
        """The cloud starts afresh (``cloud.reset``, or a rebind): its clients go and their disconnects are
        forgotten, so nothing of one test's devices reaches the next test's state."""
        loop = self.loop
        if loop is None or not loop.is_running():
            self._gone.clear()
            persistence.forget(self._away, self._subscribers)
            return

        async def clear() -> None:
            await self._drop_all("SERVER_INITIATED_DISCONNECT")
            self._gone.clear()

        future = asyncio.run_coroutine_threadsafe(clear(), loop)
        if threading.current_thread() is not self._thread:  # the loop's own thread cannot wait
            future.result(timeout=10)
