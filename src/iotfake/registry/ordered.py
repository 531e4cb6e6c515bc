"""A tenant's device keys in order, kept between calls: the listings that page through a fleet.

Paging through N devices a page at a time must not sort N keys for every page (ListThings at
50,000 things spent 20-60 ms a page doing that). The sorted keys are kept per tenant and product
until its set of keys, or a product's, changes (``Tenant.key_writes``): writes elsewhere in the
cloud, or to a device's other fields, leave them be. Readers take the keys as candidates and look
each one up in ``tenant.keys``, so a key removed since is skipped, never shown. ``from_keys`` keeps
anything else derived from the key set the same way (fleet indexing's sorted name tokens).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .tenant import Tenant

T = TypeVar("T")

#: tenant -> what was derived (a spec) -> (its key-set count when derived, the value)
_KEPT: weakref.WeakKeyDictionary[Tenant, dict[Hashable, tuple[int, Any]]] = weakref.WeakKeyDictionary()


def from_keys(
    tenant: Tenant, spec: Hashable, read: Callable[[Tenant], list[str]], build: Callable[[list[str]], T]
) -> T:
    """``build(read(tenant))``, kept per ``spec`` until the tenant's key set (or a product's)
    changes: ``read`` copies the keys it needs under the lock, ``build`` works on the copy after
    it (a sort, an index), so writers wait for the copy only. The value is shared: do not change
    it."""
    with tenant.lock:
        version = tenant.key_writes
        kept = _KEPT.get(tenant)
        if kept is None:
            kept = _KEPT[tenant] = {}
        found = kept.get(spec)
        if found is not None and found[0] == version:
            return found[1]  # type: ignore[no-any-return]
        keys = read(tenant)
    value = build(keys)
    kept[spec] = (version, value)
    return value


def sorted_keys(tenant: Tenant, product: str | None = None) -> list[str]:
    """The keys of ``tenant``'s devices (of ``product``'s, if given: none for a product it does
    not have), in order. The list is shared: do not change it."""
    return from_keys(tenant, ("sorted", product), lambda t: _keys_of(t, product), _sorted)


def _keys_of(tenant: Tenant, product: str | None) -> list[str]:
    if product is None:
        return list(tenant.keys)  # a C-speed copy; the sort happens after the lock
    found = tenant.products.get(product)
    return [] if found is None else list(found.devices)


def _sorted(keys: list[str]) -> list[str]:
    keys.sort()
    return keys
