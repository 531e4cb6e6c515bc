"""Things: CreateThing, DescribeThing, ListThings, UpdateThing, DeleteThing.

A thing is a registry Device: key = thingName, id = thingId (a UUID), product = thingTypeName.
The registry owns uniqueness, versions and the thing quota (``maxThings``); this module adds AWS's
own rules: idempotent CreateThing, the attribute limits (3 without a thing type, 50 with one),
no new things on deprecated types, and ``merge`` semantics for attribute updates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...registry import Device, Product, Tenant
from ...registry.errors import VersionConflict
from ...registry.kinds import BILLING_MEMBERS
from ...registry.ordered import sorted_keys
from ...registry.records import join
from ...registry.selections import kept, looked_up, selection
from . import arns, billing_groups, paging
from .context import Context
from .wire import AwsError, invalid

MAX_ATTRIBUTES_UNTYPED = 3
MAX_ATTRIBUTES_TYPED = 50


def wire(device: Device, tenant: Tenant) -> dict[str, Any]:
    """DescribeThing's answer for a device."""
    out: dict[str, Any] = {
        "defaultClientId": device.key,
        "thingName": device.key,
        "thingId": device.id,
        "thingArn": arns.thing(tenant.id, device.key),
        "attributes": dict(device.attributes or {}),
        "version": device.version,
    }
    if device.product is not None:
        out["thingTypeName"] = device.product
    billing = billing_groups.group_of(tenant, device.key)
    if billing is not None:
        out["billingGroupName"] = billing
    return out


def check_attribute_count(attributes: dict[str, str], thing_type: str | None) -> None:
    limit = MAX_ATTRIBUTES_TYPED if thing_type else MAX_ATTRIBUTES_UNTYPED
    if len(attributes) > limit:
        kind = "with a thing type" if thing_type else "without a thing type"
        raise invalid(
            f"A thing {kind} can have at most {limit} attributes; the request gives it {len(attributes)}"
        )


def usable_type(tenant: Tenant, name: str) -> Product:
    """The thing type, which must exist and not be deprecated (new things cannot use those)."""
    product = tenant.product(name)
    if product.attributes.get("deprecated"):
        raise invalid(
            f"Thing type {name} is deprecated; things cannot be associated with a deprecated thing type"
        )
    return product


def same_configuration(
    tenant: Tenant, device: Device, thing_type: str | None, attributes: dict[str, str], billing: str | None
) -> bool:
    return (
        device.product == thing_type
        and (device.attributes or {}) == attributes
        and billing_groups.group_of(tenant, device.key) == billing
    )


def already_exists(tenant: Tenant, device: Device) -> AwsError:
    return AwsError(
        "ResourceAlreadyExistsException",
        f"Thing {device.key} already exists in account with different attributes",
        resourceId=device.id,
        resourceArn=arns.thing(tenant.id, device.key),
    )


def add_thing(
    ctx: Context,
    name: str,
    thing_type: str | None,
    attributes: dict[str, str],
    billing: str | None,
) -> tuple[Device, bool]:
    """Create the thing, or find the identical one; (device, created). Shared with RegisterThing."""
    tenant = ctx.tenant
    check_attribute_count(attributes, thing_type)
    now = ctx.now_ms

    def build(thing_id: str, key: str) -> Device:
        return Device(
            id=thing_id,
            key=key,
            product=thing_type,
            attributes=dict(attributes) or None,
            created=now,
            updated=now,
        )

    # a transaction only when there is a second write to undo: CreateThing is the hot path
    with tenant.changes.transaction(tenant.lock) if billing is not None else tenant.lock:
        existing = tenant.keys.get(name)
        if existing is not None:
            if same_configuration(tenant, existing, thing_type, attributes, billing):
                return existing, False
            raise already_exists(tenant, existing)
        if thing_type is not None:
            usable_type(tenant, thing_type)
        if billing is not None:
            billing_groups.records(ctx).get(billing)  # before the thing is made: it must exist
        device = tenant.add_device(key=name, product=thing_type, build=build, new_id=ctx.ids.uuid)
        if billing is not None:
            join(tenant, BILLING_MEMBERS, billing, device.key)
        return device, True


def create(ctx: Context) -> dict[str, Any]:
    payload = ctx.input.get("attributePayload") or {}
    device, _ = add_thing(
        ctx,
        ctx.input["thingName"],
        ctx.input.get("thingTypeName"),
        dict(payload.get("attributes") or {}),
        ctx.input.get("billingGroupName"),
    )
    return {"thingName": device.key, "thingArn": arns.thing(ctx.tenant.id, device.key), "thingId": device.id}


def describe(ctx: Context) -> dict[str, Any]:
    return wire(ctx.tenant.device(key=ctx.input["thingName"]), ctx.tenant)


def listing(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    thing_type = args.get("thingTypeName")
    name, value = args.get("attributeName"), args.get("attributeValue")
    if value is not None and name is None:
        raise invalid("attributeValue requires attributeName: name the attribute to filter on")
    prefix = bool(args.get("usePrefixAttributeValue"))
    tenant = ctx.tenant
    keys = sorted_keys(tenant, thing_type)  # sorted once, until things come, go or change type
    live = tenant.keys

    passes = _attribute_filter(name, value, prefix) if name is not None else None

    def find(key: str) -> Device | None:  # called for every key a filter passes over: kept flat
        device = live.get(key)
        if device is None or (thing_type is not None and device.product != thing_type):
            return None
        return device if passes is None or passes(device.attributes) else None

    spec = ("ListThings", thing_type, name, value, prefix)

    def narrow() -> list[str]:  # the names the attribute filter passes, in one comprehension
        return selection(tenant, spec, lambda: sorted(_passing(tenant, thing_type, passes)), records=True)

    selected = kept(tenant, spec, records=True) if name is not None else None
    if selected is not None and (selected or args.get("nextToken") is None):
        keys = selected  # a page after the one that selected reads only itself (a token is
        # checked against the names: an empty selection has none to refuse a forged one)

    unfiltered = name is None and thing_type is None  # every key's record: the dict's own lookup
    narrowing = None
    if name is not None and keys is not selected:  # a page that selected reads only itself
        narrowing = paging.Narrowing(
            narrow, paging.budget_for(len(keys), looked_up(tenant, spec, records=True))
        )
    chunk, token = paging.by_key(
        keys,
        live.get if unfiltered else find,
        args.get("nextToken"),
        args.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
        narrow=narrowing,
    )
    if narrowing is not None and narrowing.read:
        looked_up(tenant, spec, narrowing.read, records=True)
    things = []
    arn_prefix = arns.thing(tenant.id, "")
    for device in chunk:
        item: dict[str, Any] = {
            "thingName": device.key,
            "thingArn": arn_prefix + device.key,
            "attributes": dict(device.attributes or {}),
            "version": device.version,
        }
        if device.product is not None:
            item["thingTypeName"] = device.product
        things.append(item)
    return {"things": things, "nextToken": token}


def _attribute_filter(name: str, value: str | None, prefix: bool) -> Callable[[dict[str, str] | None], bool]:
    """Whether a thing's attributes pass ListThings' filter: it has ``name``, equal to
    ``value`` or starting with it where ``prefix`` says so, or of any value without one."""
    if value is None:
        return lambda attributes: attributes is not None and name in attributes
    if prefix:
        return lambda attributes: (
            attributes is not None and (found := attributes.get(name)) is not None and found.startswith(value)
        )
    return lambda attributes: attributes is not None and attributes.get(name) == value


def _passing(
    tenant: Tenant, thing_type: str | None, passes: Callable[[dict[str, str] | None], bool]
) -> list[str]:
    """The names of the things of ``thing_type`` (or every thing) whose attributes pass."""
    if thing_type is not None:
        product = tenant.products.get(thing_type)
        pool = list(product.devices.values()) if product is not None else []
    else:
        pool = list(tenant.keys.values())
    return [d.key for d in pool if passes(d.attributes)]


def update(ctx: Context) -> dict[str, Any]:
    args, tenant = ctx.input, ctx.tenant
    remove_type = bool(args.get("removeThingType"))
    new_type = args.get("thingTypeName")
    if remove_type and new_type is not None:
        raise invalid("Cannot set thingTypeName and removeThingType in the same request")
    with tenant.lock:
        device = tenant.device(key=args["thingName"])
        check_version(tenant, device, args.get("expectedVersion"))
        target: str | None = device.product
        if remove_type:
            target = None
        elif new_type is not None and new_type != device.product:
            usable_type(tenant, new_type)
            target = new_type
        attributes = apply_payload(dict(device.attributes or {}), args.get("attributePayload"))
        check_attribute_count(attributes, target)
        tenant.update_device(device, {"attributes": attributes or None}, product=target)
    return {}


def apply_payload(current: dict[str, str], payload: dict[str, Any] | None) -> dict[str, str]:
    """AWS's attribute update: ``merge`` adds and overwrites, otherwise the map is replaced; an
    empty value removes the attribute either way."""
    if not payload or payload.get("attributes") is None:
        return current
    given = payload["attributes"]
    merged = {**current, **given} if payload.get("merge") else dict(given)
    return {k: v for k, v in merged.items() if v != ""}


def check_version(tenant: Tenant, device: Device, expected: int | None) -> None:
    """The registry's version rule, first (AWS answers a stale version before anything else),
    in AWS's words."""
    try:
        tenant.check_version(device, expected)
    except VersionConflict as exc:
        raise AwsError(
            "VersionConflictException",
            f"The version for thing {device.key} does not match the expected version.",
        ) from exc


def delete(ctx: Context) -> dict[str, Any]:
    """Deleting a thing that does not exist succeeds, as the API reference says it does."""
    tenant, name = ctx.tenant, ctx.input["thingName"]
    with tenant.lock:
        device = tenant.keys.get(name)
        if device is None:
            return {}
        check_version(tenant, device, ctx.input.get("expectedVersion"))
        ctx.credentials.require_no_principals(name)
        tenant.remove_device(device)
        ctx.groups.drop_device(name)
    return {}
