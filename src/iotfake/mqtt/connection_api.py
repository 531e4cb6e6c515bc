"""What the rest of the fake asks the broker about its clients, from any thread but the loop's:
iot-data's GetConnection, DeleteConnection and SendDirectMessage, iot's GetThingConnectivityData,
and the console's client list.

A mixin of :class:`~.broker.Broker`: each question runs on the broker's loop, which owns the
sessions, and waits for the answer.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from . import packets, persistence

if TYPE_CHECKING:
    from collections.abc import Callable

    from .persistence import Away
    from .session import ClientKey, Session
    from .subscribers import Subscribers


class ConnectionApi:
    """The broker's connection questions (see the module's docstring)."""

    loop: asyncio.AbstractEventLoop | None
    _sessions: dict[ClientKey, Session]
    _gone: dict[ClientKey, dict[str, Any]]
    _away: Away
    _subscribers: Subscribers
    if TYPE_CHECKING:

        async def _drop(
            self,
            session: Session,
            reason: str,
            detail: str | None = None,
            *,
            clean: bool = ...,
            will: bool = ...,
        ) -> None: ...
        async def _work(self, fn: Callable[..., Any], *args: Any) -> Any: ...
        def _deliver(self, session: Session, message: packets.Publish) -> int | None: ...
        def _expire(self) -> None: ...

    def _on_loop(self, coroutine: Any, timeout: float = 30) -> Any:
        loop = self.loop
        if loop is None or not loop.is_running():
            raise RuntimeError("the broker is not running")
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout)

    def _session(self, realm: tuple[str, str], client_id: str) -> Session | None:
        return self._sessions.get((realm, client_id))

    def connection(self, realm: tuple[str, str], client_id: str) -> dict[str, Any] | None:
        """A client's connection as GetConnection describes it (None: the broker never saw it)."""

        async def read() -> dict[str, Any] | None:
            self._expire()
            session = self._session(realm, client_id)
            if session is None:
                gone = self._gone.get((realm, client_id))
                if gone is None:
                    return None
                kept = self._away.find((realm, client_id))
                if kept is None:
                    return {"connected": False, "cleanSession": True, **gone}
                return {  # a persistent session waiting for its client
                    "connected": False,
                    "cleanSession": False,
                    "sessionExpiry": persistence.EXPIRY_MS // 1000,
                    "subscriptions": sorted(kept[0].subscriptions.items()),
                    **gone,
                }
            return self._live(session)

        return self._on_loop(read())

    def thing_connection(self, realm: tuple[str, str], thing_name: str) -> dict[str, Any] | None:
        """The live connection of the thing ``thing_name`` is, as ``connection`` describes one
        (with its ``clientId``), for GetThingConnectivityData: None when none is connected."""

        async def read() -> dict[str, Any] | None:
            for (where, client_id), session in self._sessions.items():
                if where == realm and session.admitted.params.get("thingName") == thing_name:
                    return {"clientId": client_id, **self._live(session)}
            return None

        return self._on_loop(read())

    @staticmethod
    def _live(session: Session) -> dict[str, Any]:
        """A connected session as GetConnection describes it (read on the loop)."""
        peer = session.writer.get_extra_info("peername") or ("", 0)
        local = session.writer.get_extra_info("sockname") or ("", 0)
        return {
            "connected": True,
            "thingName": session.admitted.params.get("thingName"),
            "cleanSession": session.hello.clean_session,
            **({} if session.hello.clean_session else {"sessionExpiry": persistence.EXPIRY_MS // 1000}),
            "keepAliveDuration": session.hello.keep_alive,
            "connectedSince": session.since,
            "sourceIp": peer[0],
            "sourcePort": peer[1],
            "targetIp": local[0],
            "targetPort": local[1],
            "subscriptions": sorted(session.subscriptions.items()),
        }

    def disconnect(
        self, realm: tuple[str, str], client_id: str, *, clean: bool = False, will: bool = True
    ) -> bool:
        """Close a client's connection as DeleteConnection does (``clean``: its persistent session
        goes too, connected or not; ``will``: its last will is published); False: nothing to do."""

        async def close() -> bool:
            self._expire()
            session = self._session(realm, client_id)
            if session is not None:
                await self._drop(session, "API_INITIATED_DISCONNECT", clean=clean, will=will)
                return True
            return (
                clean and persistence.discard(self._away, self._subscribers, (realm, client_id)) is not None
            )

        return self._on_loop(close())

    def send_direct(
        self, realm: tuple[str, str], client_id: str, message: packets.Publish, confirm_within: float | None
    ) -> str:
        """Deliver to one client, subscribed or not, if its policy allows ``iot:Receive``:
        ``"sent"``, ``"confirmed"``, ``"not connected"``, ``"not authorized"`` or ``"timed out"``."""

        async def send() -> str:
            session = self._session(realm, client_id)
            if session is None:
                return "not connected"
            if not await self._work(session.side.may_receive, session, message.topic):
                return "not authorized"
            packet_id = self._deliver(session, message)
            if confirm_within is None or packet_id is None:
                return "sent"
            waiter = session.waiting[packet_id] = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(waiter, confirm_within)
            except (TimeoutError, asyncio.CancelledError):
                session.waiting.pop(packet_id, None)
                return "timed out"
            return "confirmed"

        return self._on_loop(send(), timeout=(confirm_within or 0) + 30)

    # -- for tests and the console ----------------------------------------------------------------------
    def clients(self) -> list[str]:
        return sorted(client_id for _, client_id in self._sessions)
