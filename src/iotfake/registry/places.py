"""Where an item is in a long list that grows and shrinks in place (``Table.append``,
``Table.remove_item``: a thing group's members), found from a hint rather than by searching the
list: a thing that left a group of 50,000 was looked for among them, from both ends (0.4 ms).

The hints are each item's index when it was noted: all of them at once, then each appended one.
An item only moves towards the front, one place for each item that leaves before it, so its
index now lies between its hint less the items that left since the hints were made, and its hint:
that window is searched. Once more items left than the square root of the list's length, the
window costs about what making the hints again does, and they are made again.
"""

from __future__ import annotations

from typing import Any

#: the length from which a list's items are found by hints (a shorter one is searched at once)
HINTED_FROM = 1024
#: items that may leave before the hints are made again, at the least
_MIN_REMOVALS = 64


class Places:
    """The hints of one list object (the table makes new ones for a list that replaced it)."""

    __slots__ = ("_hints", "_removed", "values")

    def __init__(self, values: list[Any]) -> None:
        self.values = values
        self._hints = {item: at for at, item in enumerate(values)}
        self._removed = 0

    @property
    def stale(self) -> bool:
        """Whether the window has grown past what making the hints again costs."""
        removed = self._removed
        return removed > _MIN_REMOVALS and removed * removed > len(self.values)

    def find(self, item: Any) -> int | None:
        """Where ``item`` is now; None if the list does not hold it (every item it holds has a
        hint: the list changes only through ``appended`` and ``removed``)."""
        hint = self._hints.get(item)
        if hint is None:
            return None
        return self.values.index(item, max(0, hint - self._removed), hint + 1)

    def appended(self, item: Any) -> None:
        self._hints[item] = len(self.values) - 1

    def removed(self, item: Any) -> None:
        del self._hints[item]
        self._removed += 1
