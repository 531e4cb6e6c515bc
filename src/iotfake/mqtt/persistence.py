"""Persistent sessions (MQTT 3.1.1, 3.1.2.4; AWS's "MQTT persistent sessions").

A client that connects with clean session 0 keeps its session when it goes: its subscriptions
stay in the broker's index, and the QoS 1 messages they select wait for it. When it connects
again with clean session 0 it gets them back (CONNACK "session present" 1) and the waiting
messages follow its CONNACK; with clean session 1 the session is discarded. A session nobody
resumes expires one hour after its client left (AWS's default), on the fake's clock.

Choices where AWS documents nothing ([I] in the README): at most ``MAX_QUEUED`` messages wait
for one client (the oldest go first) and ``MAX_AWAY`` sessions are kept (the one whose client
left first goes first): a fake must not grow without bound.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import packets
    from .session import ClientKey, Session
    from .subscribers import Subscribers

#: AWS IoT Core's default persistent session expiry: one hour
EXPIRY_MS = 3_600_000
MAX_QUEUED = 1_000
MAX_AWAY = 10_000


class Away:
    """The sessions whose clients left, by realm and client id, with when each expires; the
    oldest first (every session expires ``EXPIRY_MS`` after it was kept)."""

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: dict[ClientKey, tuple[Session, int]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def keep(self, session: Session, now_ms: int) -> list[Session]:
        """Keep a session whose client left, its unacknowledged messages first in its queue; the
        sessions that went to make room for it (one of the same client id kept before too)."""
        key = session.key
        replaced = self._kept.pop(key, None)
        evicted = [replaced[0]] if replaced is not None else []
        unacknowledged = (replace(m, dup=True) for m in session.inflight.values())
        session.queued = deque(unacknowledged, maxlen=MAX_QUEUED)
        session.inflight = {}
        self._kept[key] = (session, now_ms + EXPIRY_MS)
        while len(self._kept) > MAX_AWAY:
            evicted.append(self._kept.pop(next(iter(self._kept)))[0])
        return evicted

    def take(self, key: ClientKey) -> Session | None:
        """The kept session of ``key``, no longer kept (its client is back, or wants it gone)."""
        found = self._kept.pop(key, None)
        return None if found is None else found[0]

    def find(self, key: ClientKey) -> tuple[Session, int] | None:
        """A kept session and when it expires, left kept (GetConnection)."""
        return self._kept.get(key)

    def expired(self, now_ms: int) -> list[Session]:
        """The sessions past their expiry, no longer kept."""
        gone = []
        while self._kept:
            key, (session, expires) = next(iter(self._kept.items()))
            if expires > now_ms:
                break
            del self._kept[key]
            gone.append(session)
        return gone

    def clear(self) -> list[Session]:
        gone = [session for session, _ in self._kept.values()]
        self._kept.clear()
        return gone


def queue(session: Session, message: packets.Publish) -> None:
    """A message for a client that is away: a QoS 1 one waits; a QoS 0 one is not kept (MQTT
    3.1.2.4 lets a server keep those; AWS does not)."""
    if message.qos and session.queued is not None:
        session.queued.append(message)


def resume(away: Away, subscribers: Subscribers, session: Session) -> list[packets.Publish] | None:
    """The session ``session``'s client left, taken up by it again: its subscriptions (in
    ``subscribers`` now under the new session), and the messages that waited; None: none was
    kept, or the client asked for a clean session, which discards it (3.1.2-6)."""
    kept = discard(away, subscribers, session.key)
    if kept is None:
        return None
    if session.hello.clean_session:
        return None
    session.subscriptions = dict(kept.subscriptions)
    session.adopt_ids(kept)  # the messages sent again keep their ids: new ones must not take them
    for topic_filter, qos in session.subscriptions.items():
        subscribers.add(session, topic_filter, qos)
    return list(kept.queued or ())


def discard(away: Away, subscribers: Subscribers, key: ClientKey) -> Session | None:
    """The kept session of ``key`` (None: none), no longer kept nor listening."""
    kept = away.take(key)
    if kept is not None:
        subscribers.drop(kept)
    return kept


def forget(away: Away, subscribers: Subscribers) -> None:
    """Every kept session goes (the fake starts afresh or stops)."""
    for session in away.clear():
        subscribers.drop(session)


def expire(away: Away, subscribers: Subscribers, now_ms: int) -> None:
    """The sessions past their expiry go, and their subscriptions with them."""
    for session in away.expired(now_ms):
        subscribers.drop(session)
