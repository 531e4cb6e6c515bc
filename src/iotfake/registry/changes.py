"""How the registry records its changes: a generation counter, typed changes, undo, an outbox.

Every write goes through the registry (its methods, and the :class:`Table` objects that hold
record tables and a tenant's ``settings``), and every write calls :meth:`Changes.record`. That
one call serves three readers:

- **the generation** (``value``): ``iotfake serve --state FILE`` writes the file only when it moved.
  Guessing that from the request was wrong both ways (scriptr answers GET for scripts that create
  tokens; a read sent as POST changes nothing);
- **transactions** (:meth:`Changes.transaction`): each write made inside one leaves an undo step,
  so a failure rolls back in time proportional to the change, not to the state (fixture loading
  used to snapshot and restore the whole cloud: 735 ms at 100k devices to seed one product);
- **listeners** (:meth:`Changes.subscribe`): committed changes, typed, handed over after the
  registry lock is released (the outbox), for whatever follows the state: the MQTT side's shadow
  deltas and presence, the console's live views, a write-ahead log. With no listener, no
  :class:`Change` is even built.

Records in tables are replaced, never edited in place (see ``copying``), so a write to a record is
a write to its table, and ``before``/``after`` are whole records that nobody changes later. The one
exception is :meth:`Table.append`, which grows a long list of a relation's partners in place and is
heard as :class:`Appended`.
"""

from __future__ import annotations

import itertools
import operator
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from .indexes import FieldIndex, Index
from .places import HINTED_FROM, Places

IndexT = TypeVar("IndexT", bound=Index)
#: marks a derived index's key among a table's indexes (field names are text)
_DERIVED = object()


class _Missing:
    """``before`` of an insert, ``after`` of a delete."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

Undo = Callable[[], None]


@dataclass(frozen=True, slots=True)
class Change:
    """One committed write: ``kind`` (a table name, ``"devices"``, ``"products"``, ``"settings"``,
    ``"tokens"``, ``"tenants"``…) in ``scope`` (``(provider, tenant id)``, or None for the
    registry's own), the record's ``key``, and the whole record ``before`` and ``after``
    (:data:`MISSING` for an insert's before and a delete's after)."""

    scope: tuple[str, str] | None
    kind: str
    key: Any
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class Appended:
    """``before`` and ``after`` of a change that appended ``item`` to a list in place
    (:meth:`Table.append`): the list itself goes on growing, so it is not handed out."""

    item: Any


@dataclass(frozen=True, slots=True)
class Removed:
    """``before`` and ``after`` of a change that removed ``item`` from a list in place
    (:meth:`Table.remove_item`), every copy of it."""

    item: Any


@dataclass(frozen=True, slots=True)
class Event:
    """A change's ``after`` that is no state, only news (see :meth:`Changes.emit`): logs skip it."""

    data: Any


class _Transaction:
    __slots__ = ("changes", "owner", "undo")

    def __init__(self, owner: int) -> None:
        self.owner = owner
        self.undo: list[Undo] = []
        #: typed changes held back until the outermost transaction commits
        self.changes: list[Change] = []


class RolledBack(Exception):
    """Raised inside :meth:`Changes.transaction` to roll back without an error reaching the caller."""


class Changes:
    """The registry's change counter, transaction log and outbox.

    Compare ``value`` for equality: two threads that change the state at once each take a fresh
    number from the counter, and the one that stores its number last wins, which may be the
    smaller one. A value is never stored twice, so "equal to what was saved" still means "nothing
    changed".
    """

    __slots__ = ("_counter", "_dispatching", "_listeners", "_outbox", "_tx", "rollbacks", "value")

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self.value = 0
        #: how many transactions (savepoints too) rolled back: a reader that kept a count it
        #: read inside one knows the count may have gone back to an earlier value
        self.rollbacks = 0
        self._tx: _Transaction | None = None
        self._listeners: tuple[Callable[[list[Change]], None], ...] = ()
        self._outbox: list[Change] = []
        #: one dispatcher at a time, so listeners hear batches in commit order
        self._dispatching = threading.Lock()

    def bump(self) -> None:
        """Note a change that needs no undo and has no typed form (a clock move, a fault counter)."""
        self.value = next(self._counter)

    def record(
        self, undo: Undo | None, scope: tuple[str, str] | None, kind: str, key: Any, before: Any, after: Any
    ) -> None:
        """Note one write; ``undo`` restores what it changed (None: nothing to restore)."""
        self.value = next(self._counter)
        tx = self._tx
        mine = tx is not None and tx.owner == threading.get_ident()
        if mine and undo is not None:
            tx.undo.append(undo)  # type: ignore[union-attr]
        if self._listeners:
            change = Change(scope, kind, key, before, after)
            (tx.changes if mine else self._outbox).append(change)  # type: ignore[union-attr]

    def emit(self, scope: tuple[str, str] | None, kind: str, key: Any, data: Any) -> None:
        """Hand listeners an :class:`Event` that changes no state (a published message): no undo,
        no new generation; inside a transaction it waits for the commit, and a rollback drops it."""
        if not self._listeners:
            return
        tx = self._tx
        mine = tx is not None and tx.owner == threading.get_ident()
        change = Change(scope, kind, key, MISSING, Event(data))
        (tx.changes if mine else self._outbox).append(change)  # type: ignore[union-attr]

    @property
    def watched(self) -> bool:
        """Whether anyone listens (writers build a typed before/after only then)."""
        return bool(self._listeners)

    @property
    def in_transaction(self) -> bool:
        """Whether the calling thread is inside a transaction (its writes can be undone)."""
        tx = self._tx
        return tx is not None and tx.owner == threading.get_ident()

    @contextmanager
    def transaction(self, lock: Any) -> Iterator[None]:
        """Hold ``lock`` and make every write inside all or nothing.

        Nested transactions are savepoints: an inner failure undoes the inner writes only and
        re-raises. :class:`RolledBack` rolls back quietly. Listeners hear of the committed
        changes once the outermost transaction has released the lock.
        """
        with lock:
            outer = self._tx is None
            if outer:
                self._tx = _Transaction(threading.get_ident())
            tx = self._tx
            assert tx is not None and tx.owner == threading.get_ident(), "a transaction left open"
            mark, held = len(tx.undo), len(tx.changes)
            try:
                yield
            except BaseException as exc:
                steps = tx.undo[mark:]
                del tx.undo[mark:], tx.changes[held:]
                for step in reversed(steps):
                    step()
                self.value = next(self._counter)
                self.rollbacks += 1
                if outer:
                    self._tx = None
                if not isinstance(exc, RolledBack):
                    raise
            else:
                if outer:
                    self._tx = None
                    self._outbox.extend(tx.changes)
        if outer and not _owned(lock):
            self.dispatch()  # never under the registry lock (an enclosing holder dispatches later)

    # -- listeners ------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[list[Change]], None]) -> Callable[[], None]:
        """Hear of committed changes, in commit order, in batches, never under the registry lock.

        Returns a function that unsubscribes. A listener that raises is not retried and does not
        stop the others.
        """
        self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            self._listeners = tuple(x for x in self._listeners if x is not listener)

        return unsubscribe

    def dispatch(self) -> None:
        """Hand the outbox to the listeners (a no-op when it is empty). Call it without the
        registry lock; it returns once every change committed before the call was handed over
        (by this call or by one running in another thread)."""
        if not self._outbox:
            if self._dispatching.locked():  # another call took this one's changes: wait for it
                with self._dispatching:
                    pass
            return
        with self._dispatching:
            batch, self._outbox = self._outbox, []
            if not batch:
                return
            for listener in self._listeners:
                try:
                    listener(batch)
                except Exception:  # a listener's bug must not fail the write that was already made
                    import logging

                    logging.getLogger("iotfake").exception("iotfake: a change listener failed")


class Table(dict[str, Any]):
    """A record table (or a tenant's settings): a dict whose every write is recorded in ``changes``
    with its undo, and tells the table's indexes (``index``). ``scope`` and ``name`` say what
    the table is, for listeners."""

    __slots__ = ("_grown", "_indexes", "_places", "changes", "generation", "name", "scope", "shrunk")

    def __init__(
        self,
        changes: Changes,
        rows: Iterable[tuple[str, Any]] | dict[str, Any] = (),
        *,
        scope: tuple[str, str] | None = None,
        name: str = "",
    ) -> None:
        super().__init__(rows)
        self.changes = changes
        self.scope = scope
        self.name = name
        #: key -> the list this table made for it and nobody has seen since (see ``append``)
        self._grown: dict[str, list[Any]] = {}
        #: key -> where the items of its long grown list are (``places``), once one left it
        self._places: dict[str, Places] = {}
        #: how many times one of those lists shrank in place (``remove_item``): until it moves,
        #: they only grew, so a list and its length name its content
        self.shrunk = 0
        #: fields (or a derived index's name) -> the index readers asked for (``index``,
        #: ``derived``), kept through every write and undo
        self._indexes: dict[tuple[Any, ...], Index] = {}
        #: moves with every write and every undo: a reader that kept what it derived from the
        #: table, with this, knows whether it still holds (the table object itself is replaced
        #: by a restore)
        self.generation = 0

    def index(self, *fields: str) -> FieldIndex:
        """The keys of the records by the value of ``fields`` (see ``indexes``), made on first use
        from one pass over the table. Read it under the lock that guards the table's writes."""
        found = self._indexes.get(fields)
        if found is None:
            found = self._indexes[fields] = FieldIndex(fields, dict.items(self))
        return found  # type: ignore[return-value]

    def derived(self, name: str, make: Callable[[Iterable[tuple[str, Any]]], IndexT]) -> IndexT:
        """An index of the reader's own making (``make(rows)``, see ``indexes.Index``), kept as
        ``index`` keeps its own: told of every write and every undo, gone with the table."""
        key = (_DERIVED, name)
        found = self._indexes.get(key)
        if found is None:
            found = self._indexes[key] = make(dict.items(self))
        return found  # type: ignore[return-value]

    def _moved(self, key: str, before: Any, after: Any) -> None:
        for index in self._indexes.values():
            index.moved(key, before, after)

    def _indexed(self, put_back: Undo, key: str, before: Any) -> Undo:
        """``put_back``, the undo of a delete, telling the indexes there are then (one may be made
        after the delete and before its undo)."""

        def undo() -> None:
            put_back()
            self.generation += 1
            if self._indexes:
                self._moved(key, MISSING, before)

        return undo

    def _restore(self, key: str, value: Any) -> None:
        """An undo step: ``key`` back to ``value`` (MISSING: gone), its place in the order kept."""
        current = dict.get(self, key, MISSING)
        self.generation += 1
        if value is MISSING:
            dict.pop(self, key, None)
        else:
            dict.__setitem__(self, key, value)
        if self._indexes:
            self._moved(key, current, value)

    def __setitem__(self, key: str, value: Any) -> None:
        self._write(key, value, value)

    def _write(self, key: str, value: Any, heard: Any) -> None:
        """Store ``value``; listeners hear ``heard`` as the record after (``append`` gives them a
        copy of a list it goes on growing)."""
        before = self.get(key, MISSING)
        if self._grown:
            self._release(key)
        # a replaced key keeps its place
        undo = (lambda: self._restore(key, before)) if self.changes.in_transaction else None
        super().__setitem__(key, value)
        self.generation += 1
        if self._indexes:
            self._moved(key, before, value)
        self.changes.record(undo, self.scope, self.name, key, before, heard)

    def __delitem__(self, key: str) -> None:
        before = self[key]
        if self._grown:
            self._release(key)
        # found before the delete: the undo puts the key back in its place
        undo = self._indexed(removal_undo(self, key), key, before) if self.changes.in_transaction else None
        super().__delitem__(key)
        self.generation += 1
        if self._indexes:
            self._moved(key, before, MISSING)
        self.changes.record(undo, self.scope, self.name, key, before, MISSING)

    def pop(self, key: str, *default: Any) -> Any:
        if key not in self:
            return super().pop(key, *default)
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple[str, Any]:
        key = next(reversed(self))
        value = self[key]
        del self[key]
        return key, value

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def clear(self) -> None:
        for key in reversed(list(self)):  # newest first: each undo step is then an append
            del self[key]

    def discard(self, key: str) -> Any:
        """Delete ``key`` if it is there; its value, or None. The undo puts the key back at the
        end, where ``del`` first scans the table for the key's place: for a table whose order
        nothing reads (a relation's: its lists are read by key; a thing leaving a fleet-wide
        group scanned every grouped thing), or a delete no rollback can reach."""
        if key not in self:
            return None
        before = dict.__getitem__(self, key)
        if self._grown:
            self._release(key)
        undo = (lambda: self._restore(key, before)) if self.changes.in_transaction else None
        dict.__delitem__(self, key)
        self.generation += 1
        if self._indexes:
            self._moved(key, before, MISSING)
        self.changes.record(undo, self.scope, self.name, key, before, MISSING)
        return before

    def append(self, key: str, item: Any) -> None:
        """Add ``item``, which the list must not hold, at the end of the list at ``key`` (made if
        missing): a relation links a pair once.

        A relation's partners: copying a group's 50,000 members for each thing that joined made
        filling it quadratic. So a long list this table made, and nobody has been handed since
        (``shared``), grows in place, and only ever by appending: a reader that keeps a list and
        its length (``relations.sorted_rights``) knows its content. Anything else is replaced
        by a new list, as any other write. An undo replaces the list too.
        """
        values = self.get(key)
        if values is None or self._grown.get(key) is not values:
            grown = [*values, item] if values is not None else [item]
            if len(grown) >= GROW_IN_PLACE:
                # a list grown in place holds each item once (``remove_item`` stops at the
                # first): a restored snapshot's may list one twice, and the copy drops that.
                # Listeners hear a copy: this list changes after they are handed it
                grown = list(dict.fromkeys(grown))
                self._write(key, grown, list(grown) if self.changes.watched else grown)
                self._grown[key] = grown
            else:
                self[key] = grown
            return
        values.append(item)
        self.generation += 1
        places = self._places.get(key)
        if places is not None and places.values is values:
            places.appended(item)
        undo = (lambda: self._without_last(key)) if self.changes.in_transaction else None
        appended = Appended(item)
        self.changes.record(undo, self.scope, self.name, key, appended, appended)

    def remove_item(self, key: str, item: Any) -> bool:
        """Remove ``item`` from the list at ``key``, every copy of it (the key too, once the list
        is empty); False if it held none. A list grown in place (``append``), which holds each
        item once, shrinks in place: a thing leaving a group of 50,000 copied the rest and
        freed the old list. Anything else is replaced by a new list. An undo replaces the list."""
        values = self.get(key)
        if values is None:
            return False
        grown = self._grown.get(key) is values
        at = self._place(key, values, item) if grown else _index(values, item)
        if at is None:
            return False
        if not grown:
            rest = _without(values, item, at)
            if rest:
                self[key] = rest
            else:
                self.discard(key)
            return True
        del values[at]  # held once (see ``append``): the rest of the list is not searched
        places = self._places.get(key)
        if places is not None and places.values is values:
            places.removed(item)
        self.shrunk += 1
        self.generation += 1
        undo = (lambda: self._put_back(key, item, at)) if self.changes.in_transaction else None
        removed = Removed(item)
        self.changes.record(undo, self.scope, self.name, key, removed, removed)
        if not values:
            self.discard(key)  # its undo puts this (empty) list back, then the one above refills it
        return True

    def _place(self, key: str, values: list[Any], item: Any) -> int | None:
        """Where ``item`` is in the grown list ``values`` at ``key``: a long one by its hints
        (``places``), made on the first removal and again once they go stale."""
        if len(values) < HINTED_FROM:
            return _either_end(values, item)
        places = self._places.get(key)
        if places is None or places.values is not values or places.stale:
            places = self._places[key] = Places(values)
        return places.find(item)

    def _put_back(self, key: str, item: Any, at: int) -> None:
        """Undo a ``remove_item`` in place: later writes are undone already, so the list is as
        the removal left it; it is replaced with ``item`` back in its place."""
        restored = list(dict.__getitem__(self, key))
        restored.insert(at, item)
        self._release(key)
        self._restore(key, restored)

    def _without_last(self, key: str) -> None:
        """Undo an ``append`` in place: later writes are undone already, so the list ends with
        its item; it is replaced (whoever was handed it keeps it as it was)."""
        self._release(key)
        self._restore(key, dict.__getitem__(self, key)[:-1])

    def _release(self, key: str) -> None:
        """The list at ``key`` grows in place no more (it is replaced, or gone)."""
        self._grown.pop(key, None)
        self._places.pop(key, None)

    def shared(self) -> dict[str, Any]:
        """The rows, for a caller that keeps their values (a snapshot's capture): no list handed
        out grows in place afterwards."""
        self._grown.clear()
        self._places.clear()
        return dict(self)

    def __ior__(self, other: Any) -> Table:  # type: ignore[override,misc]
        self.update(other)
        return self


def _index(values: list[Any], item: Any, start: int = 0) -> int | None:
    try:
        return values.index(item, start)
    except ValueError:
        return None


def _either_end(values: list[Any], item: Any) -> int | None:
    """Where ``item`` is in ``values`` (once), searched as ``position`` searches: members
    leaving a group newest or oldest first cost the same at 50,000 as at 1,000."""
    for _, start, end in _windows(len(values)):
        try:
            return values.index(item, start, end)
        except ValueError:
            continue
    return None


def _windows(size: int) -> Iterator[tuple[bool, int, int]]:
    """``(from the end, start, end)``: the parts of ``size`` items to search, taken from the end
    and from the start in turn, each pair twice as long as the one before, until they meet."""
    low, high, chunk = 0, size, 8
    while low < high:
        start = max(low, high - chunk)
        yield True, start, high
        high = start
        if low < high:
            end = min(high, low + chunk)
            yield False, low, end
            low = end
        chunk *= 2


def _without(values: list[Any], item: Any, at: int) -> list[Any]:
    """A copy of ``values`` without any ``item``, the first of them at ``at``: copied and cut at
    C speed (a list ``append`` made holds an item once; a restored snapshot's may hold it twice)."""
    out = list(values)
    while at is not None:
        del out[at]
        at = _index(out, item, at)
    return out


#: the length from which a list of partners is grown in place (shorter ones are cheap to copy,
#: and most are shorter: a thing's groups, a certificate's things)
GROW_IN_PLACE = 16


def reinsert(table: dict[Any, Any], key: Any, value: Any, index: int) -> None:
    """Put ``key`` back at ``index`` of ``table``'s order (the end costs nothing; elsewhere the
    dict is rebuilt, which only rollbacks of deletes pay)."""
    if index >= len(table):
        dict.__setitem__(table, key, value)
        return
    items = list(table.items())
    items.insert(index, (key, value))
    dict.clear(table)
    dict.update(table, items)


def removal_undo(table: dict[Any, Any], key: Any) -> Undo:
    """The undo step of deleting ``key`` from ``table`` (call it before the delete)."""
    value, index = table[key], position(table, key)
    return lambda: reinsert(table, key, value, index)


def position(table: dict[Any, Any], key: Any) -> int:
    """The index of ``key`` in ``table``'s order, found from both ends at once, at C speed, in
    chunks that double (``_windows``): the time it takes grows with the key's distance from the
    nearer end, not with the table. Deleting what a test just made, or a fleet oldest or newest
    first, costs the same at a million devices as at a thousand (copying the keys to search them
    took 17 ms)."""
    front, back = iter(table), reversed(table)
    for from_end, start, end in _windows(len(table)):
        try:  # each iterator goes on from where its last window stopped
            at = operator.indexOf(itertools.islice(back if from_end else front, end - start), key)
        except ValueError:
            continue
        return end - 1 - at if from_end else start + at
    raise ValueError(f"{key!r} is not in the table")


def _owned(lock: Any) -> bool:
    """Whether the calling thread holds ``lock`` (an RLock; other locks: assume not)."""
    owned = getattr(lock, "_is_owned", None)
    return bool(owned is not None and owned())
