"""How the registry tells that its state changed: one change counter, moved by every write.

``iotfake serve --state FILE`` writes the file only when something changed. Guessing that from
the request (its method, its operation's name) was wrong both ways: scriptr answers GET for
scripts that create accounts and tokens, and a read sent as POST changes nothing. The registry
knows, because every write goes through it: its methods move the counter, and the tables that
providers keep their own records in (``Tenant.table``) and a tenant's ``settings`` are
:class:`Table` objects that move it on every write.

Records in those tables are replaced, never edited in place (see ``copying``), so a write to a
record is a write to its table.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any


class Changes:
    """A generation number that moves on every change.

    Compare it for equality: two threads that change the state at once each take a fresh number
    from the counter, and the one that stores its number last wins, which may be the smaller one.
    A value is never stored twice, so "equal to what was saved" still means "nothing changed".
    """

    __slots__ = ("_counter", "value")

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self.value = 0

    def bump(self) -> None:
        self.value = next(self._counter)


class Table(dict[str, Any]):
    """A record table (or a tenant's settings): a dict whose every write moves ``changes``."""

    __slots__ = ("changes",)

    def __init__(self, changes: Changes, rows: Iterable[tuple[str, Any]] | dict[str, Any] = ()) -> None:
        super().__init__(rows)
        self.changes = changes

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.changes.bump()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.changes.bump()

    def pop(self, key: str, *default: Any) -> Any:
        if key not in self:
            return super().pop(key, *default)
        value = super().pop(key)
        self.changes.bump()
        return value

    def popitem(self) -> tuple[str, Any]:
        item = super().popitem()
        self.changes.bump()
        return item

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self.changes.bump()

    def clear(self) -> None:
        if self:
            super().clear()
            self.changes.bump()

    def __ior__(self, other: Any) -> Table:  # type: ignore[override,misc]
        self.update(other)
        return self
