"""Who listens to what: every connected session's topic filters, per realm, as a tree of their
levels, so that routing a message walks the levels of its topic instead of testing every
session's filters against it (a fleet of a thousand connected devices made every message cost
a thousand sessions' worth of matching, on the event loop).

The sessions' own ``subscriptions`` stay the record of what each one granted; this is an index
of them, kept by the broker where it changes them (SUBSCRIBE, UNSUBSCRIBE, a session's end).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from .topics import LevelNode

if TYPE_CHECKING:
    from .session import Session


class Subscribers:
    __slots__ = ("_realms",)

    def __init__(self) -> None:
        self._realms: dict[Hashable, _Node] = {}

    def add(self, session: Session, topic_filter: str, qos: int) -> None:
        """``session`` subscribes to ``topic_filter``, granted ``qos`` (again: the new grant)."""
        node = self._realms.setdefault(session.admitted.realm, _Node())
        for level in topic_filter.split("/"):
            node = node.child(level)
        node.here[session] = qos

    def remove(self, session: Session, topic_filter: str) -> None:
        root = self._realms.get(session.admitted.realm)
        if root is None:
            return
        root.unlink(topic_filter.split("/"), lambda node: node.here.pop(session, None), _holds_sessions)
        if not root.children:
            del self._realms[session.admitted.realm]

    def drop(self, session: Session) -> None:
        """A session that ended: none of its filters listen any more."""
        for topic_filter in session.subscriptions:
            self.remove(session, topic_filter)

    def matching(self, realm: Hashable, topic: str) -> dict[Session, int]:
        """The sessions of ``realm`` with a filter selecting ``topic``, each with the highest QoS
        such a filter was granted (as ``topics.matches`` decides, ``$``-topics included)."""
        root = self._realms.get(realm)
        if root is None:
            return {}
        levels = topic.split("/")
        reserved = topic.startswith("$")  # a wildcard first level does not select it (4.7.2)
        found: dict[Session, int] = {}
        stack = [(root, 0)]
        while stack:
            node, depth = stack.pop()
            children = node.children
            wild = not (reserved and depth == 0)
            if children:
                rest = children.get("#") if wild else None
                if rest is not None:  # "a/#" selects "a" and everything under it (4.7.1.2)
                    _grant(found, rest.here)
            if depth == len(levels):
                _grant(found, node.here)
                continue
            if not children:
                continue
            literal = children.get(levels[depth])
            if literal is not None:
                stack.append((literal, depth + 1))
            plus = children.get("+") if wild else None
            if plus is not None:
                stack.append((plus, depth + 1))
        return found


def _grant(found: dict[Session, int], here: dict[Session, int]) -> None:
    for session, qos in here.items():
        if found.get(session, -1) < qos:
            found[session] = qos


class _Node(LevelNode):
    __slots__ = ("here",)

    def __init__(self) -> None:
        super().__init__()
        #: the sessions whose filter ends at this node, with the QoS each was granted
        self.here: dict[Session, int] = {}


def _holds_sessions(node: _Node) -> bool:
    return bool(node.here)
