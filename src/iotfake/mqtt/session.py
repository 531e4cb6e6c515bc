"""One connected MQTT client, as the broker holds it: what it presented, what it was admitted as,
what it subscribed to, and the bytes it has yet to read."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from . import packets
from .sides import Admitted, DeviceSide, Hello

#: what a client that does not read may leave unsent before deliveries to it are dropped ([I]:
#: AWS throttles slow clients; a fake must not grow without bound for one)
MAX_BACKLOG = 8 * 1024 * 1024
#: AWS IoT Core's quota of unacknowledged outbound messages per client
MAX_INFLIGHT = 100


#: a connected client's name in the broker: its realm and client id (a client id connects once)
ClientKey = tuple[tuple[str, str], str]


@dataclass(eq=False)
class Session:
    """One connected client."""

    writer: asyncio.StreamWriter
    side: DeviceSide
    hello: Hello
    admitted: Admitted
    subscriptions: dict[str, int] = field(default_factory=dict)
    published: int = 0
    closed: bool = False
    #: when it connected (ms on the fake's clock)
    since: int = 0
    #: deliveries waiting for the client's PUBACK (SendDirectMessage with confirmation)
    waiting: dict[int, asyncio.Future[None]] = field(default_factory=dict)
    #: the last will from its CONNECT, published if the connection ends without a DISCONNECT
    will: packets.Publish | None = None
    #: deliveries dropped because the client left too much unread (MAX_BACKLOG)
    dropped: int = 0
    #: a persistent session's QoS 1 messages while its client is away (``persistence``)
    queued: deque[packets.Publish] | None = None
    #: the side hearing of the connection (``connected``), awaited by a drop that comes meanwhile
    connecting: asyncio.Future[Any] | None = None
    #: its CONNACK went out: a persistent session is kept for it when it goes
    established: bool = False
    #: a persistent session's QoS 1 deliveries its client has not acknowledged, by packet id
    inflight: dict[int, packets.Publish] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: itertools.cycle(range(1, 65536)))

    @property
    def client_id(self) -> str:
        return self.hello.client_id

    @property
    def key(self) -> ClientKey:
        return self.admitted.realm, self.hello.client_id

    def next_id(self) -> int:
        return next(self._ids)

    def adopt_ids(self, other: Session) -> None:
        """Number packets on from where ``other`` (the session this one takes up) left off."""
        self._ids = other._ids

    def track(self, message: packets.Publish) -> None:
        """A QoS 1 delivery to send again if the client leaves before its PUBACK and comes back
        to its persistent session ([I]: the last MAX_INFLIGHT, AWS's bound on unacknowledged
        outbound messages)."""
        if self.hello.clean_session:
            return
        self.inflight[message.packet_id] = message  # type: ignore[index]
        if len(self.inflight) > MAX_INFLIGHT:
            del self.inflight[next(iter(self.inflight))]

    def send(self, data: bytes) -> None:
        if not self.closed and not self.writer.is_closing():
            self.writer.write(data)

    def backlogged(self) -> bool:
        """Has the client left more than MAX_BACKLOG unread?"""
        transport = self.writer.transport
        return transport is not None and transport.get_write_buffer_size() > MAX_BACKLOG
