"""A tenant's device keys in order, kept between calls: the listings that page through a fleet.

Paging through N devices a page at a time must not sort N keys for every page (ListThings at
50,000 things spent 20-60 ms a page doing that). The sorted keys are kept per tenant and product
until its set of keys, or a product's, changes (``Tenant.key_writes``): writes elsewhere in the
cloud, or to a device's other fields, leave them be. Readers take the keys as candidates and look
each one up in ``tenant.keys``, so a key removed since is skipped, never shown.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .tenant import Tenant

#: tenant -> product (None: all of them) -> (its key-set count when sorted, the keys in order)
_SORTED: weakref.WeakKeyDictionary[Tenant, dict[str | None, tuple[int, list[str]]]] = (
    weakref.WeakKeyDictionary()
)


def sorted_keys(tenant: Tenant, product: str | None = None) -> list[str]:
    """The keys of ``tenant``'s devices (of ``product``'s, if given: none for a product it does
    not have), in order. The list is shared: do not change it."""
    with tenant.lock:
        version = tenant.key_writes
        kept = _SORTED.get(tenant)
        if kept is None:
            kept = _SORTED[tenant] = {}
        cached = kept.get(product)
        if cached is not None and cached[0] == version:
            return cached[1]
        if product is None:
            source = tenant.keys
        else:
            found = tenant.products.get(product)
            source = {} if found is None else found.devices
        keys = list(source)  # a C-speed copy; the sort happens after the lock
    keys.sort()
    kept[product] = (version, keys)
    return keys
