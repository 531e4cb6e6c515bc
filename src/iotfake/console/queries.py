"""What the console shows, read so that the registry lock is held only to copy."""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..registry.copying import copy_json
from ..registry.ordered import sorted_keys

if TYPE_CHECKING:
    from ..cloud import FakeCloud
    from ..registry import Tenant

PAGE = 50
#: tenants on one page of the home page (a fleet of accounts must not make it megabytes)
TENANT_PAGE = 100


@dataclass(frozen=True, slots=True)
class TenantRow:
    provider: str
    id: str
    devices: int
    products: int


def tenants(cloud: FakeCloud, search: str = "", page: int = 1) -> dict[str, Any]:
    """One page of the tenants whose id contains ``search`` (any case), by provider and id."""
    needle = search.lower()
    rows = sorted(
        (
            TenantRow(t.provider, t.id, len(t.keys), len(t.products))
            for t in cloud.registry.tenants()
            if t.provider in ("enos", "aws", "scriptr") and needle in t.id.lower()
        ),
        key=lambda r: (r.provider, r.id),
    )
    return _paged(rows, page, TENANT_PAGE, search)


def _paged(items: list[Any], page: int, size: int, search: str) -> dict[str, Any]:
    """Page ``page`` of ``items`` (a page out of range shows the nearest one), with the counts a
    page's links need."""
    pages = max(1, -(-len(items) // size))
    page = min(max(1, page), pages)
    chosen = items[(page - 1) * size : page * size]
    return {"rows": chosen, "total": len(items), "page": page, "pages": pages, "search": search}


def products(tenant: Tenant) -> list[dict[str, Any]]:
    """Products (EnOS products, AWS thing types) with their quota gauge."""
    with tenant.lock:
        found = [(key, len(p.devices), p.quota) for key, p in tenant.products.items()]
    out = []
    for key, used, quota in sorted(found):
        percent = None if not quota else min(100, round(100 * used / quota))
        out.append({"key": key, "used": used, "quota": quota, "percent": percent})
    return out


#: tenant -> (the sorted list it was made from, the search, its matches): turning the pages of one
#: search scans the fleet once
_FOUND: weakref.WeakKeyDictionary[Tenant, tuple[list[str], str, list[str]]] = weakref.WeakKeyDictionary()


def matching(tenant: Tenant, search: str) -> list[str]:
    """The sorted keys holding ``search`` (any case)."""
    keys = sorted_keys(tenant)
    if not search:
        return keys
    needle = search.lower()
    found = _FOUND.get(tenant)
    if found is not None and found[0] is keys and found[1] == needle:
        return found[2]
    matches = [k for k in keys if needle in k.lower()]
    _FOUND[tenant] = (keys, needle, matches)
    return matches


def devices(tenant: Tenant, search: str = "", page: int = 1) -> dict[str, Any]:
    """One page of devices (things) whose key contains ``search``, in key order."""
    listed = _paged(matching(tenant, search), page, PAGE, search)
    rows = []
    for key in listed["rows"]:
        device = tenant.keys.get(key)
        if device is not None:
            rows.append({"key": key, "id": device.id, "product": device.product, "status": device.status})
    return {**listed, "rows": rows}


def records(tenant: Tenant, table: str, limit: int = 100) -> list[tuple[str, Any]]:
    """The first records of a catalog table (certificates, policies, shadows ...)."""
    with tenant.lock:  # copied, not shared: the page renders them after the lock is released
        items = [
            (key, copy_json(record)) for key, record in itertools.islice(tenant.table(table).items(), limit)
        ]
    return sorted(items, key=lambda kv: str(kv[0]))


def shadows(tenant: Tenant, limit: int = 100) -> list[tuple[str, Any]]:
    """Shadows one per row: ``thing`` for the classic one, ``thing · name`` for a named one."""
    rows = []
    for thing, documents in records(tenant, "shadows", limit):
        for name, document in sorted(documents.items()):
            rows.append((f"{thing} · {name}" if name else thing, document))
    return rows[:limit]


def tenant(cloud: FakeCloud, provider: str, tenant_id: str) -> Tenant | None:
    return cloud.registry.find_tenant(provider, tenant_id)
