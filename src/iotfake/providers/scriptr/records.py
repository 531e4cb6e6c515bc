"""Devices and users as scriptr shows them, and the conversions between records and docs.

A device is a registry :class:`~iotfake.registry.models.Device` (``key`` = the scriptr id, custom
fields in ``attributes``, the rest in ``extra``); a user is a dict in the ``users`` table. Both
turn into the same *doc* (see :mod:`.fields`) and out through the same :func:`view`.

scriptr stores documents whose multi-value fields show a lone value as a plain value (its own
``identity`` app reads a user's ``tokens`` as "an array, or a single value"), so one group comes
back as ``"groups": "g"`` and two as ``"groups": ["g", "h"]``. Query predicates see the lists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ...memo import keep
from ...registry import Device
from .fields import ACTIVE, SUSPENDED

#: the type reported by ``includeFieldType`` when none was declared
DEFAULT_TYPES = {
    "isSuspended": "boolean",
    "versionNumber": "numeric",
    "latest": "boolean",
    "creationDate": "date",
    "lastModifiedDate": "date",
}


#: the range of dates :func:`date` can show (a stored date outside it is shown at its edge)
FIRST, LAST = datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


@lru_cache(maxsize=4096)
def date(ms: int) -> str:
    """scriptr's date format: ISO 8601 with a ``+0000`` offset (remembered: a device's dates are
    shown on every read, and formatting one cost more than the rest of a ``get``'s view)."""
    try:
        moment = datetime.fromtimestamp(ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):  # past what datetime (or the platform) can hold
        moment = LAST if ms > 0 else FIRST
    # printf-style: strftime (whose %Y does not pad years before 1000) and f-string specs were
    # two to four times slower
    return "%04d-%02d-%02dT%02d:%02d:%02d+0000" % (  # noqa: UP031
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


# -- devices ----------------------------------------------------------------------------------
def device_doc(device: Device) -> dict[str, Any]:
    extra = device.extra or {}
    return {
        "name": device.name,
        "password": extra.get("password"),
        "description": extra.get("description"),
        "groups": listed(extra.get("groups")),
        "status": SUSPENDED if device.status == SUSPENDED else ACTIVE,
        "custom": dict(device.attributes or {}),
        "types": mapped(extra.get("types")),
    }


def listed(groups: Any) -> list[Any]:
    """A stored ``groups`` as a list: a hand-made snapshot may hold a lone group as a plain
    value (as scriptr shows one), or anything else (read as none, never a failed call)."""
    if isinstance(groups, list | tuple):
        return list(groups)
    return [groups] if isinstance(groups, str) and groups else []


def mapped(types: Any) -> dict[str, Any]:
    """A stored ``types`` as a map (anything else in a hand-made snapshot: none declared)."""
    return dict(types) if isinstance(types, dict) else {}


def _device_extra(base: dict[str, Any], doc: dict[str, Any], principal: str) -> dict[str, Any]:
    extra = dict(base)
    for name in ("password", "description", "groups", "types"):
        if doc[name]:
            extra[name] = doc[name]
        else:
            extra.pop(name, None)
    extra["lastModifiedBy"] = principal
    return extra


def new_device(internal_id: str, key: str, doc: dict[str, Any], principal: str, now: int) -> Device:
    return Device(
        id=internal_id,
        key=key,
        product=None,
        name=doc["name"],
        attributes=doc["custom"] or None,
        status=doc["status"],
        created=now,
        updated=now,
        extra=_device_extra({"creator": principal}, doc, principal),
    )


def device_changes(device: Device, doc: dict[str, Any], principal: str) -> dict[str, Any]:
    """Field values for ``Tenant.update_device`` (which bumps the version)."""
    return {
        "name": doc["name"],
        "attributes": doc["custom"] or None,
        "status": doc["status"],
        "extra": _device_extra(device.extra or {}, doc, principal),
    }


def device_view(device: Device) -> dict[str, Any]:
    """``view`` of the device, read from it at once (a sorted or filtered query makes one for
    every device: building its doc and meta first cost half of it)."""
    extra = device.extra or {}
    return shown(
        device.key,
        device.name,
        extra.get("description"),
        extra.get("groups"),
        device.status == SUSPENDED,
        device.attributes,
        extra.get("types"),
        extra.get("creator"),
        extra.get("lastModifiedBy"),
        device.version,
        device.created,
        device.updated,
        token=extra.get("auth_token"),
    )


class Fields:
    """A device as a query reads it: ``get(field)`` is ``device_view(device).get(field)``, read
    from the device when asked. A filtered or sorted query reads a field or two of every device;
    making each device's whole view for that cost three quarters of the query."""

    __slots__ = ("device",)

    def __init__(self, device: Device) -> None:
        self.device = device

    def get(self, field: str) -> Any:
        reader = _READERS.get(field)
        if reader is None:
            reader = _reader(field)
            keep(_READERS, field, reader, 256)  # the few fields queries name
        return reader(self.device)


def holding(devices: list[Device], field: str, text: str | None) -> list[Device]:
    """The devices whose view can hold ``field`` (``query.needs``), in one pass over their
    custom fields, where the view reads the field from them alone (no standard field of the
    name): with ``text``, only those whose value is that text, or not text at all (a number, a
    list). Every device for a field a view fills in itself."""
    if field in _OVER_CUSTOM or field in _UNDER_CUSTOM or field == "auth_token":
        return devices
    if text is None:
        return [d for d in devices if (found := d.attributes) and found.get(field) is not None]
    return [
        d
        for d in devices
        if (found := d.attributes)
        and (value := found.get(field)) is not None
        and (value == text or type(value) is not str)
    ]


def _reader(field: str) -> Callable[[Device], Any]:
    """How ``shown`` fills ``field`` in, for one device: the fields it writes after the custom
    ones win over a custom field of their name, the custom ones win over those written before."""
    over = _OVER_CUSTOM.get(field)
    if over is not None:
        return over
    if field == "auth_token":  # written after the custom fields, only when the device has one

        def token(device: Device) -> Any:
            value = (device.extra or {}).get("auth_token")
            return value if value is not None else (device.attributes or {}).get(field)

        return token
    under = _UNDER_CUSTOM.get(field)

    def custom(device: Device) -> Any:
        attributes = device.attributes
        if attributes and field in attributes:
            return attributes[field]
        return None if under is None else under(device)

    return custom


def _groups(device: Device) -> Any:
    return listed((device.extra or {}).get("groups")) or None


#: the fields ``shown`` writes after a device's custom fields, read from the device
_OVER_CUSTOM: dict[str, Callable[[Device], Any]] = {
    "id": lambda device: device.key,
    "creator": lambda device: (device.extra or {}).get("creator"),
    "versionNumber": lambda device: f"{device.version}.0",
    "latest": lambda device: "true",
    "lastModifiedBy": lambda device: (device.extra or {}).get("lastModifiedBy"),
    "creationDate": lambda device: date(device.created),
    "lastModifiedDate": lambda device: date(device.updated),
    "meta.types": lambda device: mapped((device.extra or {}).get("types")),
}
#: the fields it writes before them, which a custom field of the name replaces
_UNDER_CUSTOM: dict[str, Callable[[Device], Any]] = {
    "name": lambda device: device.name,
    "description": lambda device: (device.extra or {}).get("description"),
    "groups": _groups,
    "isSuspended": lambda device: "true" if device.status == SUSPENDED else "false",
}
_READERS: dict[str, Callable[[Device], Any]] = {}


# -- users ------------------------------------------------------------------------------------
USER_DOC_KEYS = ("name", "password", "description", "groups", "status", "custom", "types")


def user_doc(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in USER_DOC_KEYS}


def new_user(doc: dict[str, Any], principal: str, now: int) -> dict[str, Any]:
    return {**doc, "version": 1, "created": now, "updated": now, "creator": principal,
            "lastModifiedBy": principal, "tokens": []}  # fmt: skip


def user_view(user_id: str, record: dict[str, Any], tokens: list[str]) -> dict[str, Any]:
    meta = {
        "creator": record.get("creator"),
        "lastModifiedBy": record.get("lastModifiedBy"),
        "version": record["version"],
        "created": record["created"],
        "updated": record["updated"],
    }
    return view(user_id, user_doc(record), meta, tokens=tokens)


# -- output -----------------------------------------------------------------------------------
def view(
    key: str,
    doc: dict[str, Any],
    meta: dict[str, Any],
    *,
    token: str | None = None,
    tokens: list[str] | None = None,
) -> dict[str, Any]:
    """Every field scriptr shows of a doc (``device_doc``, ``user_doc``) and its meta."""
    return shown(
        key,
        doc["name"],
        doc["description"],
        doc["groups"],
        doc["status"] == SUSPENDED,
        doc["custom"],
        doc["types"],
        meta["creator"],
        meta["lastModifiedBy"],
        meta["version"],
        meta["created"],
        meta["updated"],
        token=token,
        tokens=tokens,
    )


def shown(
    key: str,
    name: Any,
    description: Any,
    groups: Any,
    suspended: bool,
    custom: dict[str, Any] | None,
    types: dict[str, Any] | None,
    creator: Any,
    modified_by: Any,
    version: int,
    created: int,
    updated: int,
    *,
    token: str | None = None,
    tokens: list[str] | None = None,
) -> dict[str, Any]:
    """Every field scriptr shows, multi-value fields as lists, in scriptr's order; nothing of
    what it is given is shared with the view."""
    out: dict[str, Any] = {"id": key, "name": name}
    if description is not None:
        out["description"] = description
    groups = listed(groups)
    if groups:
        out["groups"] = groups
    out["isSuspended"] = "true" if suspended else "false"
    if custom:
        out.update(custom)
        if "id" in custom:  # a hand-made snapshot's: the API refuses an id field
            out["id"] = key
    if token is not None:
        out["auth_token"] = token
    if tokens:
        out["tokens"] = list(tokens)
    out["creator"] = creator
    out["versionNumber"] = f"{version}.0"
    out["latest"] = "true"
    out["lastModifiedBy"] = modified_by
    out["creationDate"] = date(created)
    out["lastModifiedDate"] = date(updated)
    out["meta.types"] = mapped(types)
    return out


def present(item: dict[str, Any], *, include_types: bool, fields: list[str] | None = None) -> dict[str, Any]:
    """The wire form of a view: lone values unwrapped, projected, types on request."""
    declared = item["meta.types"]
    out: dict[str, Any] = {}
    for name, value in item.items():
        if name == "meta.types" or (fields is not None and name != "id" and name not in fields):
            continue
        out[name] = value[0] if isinstance(value, list) and len(value) == 1 else value
    if include_types:
        out["meta.types"] = {name: declared.get(name) or DEFAULT_TYPES.get(name, "string") for name in out}
    return out
