"""Selections kept until the registry changes: what a filtered or sorted listing chose.

A test pages through a filtered fleet one call per page, and each call selected anew: it read
every device, evaluated the filter, sorted, and answered fifty of them. A selection (the records
a listing's filter and order choose, in order) is kept per tenant and *spec* (whatever names the
filter and order, the provider's choice) while the registry's ``changes.value`` is what it was
when the selection was made. Every write moves that value, anywhere in the registry, and so does
a rollback, so a kept selection is never stale; the pages after the first cost only themselves.
A selection read from the devices and products alone is kept by their own count instead
(``records``), which every write of one, its undo and a restore move.
Callers look each record up again only if they must see writes made since, which would have
moved the value anyway.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

from ..memo import keep

if TYPE_CHECKING:
    from .tenant import Tenant

T = TypeVar("T")

#: tenant -> (the registry's change value when its selections were made, spec -> selection)
_KEPT: weakref.WeakKeyDictionary[Tenant, tuple[int, dict[Hashable, Any]]] = weakref.WeakKeyDictionary()
#: the same for selections read from the devices and products alone (``records``)
_KEPT_RECORDS: weakref.WeakKeyDictionary[Tenant, tuple[int, dict[Hashable, Any]]] = (
    weakref.WeakKeyDictionary()
)
#: selections kept per tenant (a test pages through one or two listings at a time)
SIZE = 16


def selection(
    tenant: Tenant, spec: Hashable, select: Callable[[], list[T]], *, records: bool = False
) -> list[T]:
    """``select()``, or what it returned for ``spec`` since the registry last changed. The list
    is shared: do not change it. Only selections of the current value are kept: the first call
    after a change lets go of the others (and the records they hold).

    ``records``: ``select`` reads the tenant's devices and products alone (a filter of devices),
    so its selection is kept until one of those changes (``Tenant.record_writes``): a shadow,
    a job execution, a group membership or a token written meanwhile leaves it standing."""
    current = _current(tenant, records)
    chosen = current.get(spec)
    if chosen is None:
        chosen = keep(current, spec, select(), SIZE)
    return chosen  # type: ignore[no-any-return]


def kept(tenant: Tenant, spec: Hashable, *, records: bool = False) -> list[Any] | None:
    """What ``selection`` keeps for ``spec`` (made with the same ``records``), if what it read
    has not changed since it was made; None otherwise (nothing is selected)."""
    store, version = _kept_by(tenant, records)
    entry = store.get(tenant)
    if entry is None or entry[0] != version:
        return None
    return entry[1].get(spec)  # type: ignore[no-any-return]


def looked_up(tenant: Tenant, spec: Hashable, read: int = 0, *, records: bool = False) -> int:
    """How many records listings of ``spec`` looked up one by one, without a selection, since
    what they read last changed, ``read`` more included: a listing selects once that tally
    shows selecting would have cost less (see ``paging.budget_for``)."""
    current = _current(tenant, records)
    key = (_LOOKED_UP, spec)
    total: int = current.get(key, 0) + read
    if read:
        keep(current, key, total, SIZE)
    return total


#: marks a tally's key among the selections (see ``looked_up``)
_LOOKED_UP = object()


def _current(tenant: Tenant, records: bool) -> dict[Hashable, Any]:
    """What is kept for ``tenant`` while what it was read from stands; the first call after a
    change lets go of the rest (and the records it holds)."""
    store, version = _kept_by(tenant, records)
    kept = store.get(tenant)
    if kept is None or kept[0] != version:
        kept = store[tenant] = (version, {})
    return kept[1]  # type: ignore[no-any-return]


def _kept_by(tenant: Tenant, records: bool) -> tuple[weakref.WeakKeyDictionary[Tenant, Any], int]:
    """Where selections of this kind are kept, and the count they are kept while it stands."""
    return (_KEPT_RECORDS, tenant.record_writes) if records else (_KEPT, tenant.changes.value)
