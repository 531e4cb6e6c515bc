"""Topic names and filters (MQTT 3.1.1, 4.7): validation and matching."""

from __future__ import annotations

from functools import lru_cache


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
