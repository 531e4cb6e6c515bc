"""EnOS device operations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from ...registry import Device, Tenant
from ..base import Call
from . import validation as v
from .errors import EnosError, invalid

if TYPE_CHECKING:
    from . import EnosProvider


def tenant(provider: EnosProvider, call: Call) -> Tenant:
    assert call.tenant is not None
    return provider.cloud.registry.tenant("enos", call.tenant, create=provider.cloud.auth != "strict")


def wire(device: Device, org: Tenant) -> dict[str, Any]:
    """The Device struct as GetDevice and SearchDevice return it."""
    product = org.products.get(device.product or "")
    pattrs = product.attributes if product else {}
    extra = device.extra or {}
    model_id = pattrs.get("modelId")
    return {
        "orgId": org.id,
        "assetId": device.id,
        "modelId": model_id,
        "modelIdPath": f"/{model_id}" if model_id else None,
        "productKey": device.product,
        "productName": product.name if product else None,
        "productType": pattrs.get("productType"),
        "dataFormat": pattrs.get("dataFormat"),
        "deviceKey": device.key,
        "deviceName": device.name,
        "deviceSecret": device.secret,
        "deviceDesc": extra.get("deviceDesc"),
        "timezone": extra.get("timezone"),
        "deviceAttributes": device.attributes or {},
        "deviceTags": device.tags or {},
        "createTime": device.created,
        "status": device.status,
        "activeTime": extra.get("activeTime", 0),
        "lastOnlineTime": extra.get("lastOnlineTime", 0),
        "lastOfflineTime": extra.get("lastOfflineTime", 0),
        "measurepointLastUpdate": None,
        "eventLastUpdate": None,
        "attributeLastUpdate": None,
        "featureLastUpdate": None,
    }


def created(device: Device) -> dict[str, Any]:
    """DeviceCreateResult (the docs' sample spells ``deviceSecrete``; the field table wins)."""
    return {
        "assetId": device.id,
        "productKey": device.product,
        "deviceKey": device.key,
        "deviceSecret": device.secret,
    }


def create_one(provider: EnosProvider, org: Tenant, body: dict[str, Any], prefix: str = "") -> Device:
    """Validate one CreateOption and insert it; shared by create and batchCreate."""
    product_key = v.string(v.require(body, "productKey"), f"{prefix}productKey")
    zone = v.timezone(body.get("timezone"), f"{prefix}timezone")
    name = v.string_i18n(v.require(body, "deviceName"), f"{prefix}deviceName")
    key = body.get("deviceKey")
    if key is not None:
        key = v.device_key(key, f"{prefix}deviceKey")
    desc = body.get("deviceDesc")
    if desc is not None:
        desc = v.string(desc, f"{prefix}deviceDesc", allow_empty=True)
    attrs = v.attributes(body.get("deviceAttributes"), f"{prefix}deviceAttributes")
    tags = v.tags(body.get("deviceTags"), f"{prefix}deviceTags")
    ids, now = provider.cloud.ids, provider.cloud.clock.ms()

    def build(device_id: str, device_key: str) -> Device:
        extra = {"timezone": zone}
        if desc is not None:
            extra["deviceDesc"] = desc
        return Device(
            id=device_id,
            key=device_key,
            product=product_key,
            name=name,
            secret=ids.device_secret(),
            attributes=attrs,
            tags=tags,
            created=now,
            updated=now,
            extra=extra,
        )

    return org.add_device(key=key, product=product_key, build=build)


def create(provider: EnosProvider, call: Call) -> Response:
    body = v.body_object(call.body, call.body_error)
    org = tenant(provider, call)
    return provider.ok(call, created(create_one(provider, org, body)))


def locate(provider: EnosProvider, call: Call) -> tuple[Tenant, Device]:
    """The device named by ``assetId`` or ``productKey`` + ``deviceKey`` in the query."""
    args = call.request.args
    asset_id, product_key, key = args.get("assetId"), args.get("productKey"), args.get("deviceKey")
    org = tenant(provider, call)
    if asset_id:
        device = org.devices.get(asset_id)
    elif product_key and key:
        device = org.keys.get(key)
        if device is not None and device.product != product_key:
            device = None
    else:
        raise invalid("assetId", "either assetId or productKey and deviceKey are required")
    if device is None:
        raise EnosError(11404)
    return org, device


def get(provider: EnosProvider, call: Call) -> Response:
    org, device = locate(provider, call)
    return provider.ok(call, wire(device, org))
