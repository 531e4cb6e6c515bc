"""The device module: ``require("device")`` in a scriptr script.

Each function takes the call's parameters (a dict) and returns the module's answer; failures raise
:class:`~.errors.ScriptrError` or a domain error, which the provider turns into the module's
``{"metadata": {"status": "failure", ...}}`` answer.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from ...registry import Device, Tenant
from ...registry.copying import paused_gc
from ...registry.selections import selection
from . import fields, query, records
from .accounts import BUILTIN, new_device_id, new_token
from .context import Context, ok
from .errors import INVALID_DEVICE, INVALID_PARAMETER, ScriptrError, invalid_identifier, invalid_query
from .params import boolean, include_types, positive_int

RESULTS_PER_PAGE = 50


def _find(ctx: Context, key: str) -> Device:
    device = ctx.directory.device(key)
    if device is None:
        raise ScriptrError(INVALID_DEVICE, f"The device [{key}] does not exist.")
    return device


def _answer(device: Device) -> dict[str, Any]:
    return ok({"device": {"id": device.key}})


def _create(ctx: Context, key: str | None, params: dict[str, Any]) -> Device:
    changes = fields.parse(params, creating=True, salt=ctx.salt, allowed_groups=ctx.allowed_groups)
    doc = fields.merge(fields.empty_doc(), changes)
    now, principal = ctx.now(), ctx.principal
    return ctx.directory.add_device(
        key,
        lambda internal_id, device_key: records.new_device(internal_id, device_key, doc, principal, now),
        new_key=lambda: new_device_id(ctx.cloud),
    )


def _update(ctx: Context, device: Device, params: dict[str, Any]) -> Device:
    changes = fields.parse(params, creating=False, salt=ctx.salt, allowed_groups=ctx.allowed_groups)
    with ctx.directory.lock:
        doc = fields.merge(records.device_doc(device), changes)
        if device.key == BUILTIN and doc["status"] == fields.SUSPENDED:
            raise ScriptrError(INVALID_PARAMETER, f"The built-in device [{BUILTIN}] cannot be suspended.")
        ctx.directory.tenant.update_device(device, records.device_changes(device, doc, ctx.principal))
    return device


def _given_id(params: dict[str, Any]) -> str | None:
    key = params.get("id")
    return None if key is None or key == "" else fields.identifier(key, "device")


def create(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return _answer(_create(ctx, _given_id(params), params))


def save(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Create the device, or update it when the id names one."""
    key = _given_id(params)
    with ctx.directory.lock:
        device = None if key is None else ctx.directory.device(key)
        if device is None:
            return _answer(_create(ctx, key, params))
        return _answer(_update(ctx, device, params))


def update(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    key = fields.required_id(params)
    return _answer(_update(ctx, _find(ctx, key), params))


def get(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    key = fields.required_id(params)
    with_types = include_types(params)
    device = ctx.directory.device(key)
    if device is None:
        raise invalid_identifier("device", key)
    return ok(records.present(records.device_view(device), include_types=with_types))


def _fields(value: Any) -> list[str] | None:
    if value is None or value == "" or value == "*":
        return None
    names = value if isinstance(value, list) else str(value).split(",") if isinstance(value, str) else None
    if names is None or not all(isinstance(n, str) for n in names):
        raise invalid_query("fields must be * or a list of field names")
    chosen = [n.strip() for n in names if n.strip()]
    return None if "*" in chosen else chosen


def query_devices(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    predicate = query.compile_query(params.get("query"))
    order = query.parse_sort(params.get("sort"))
    chosen = _fields(params.get("fields"))
    count = boolean(params.get("count"), "count")
    with_types = include_types(params)
    per_page = positive_int(params.get("resultsPerPage"), "resultsPerPage", RESULTS_PER_PAGE)
    page = positive_int(params.get("pageNumber"), "pageNumber", 1)
    start = (page - 1) * per_page
    tenant = ctx.directory.tenant
    if predicate is query.everything and not order:  # every device, in order: views for the page only
        with tenant.lock:
            total = len(tenant.devices)  # a page past the end is empty (islice takes no 2**62)
            shown = list(islice(tenant.devices.values(), min(start, total), min(start + per_page, total)))
        chosen_views = [records.device_view(d) for d in shown]
    else:
        matched = _matched(tenant, (params.get("query"), params.get("sort")), predicate, order)
        total = len(matched)
        chosen_views = [records.device_view(d) for d in matched[start : start + per_page]]
    devices = [records.present(v, include_types=with_types, fields=chosen) for v in chosen_views]
    result: dict[str, Any] = {"devices": devices}
    if count:
        result["count"] = total
    return ok(result)


def _matched(
    tenant: Tenant, spec: tuple[Any, Any], predicate: query.Predicate, order: list[tuple[str, str, bool]]
) -> list[Device]:
    """The devices a query and sort select, in order, kept until the registry changes
    (``registry.selections``): the pages after the first read only their own devices. The
    filter and the sort read the fields they name (``records.Fields``), not a view of every
    device."""

    def select() -> list[Device]:
        named = query.pinned_id(predicate)
        if named is not None:
            device = tenant.keys.get(named)
            devices = [device] if device is not None else []
        else:
            devices = list(tenant.iter_devices(newest_first=False))
            held = query.needs(predicate)
            if held is not None:  # the devices that hold the field the filter needs, at once
                devices = records.holding(devices, *held)
        with paused_gc():  # a reader for every device: the collector would scan the fleet
            docs = list(map(records.Fields, devices))
            if predicate is not query.everything:
                docs = list(filter(predicate, docs))
            return [doc.device for doc in query.sort(docs, order)]

    return selection(tenant, ("scriptr device.query", *spec), select, records=True)


def delete(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    key = fields.required_id(params)
    if key == BUILTIN:
        raise ScriptrError(INVALID_PARAMETER, f"The built-in device [{BUILTIN}] cannot be deleted.")
    ctx.directory.remove_device(_find(ctx, key))
    return ok()


def generate_token(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    device = _find(ctx, fields.required_id(params))
    token = ctx.directory.issue_device_token(device, new_token(ctx.cloud, ctx.directory, device.key))
    return ok({"token": token.value})


def regenerate_token(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    device = _find(ctx, fields.required_id(params))
    token = ctx.directory.replace_device_token(device, new_token(ctx.cloud, ctx.directory, device.key))
    return ok({"token": token.value})


def revoke_token(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    ctx.directory.revoke_device_token(_find(ctx, fields.required_id(params)))
    return ok()


FUNCTIONS = {
    "create": create,
    "save": save,
    "update": update,
    "get": get,
    "query": query_devices,
    "delete": delete,
    "generateToken": generate_token,
    "regenerateToken": regenerate_token,
    "revokeToken": revoke_token,
}
