"""Topic names and filters (MQTT 3.1.1, 4.7): validation and matching."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any, Self


def valid_name(topic: str) -> bool:
    """A topic a client may publish to: not empty, no wildcard, no NUL."""
    return bool(topic) and "+" not in topic and "#" not in topic and "\x00" not in topic


def valid_filter(topic_filter: str) -> bool:
    """``#`` only as the whole last level, ``+`` only as a whole level."""
    if not topic_filter or "\x00" in topic_filter:
        return False
    levels = topic_filter.split("/")
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            return False
        if "+" in level and level != "+":
            return False
    return True


def _levels(text: str) -> tuple[str, ...]:
    """A topic's levels, remembered for topics of a usual size: a topic of 65,535 slashes is
    half a megabyte of levels, and 4,096 of them pinned 2 GB in the memo."""
    return _remembered(text) if len(text) <= REMEMBERED else tuple(text.split("/"))


#: the longest topic whose levels are remembered
REMEMBERED = 512


@lru_cache(maxsize=4096)
def _remembered(text: str) -> tuple[str, ...]:
    return tuple(text.split("/"))


def matches(topic_filter: str, topic: str) -> bool:
    """Whether ``topic`` is one ``topic_filter`` selects; a wildcard at the first level does not
    select ``$``-topics (4.7.2)."""
    wanted, levels = _levels(topic_filter), _levels(topic)
    if topic.startswith("$") and wanted[0] in ("+", "#"):
        return False
    for index, level in enumerate(wanted):
        if level == "#":
            return True
        if index >= len(levels):
            return False
        if level != "+" and level != levels[index]:
            return False
    return len(wanted) == len(levels)


class TopicTree:
    """The topics a table holds, as a tree of their levels: what a filter selects, found by
    walking the levels it names (``+`` every child, ``#`` a whole subtree) rather than by
    matching it against every topic. A SUBSCRIBE reads the retained messages its filters
    select; a tenant may hold hundreds of thousands.

    An ``indexes.Index`` (made by ``Table.derived``): keyed by topic, so a record's write never
    moves it; only an insert or a delete does.
    """

    __slots__ = ("_root",)

    def __init__(self, rows: Iterable[tuple[str, Any]]) -> None:
        self._root = _Node()
        for topic, record in rows:
            self.moved(topic, None, record)

    def moved(self, key: str, before: Any, after: Any) -> None:
        was, now = type(before) is dict, type(after) is dict
        if now and not was:
            node = self._root
            for level in key.split("/"):
                node = node.child(level)
            node.topic = key
        elif was and not now:
            self._remove(key)

    def _remove(self, topic: str) -> None:
        self._root.unlink(topic.split("/"), _without_topic, _holds_topic)

    def selected(self, topic_filter: str) -> list[str]:
        """The topics ``topic_filter`` selects (as ``matches`` decides), in no set order."""
        wanted = topic_filter.split("/")
        found: list[str] = []
        stack = [(self._root, 0)]
        while stack:
            node, depth = stack.pop()
            if depth == len(wanted):
                if node.topic is not None:
                    found.append(node.topic)
                continue
            level = wanted[depth]
            if level == "#":  # the parent level too: "a/#" selects "a" (4.7.1.2)
                found.extend(node.topics_under(skip_dollar=depth == 0))
            elif level == "+":
                for name, child in (node.children or {}).items():
                    if not (depth == 0 and name.startswith("$")):  # 4.7.2
                        stack.append((child, depth + 1))
            elif node.children and level in node.children:
                stack.append((node.children[level], depth + 1))
        return found


class LevelNode:
    """A node of a tree of topic levels (``TopicTree``'s, and ``subscribers``' of filters): its
    children by level, made on first use (most nodes are leaves)."""

    __slots__ = ("children",)

    def __init__(self) -> None:
        self.children: dict[str, Self] | None = None

    def child(self, level: str) -> Self:
        if self.children is None:
            self.children = {}
        found = self.children.get(level)
        if found is None:
            found = self.children[level] = type(self)()
        return found

    def unlink(
        self, levels: list[str], take: Callable[[Self], object], holds: Callable[[Self], bool]
    ) -> None:
        """At the node ``levels`` lead to, if there is one, ``take`` takes out what it held; then
        the branches that lead nowhere go (no children, and nothing ``holds`` says is there)."""
        path, node = [], self
        for level in levels:
            found = node.children.get(level) if node.children else None
            if found is None:
                return
            path.append((node, level))
            node = found
        take(node)
        for parent, level in reversed(path):
            child = parent.children[level]  # type: ignore[index]
            if child.children or holds(child):
                break
            del parent.children[level]  # type: ignore[union-attr]


class _Node(LevelNode):
    __slots__ = ("topic",)

    def __init__(self) -> None:
        super().__init__()
        self.topic: str | None = None

    def topics_under(self, skip_dollar: bool) -> Iterator[str]:
        """The topics at this node and under it; ``skip_dollar`` leaves out the first level's
        ``$`` branches (4.7.2)."""
        if self.topic is not None:
            yield self.topic
        stack = [
            child
            for name, child in (self.children or {}).items()
            if not (skip_dollar and name.startswith("$"))
        ]
        while stack:
            node = stack.pop()
            if node.topic is not None:
                yield node.topic
            if node.children:
                stack.extend(node.children.values())


def _without_topic(node: _Node) -> None:
    node.topic = None


def _holds_topic(node: _Node) -> bool:
    return node.topic is not None
