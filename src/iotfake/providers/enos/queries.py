"""SearchDevice and SearchProduct: expression, pagination and projection over the registry.

Results come newest ``createTime`` first. That is reverse creation order, unless a device came
in older than the one before it (a seed's ``createTime``, or the fake's clock set back), when it
is sorted (``Tenant.created_out_of_order``). Without an expression, or with nothing but
``productKey = 'x'``, the count is a dictionary size and the page is read by reversed iteration,
so paging a million devices costs only the page; any other expression scans the org (or, when
an ``and`` pins a productKey, only that product's devices).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from ...registry import Device, Product, Tenant
from ...registry.selections import selection
from ...reply import Reply
from ..base import Call
from . import devices, paging, products
from . import search as s
from . import validation as v
from .errors import INVALID_ARGUMENT, EnosError

if TYPE_CHECKING:
    from . import EnosProvider

DeviceRecord = tuple[Device, Product | None]

STATUSES = ("inactive", "online", "offline", "disable")
EQ_IN = frozenset({s.EQ, s.IN})
MAP_OPS = frozenset({s.EQ, s.IN, s.EXISTS, s.NOT_EXISTS})


def _product_attr(name: str) -> Callable[[DeviceRecord, str], Any]:
    def read(record: DeviceRecord, _: str) -> Any:
        product = record[1]
        return product.attributes.get(name) if product is not None else None

    return read


DEVICE_FIELDS: dict[str, s.Field] = {
    "modelId": s.Field("modelId", EQ_IN, _product_attr("modelId")),
    "productKey": s.Field("productKey", EQ_IN, lambda r, _: r[0].product),
    "deviceKey": s.Field("deviceKey", EQ_IN, lambda r, _: r[0].key),
    "assetId": s.Field("assetId", EQ_IN, lambda r, _: r[0].id),
    "productType": s.Field(
        "productType", EQ_IN, _product_attr("productType"), choices=products.PRODUCT_TYPES
    ),
    "status": s.Field("status", EQ_IN, lambda r, _: r[0].status, choices=STATUSES),
    "deviceAttributes": s.Field(
        "deviceAttributes", MAP_OPS, s.map_reader(lambda r: r[0].attributes), is_map=True
    ),
    "deviceTags": s.Field("deviceTags", MAP_OPS, s.map_reader(lambda r: r[0].tags), is_map=True),
    **s.i18n_fields("deviceName", lambda r: r[0].name),
}

PRODUCT_FIELDS: dict[str, s.Field] = {
    "productKey": s.Field("productKey", EQ_IN, lambda p, _: p.key),
    "modelId": s.Field("modelId", EQ_IN, lambda p, _: p.attributes.get("modelId")),
    "productType": s.Field(
        "productType", EQ_IN, lambda p, _: p.attributes.get("productType"), choices=products.PRODUCT_TYPES
    ),
    "dataFormat": s.Field(
        "dataFormat", EQ_IN, lambda p, _: p.attributes.get("dataFormat"), choices=products.DATA_FORMATS
    ),
    "productTags": s.Field(
        "productTags", MAP_OPS, s.map_reader(lambda p: p.attributes.get("productTags")), is_map=True
    ),
    **s.i18n_fields("productName", lambda p: p.name),
}


def _expression(body: dict[str, Any], fields: dict[str, s.Field]) -> s.Node | None:
    text = body.get("expression")
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        return s.parse(text, fields)
    except s.ExpressionError as exc:
        raise EnosError(INVALID_ARGUMENT, f"Invalid Argument expression:{exc}") from None


def _newest_first(org: Tenant, pool: dict[str, Device], spec: str | None) -> Iterable[Device]:
    """``pool``'s devices newest ``createTime`` first: read backwards, or, once creation order
    is not ``createTime`` order, sorted (kept until a device changes; ``spec`` names the pool)."""
    if not org.created_out_of_order:
        return reversed(pool.values())
    return selection(org, ("enos newest first", spec), lambda: _sorted(pool.values()), records=True)


def _sorted(records: Iterable[Any]) -> list[Any]:
    """Newest ``createTime`` first; of equal ones, the last made first (a stable sort of the
    reversed creation order)."""
    return sorted(reversed(list(records)), key=_created, reverse=True)


def _created(record: Device | Product) -> int:
    return record.created


def _page_of(items: Iterable[Any], page: paging.Page) -> list[Any]:
    return list(islice(items, page.start, page.start + page.size))


def _count_and_page(matches: Iterator[Any], page: paging.Page) -> tuple[int, list[Any]]:
    """One pass: keep the page's items, count everything."""
    total, kept, start, stop = 0, [], page.start, page.start + page.size
    for item in matches:
        if start <= total < stop:
            kept.append(item)
        total += 1
    return total, kept


def search_devices(provider: EnosProvider, call: Call) -> Reply:
    body = v.body_object(call.body, call.body_error)
    node = _expression(body, DEVICE_FIELDS)
    page = paging.page(body.get("pagination"))
    tree = paging.projection(body.get("projection"))
    org = devices.tenant(provider, call)
    with org.lock:
        total, found = _find_devices(org, node, body.get("expression"), page)
    data = [paging.crop(devices.wire(device, org), tree) for device in found]
    return provider.ok(call, data, pagination=page.answer(total))


def _find_devices(
    org: Tenant, node: s.Node | None, text: str | None, page: paging.Page
) -> tuple[int, list[Device]]:
    if node is None:
        return len(org.devices), _page_of(_newest_first(org, org.devices, None), page)
    product_key, exact = s.pinned(node)
    pool = org.devices
    if product_key is not None:
        product = org.products.get(product_key)
        pool = product.devices if product is not None else {}
        if exact:
            return len(pool), _page_of(_newest_first(org, pool, product_key), page)
    for field, index in (("deviceKey", org.keys), ("assetId", org.devices)):
        named, _ = s.pinned(node, field)  # one device at most: looked up, not searched for
        if named is not None:
            device = index.get(named)
            pinned_here = device is not None and (product_key is None or device.product == product_key)
            pool = {named: device} if pinned_here else {}
            break
    lookup, test = org.products.get, s.predicate(node)

    def select() -> list[Device]:  # newest first; read under the org's lock, as every search is
        found = [d for d in reversed(pool.values()) if test((d, lookup(d.product) if d.product else None))]
        return _sorted(reversed(found)) if org.created_out_of_order else found

    # kept until a device or product changes: paging through what an expression selects reads it once
    matched = selection(org, ("enos SearchDevice", text), select, records=True)
    return len(matched), matched[page.start : page.start + page.size]


def search_products(provider: EnosProvider, call: Call) -> Reply:
    body = v.body_object(call.body, call.body_error)
    node = _expression(body, PRODUCT_FIELDS)
    page = paging.page(body.get("pagination"))
    tree = paging.projection(body.get("projection"))
    org = devices.tenant(provider, call)
    with org.lock:
        pool = _sorted(org.products.values())
        total, found = _count_and_page((p for p in pool if node is None or node(p)), page)
    data = [paging.crop(products.wire(product, org), tree) for product in found]
    return provider.ok(call, data, pagination=page.answer(total))
