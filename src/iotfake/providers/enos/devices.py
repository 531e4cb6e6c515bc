"""EnOS device operations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...registry import Device, Tenant
from ...reply import Reply
from ..base import Call, query_of
from . import validation as v
from .errors import (
    ALREADY_DISABLED,
    ALREADY_ENABLED,
    DEVICE_NOT_FOUND,
    INVALID_ARGUMENT,
    SAME_DEVICE_KEY,
    EnosError,
    invalid,
)
from .stored_names import on_wire, stored

if TYPE_CHECKING:
    from . import EnosProvider


def tenant(provider: EnosProvider, call: Call, *, create: bool = False) -> Tenant:
    """The call's org. Only CreateProduct makes one (in ``off``/``lenient`` auth): every other
    operation needs a product or device that an unused org cannot have, so it gets a detached
    empty org and answers 11611/11404/``[]`` without leaving an empty tenant behind."""
    assert call.tenant is not None
    registry = provider.cloud.registry
    org = registry.find_tenant("enos", call.tenant)
    if org is not None:
        return org
    if provider.cloud.auth == "strict":
        raise EnosError(INVALID_ARGUMENT, "Invalid Argument orgId:  orgId does not exist")
    if create:
        return registry.tenant("enos", call.tenant)
    return Tenant("enos", call.tenant, lock=registry.lock, clock=registry.clock, ids=registry.ids)


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
        "deviceName": on_wire(device.name),
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
        "measurepointLastUpdate": extra.get("measurepointLastUpdate"),
        "eventLastUpdate": extra.get("eventLastUpdate"),
        "attributeLastUpdate": extra.get("attributeLastUpdate"),
        "featureLastUpdate": feature_last_update(extra),
    }


#: the extras a device's data posts stamp (``mqtt.enos``), each GetDevice's ``<name>LastUpdate``
FEATURE_STAMPS = ("measurepointLastUpdate", "eventLastUpdate", "attributeLastUpdate")


def feature_last_update(extra: dict[str, Any]) -> int | None:
    """The latest of the three stamps, null while the device has posted none: the Get Device
    page calls it "the last time when a measurement point, an event, or an attribute was
    updated" (it stayed null whatever the device posted)."""
    stamps = [stamp for stamp in map(extra.get, FEATURE_STAMPS) if stamp is not None]
    return max(stamps) if stamps else None


def created(device: Device) -> dict[str, Any]:
    """DeviceCreateResult (the docs' sample spells ``deviceSecrete``; the field table wins)."""
    return {
        "assetId": device.id,
        "productKey": device.product,
        "deviceKey": device.key,
        "deviceSecret": device.secret,
    }


def create_one(provider: EnosProvider, org: Tenant, body: Any, prefix: str = "") -> Device:
    """Validate one CreateOption and insert it; shared by create and batchCreate."""
    if not isinstance(body, dict):
        raise invalid(prefix.rstrip(".") or "body", "a device to create must be a JSON object")
    product_key = v.string(v.require(body, "productKey"), f"{prefix}productKey")
    zone = v.timezone(body.get("timezone"), f"{prefix}timezone")
    name = stored(v.string_i18n(v.require(body, "deviceName"), f"{prefix}deviceName"))
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


def create(provider: EnosProvider, call: Call) -> Reply:
    body = v.body_object(call.body, call.body_error)
    org = tenant(provider, call)
    return provider.ok(call, created(create_one(provider, org, body)))


def locate(provider: EnosProvider, call: Call) -> tuple[Tenant, Device]:
    """The device named by ``assetId`` or ``productKey`` + ``deviceKey`` in the query."""
    args = query_of(call)
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
        raise EnosError(DEVICE_NOT_FOUND)
    return org, device


def get(provider: EnosProvider, call: Call) -> Reply:
    org, device = locate(provider, call)
    return provider.ok(call, wire(device, org))


def update(provider: EnosProvider, call: Call) -> Reply:
    """Patch semantics: absent fields stay; ``deviceAttributes`` merge by key; ``deviceTags``
    are replaced whole (the EnOS tag rule); ``deviceDesc: null`` clears the description.
    Checked first, then read and written under the organisation's lock: a login's
    ``activeTime`` written between a copy of the extras and this write was lost."""
    body = v.body_object(call.body, call.body_error)
    org, device = locate(provider, call)
    timezone = v.timezone(body["timezone"]) if body.get("timezone") is not None else None
    name = (
        stored(v.string_i18n(body["deviceName"], "deviceName"))
        if body.get("deviceName") is not None
        else None
    )
    desc = body.get("deviceDesc")
    if desc is not None:
        desc = v.string(desc, "deviceDesc", allow_empty=True)
    attrs = v.attributes(body["deviceAttributes"]) or {} if body.get("deviceAttributes") is not None else None
    tags = v.tags(body["deviceTags"], "deviceTags") if "deviceTags" in body else None
    with org.lock:
        device = org.devices.get(device.id) or device  # as it is now, not as it was read
        changes: dict[str, Any] = {}
        extra = dict(device.extra or {})
        if timezone is not None:
            extra["timezone"] = timezone
        if name is not None:
            changes["name"] = name
        if "deviceDesc" in body:
            if desc is None:
                extra.pop("deviceDesc", None)
            else:
                extra["deviceDesc"] = desc
        if attrs is not None:
            changes["attributes"] = {**(device.attributes or {}), **attrs} or None
        if "deviceTags" in body:
            changes["tags"] = tags
        changes["extra"] = extra
        org.update_device(device, changes)
    return provider.ok(call, None)


def delete(provider: EnosProvider, call: Call) -> Reply:
    org, device = locate(provider, call)
    org.remove_device(device)
    return provider.ok(call, None)


def enable(provider: EnosProvider, call: Call) -> Reply:
    """A disabled device comes back ``inactive``, or ``offline`` if it was ever activated."""
    org, device = locate(provider, call)
    with org.lock:
        if device.status != "disable":
            raise EnosError(ALREADY_ENABLED, f"The device is already enabled: {device.id}")
        status = "offline" if (device.extra or {}).get("activeTime") else "inactive"
        org.update_device(device, {"status": status})
    return provider.ok(call, None)


def disable(provider: EnosProvider, call: Call) -> Reply:
    org, device = locate(provider, call)
    with org.lock:
        if device.status == "disable":
            raise EnosError(ALREADY_DISABLED, f"The device is already disabled: {device.id}")
        org.update_device(device, {"status": "disable"})
    return provider.ok(call, None)


def replace(provider: EnosProvider, call: Call) -> Reply:
    """New deviceKey, new secret, same assetId; the device starts over as never activated."""
    body = v.body_object(call.body, call.body_error)
    new_key = v.device_key(v.require(body, "newDeviceKey"), "newDeviceKey")
    org, device = locate(provider, call)
    with org.lock:
        if new_key == device.key:
            raise EnosError(SAME_DEVICE_KEY, f"The new deviceKey is the same as the old one: {new_key}")
        org.rekey_device(device, new_key)
        extra = {k: val for k, val in (device.extra or {}).items() if not k.endswith("Time")}
        status = "disable" if device.status == "disable" else "inactive"
        secret = provider.cloud.ids.device_secret()
        org.update_device(device, {"secret": secret, "status": status, "extra": extra})
    return provider.ok(call, created(device))
