"""Selections kept until the registry changes: what a filtered or sorted listing chose.

A test pages through a filtered fleet one call per page, and each call selected anew: it read
every device, evaluated the filter, sorted, and answered fifty of them. A selection (the records
a listing's filter and order choose, in order) is kept per tenant and *spec* (whatever names the
filter and order, the provider's choice) while the registry's ``changes.value`` is what it was
when the selection was made. Every write moves that value, anywhere in the registry, and so does
a rollback, so a kept selection is never stale; the pages after the first cost only themselves.
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

#: tenant -> spec -> (the registry's change value when selected, the selection)
_KEPT: weakref.WeakKeyDictionary[Tenant, dict[Hashable, tuple[int, Any]]] = weakref.WeakKeyDictionary()
#: selections kept per tenant (a test pages through one or two listings at a time)
SIZE = 16


def selection(tenant: Tenant, spec: Hashable, select: Callable[[], list[T]]) -> list[T]:
    """``select()``, or what it returned for ``spec`` since the registry last changed. The list
    is shared: do not change it."""
    version = tenant.changes.value
    kept = _KEPT.get(tenant)
    if kept is None:
        kept = _KEPT[tenant] = {}
    found = kept.get(spec)
    if found is not None and found[0] == version:
        return found[1]  # type: ignore[no-any-return]
    chosen = select()
    keep(kept, spec, (version, chosen), SIZE)
    return chosen
