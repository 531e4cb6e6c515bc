"""Secondary indexes of a record table: which keys hold a value in a field, kept as writes happen.

A table is a dict by key, so finding the records by anything else read the whole table: every
DeleteThing read every job execution for the ones of its thing, and every device-side jobs call
read them all for the ones of its thing or its job (7 ms a call at 10,000 things with one job).
An index is made the first time a reader asks for it, from one pass over the table, and the table
keeps it up to date through every write and every undo (``Table.index``). Tables are replaced on
restore, and their indexes go with them.

Only dict records are indexed, by the value their fields hold (several fields: a tuple of their
values); a record without the field, or whose value cannot be hashed, is in no entry. A lookup
therefore finds exactly the records whose field equals the value asked for, as a scan comparing
with ``==`` would for text and numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class Index(Protocol):
    """What a table tells its indexes: the record at ``key`` went from ``before`` to ``after``
    (either one ``MISSING`` where there was or is none), for every write and every undo."""

    def moved(self, key: str, before: Any, after: Any) -> None: ...


class FieldIndex:
    """``fields`` value -> the keys of the records holding it, in the order they came to hold
    it (not the table's order: a record whose field changes moves to the end of its new value)."""

    __slots__ = ("_fields", "_keys", "_one")

    def __init__(self, fields: tuple[str, ...], rows: Iterable[tuple[str, Any]]) -> None:
        self._fields = fields
        self._one = fields[0] if len(fields) == 1 else None
        self._keys: dict[Any, dict[str, None]] = {}
        for key, record in rows:
            self._add(key, self._value(record))

    def get(self, value: Any) -> list[str]:
        """The keys of the records whose fields hold ``value`` (a tuple, for several fields)."""
        try:
            found = self._keys.get(value)
        except TypeError:  # unhashable: no record holds it
            return []
        return list(found) if found else []

    def __len__(self) -> int:
        """How many values the records hold (None aside)."""
        return len(self._keys)

    def count(self, value: Any) -> int:
        """How many records hold ``value``."""
        try:
            return len(self._keys.get(value) or ())
        except TypeError:
            return 0

    def moved(self, key: str, before: Any, after: Any) -> None:
        """The record at ``key`` went from ``before`` to ``after`` (either one absent: anything
        not a dict, such as ``MISSING``). A record whose fields still hold the same value keeps
        its place (an execution's status changes, its job does not)."""
        old, new = self._value(before), self._value(after)
        if old == new:
            return
        self._remove(key, old)
        self._add(key, new)

    def _value(self, record: Any) -> Any:
        if type(record) is not dict:
            return None
        if self._one is not None:
            return record.get(self._one)
        return tuple(record.get(field) for field in self._fields)

    def _add(self, key: str, value: Any) -> None:
        found = self._entry(value)
        if found is not None:
            found[key] = None
        elif value is not None and _hashable(value):
            self._keys[value] = {key: None}

    def _remove(self, key: str, value: Any) -> None:
        found = self._entry(value)
        if found is not None:
            found.pop(key, None)
            if not found:
                del self._keys[value]

    def _entry(self, value: Any) -> dict[str, None] | None:
        """The keys holding ``value``, if any (None for None and for what cannot be hashed)."""
        if value is None:
            return None
        try:
            return self._keys.get(value)
        except TypeError:
            return None


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
