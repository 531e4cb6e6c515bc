"""The fleet indexing configuration: AWS's default, its rules, and what the indexes hold.

Kept in the tenant's settings under ``indexingConfiguration`` and replaced (never mutated) on
update, so snapshots and restores see whole configurations. A new account has both indexes OFF,
as on AWS: SearchIndex answers ``ResourceNotFoundException`` ("Index AWS_Things does not exist")
until UpdateIndexingConfiguration turns the things index on.

Rules (developer guide, "Manage thing indexing"): connectivity, Device Defender and named shadow
indexing need ``thingIndexingMode`` other than OFF; at most ``MAX_NAMED_SHADOWS`` named shadows in
the filter; a custom field names a type, is not a managed field, and is indexed by the mode (no
``shadow.*`` custom field without shadow indexing). ``managedFields`` are AWS's to say: they are
computed from the modes and any a request sends are ignored.
"""

from __future__ import annotations

from typing import Any

from ....registry import Tenant
from ..wire import invalid
from .document import View

SETTING = "indexingConfiguration"
THINGS = "AWS_Things"
GROUPS = "AWS_ThingGroups"
#: the guide: "By default, you can add up to 10 shadow names per AWS account."
MAX_NAMED_SHADOWS = 10

DEFAULT: dict[str, Any] = {
    "thingIndexingConfiguration": {"thingIndexingMode": "OFF"},
    "thingGroupIndexingConfiguration": {"thingGroupIndexingMode": "OFF"},
}

REGISTRY_FIELDS = [
    ("thingName", "String"),
    ("thingId", "String"),
    ("registry.version", "Number"),
    ("registry.thingTypeName", "String"),
    ("registry.thingGroupNames", "String"),
]
SHADOW_FIELDS = [("shadow.version", "Number"), ("shadow.hasDelta", "Boolean")]
NAMED_SHADOW_FIELDS = [("shadow.name.*.version", "Number"), ("shadow.name.*.hasDelta", "Boolean")]
CONNECTIVITY_FIELDS = [
    ("connectivity.timestamp", "Number"),
    ("connectivity.version", "Number"),
    ("connectivity.connected", "Boolean"),
    ("connectivity.disconnectReason", "String"),
]
GROUP_FIELDS = [
    ("description", "String"),
    ("parentGroupNames", "String"),
    ("thingGroupId", "String"),
    ("thingGroupName", "String"),
    ("version", "Number"),
]
ALL_MANAGED = {name for name, _ in REGISTRY_FIELDS + SHADOW_FIELDS + CONNECTIVITY_FIELDS}


def current(tenant: Tenant) -> dict[str, Any]:
    return tenant.settings.get(SETTING) or DEFAULT


def things_on(config: dict[str, Any]) -> bool:
    return config["thingIndexingConfiguration"].get("thingIndexingMode", "OFF") != "OFF"


def groups_on(config: dict[str, Any]) -> bool:
    return config["thingGroupIndexingConfiguration"].get("thingGroupIndexingMode", "OFF") == "ON"


def view(config: dict[str, Any]) -> View:
    """What the things index holds under ``config`` (which must have it on)."""
    things = config["thingIndexingConfiguration"]
    named: frozenset[str] = frozenset()
    if things.get("namedShadowIndexingMode") == "ON":
        named = frozenset((things.get("filter") or {}).get("namedShadowNames") or ())
    return View(
        shadow=things["thingIndexingMode"] == "REGISTRY_AND_SHADOW",
        named=named,
        connectivity=things.get("thingConnectivityIndexingMode") == "STATUS",
    )


def schema(config: dict[str, Any], index: str) -> str:
    """DescribeIndex's ``schema`` for an index that is on."""
    if index == GROUPS:
        return "REGISTRY"
    things = config["thingIndexingConfiguration"]
    named = things.get("namedShadowIndexingMode") == "ON"
    if named or things.get("deviceDefenderIndexingMode") == "VIOLATIONS":
        return "MULTI_INDEXING_MODE"
    name = things["thingIndexingMode"]
    if things.get("thingConnectivityIndexingMode") == "STATUS":
        name += "_AND_CONNECTIVITY_STATUS"
    return name


def describe(config: dict[str, Any]) -> dict[str, Any]:
    """GetIndexingConfiguration's answer: the stored configuration plus its managed fields."""
    things = dict(config["thingIndexingConfiguration"])
    if things_on(config):
        managed = list(REGISTRY_FIELDS)
        if things["thingIndexingMode"] == "REGISTRY_AND_SHADOW":
            managed += SHADOW_FIELDS
        if things.get("namedShadowIndexingMode") == "ON":
            managed += NAMED_SHADOW_FIELDS
        if things.get("thingConnectivityIndexingMode") == "STATUS":
            managed += CONNECTIVITY_FIELDS
        things["managedFields"] = _fields(managed)
    groups = dict(config["thingGroupIndexingConfiguration"])
    if groups_on(config):
        groups["managedFields"] = _fields(GROUP_FIELDS)
    return {"thingIndexingConfiguration": things, "thingGroupIndexingConfiguration": groups}


def _fields(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "type": kind} for name, kind in pairs]


def update(tenant: Tenant, request: dict[str, Any]) -> dict[str, Any]:
    """Validate and store a new configuration (parts the request leaves out are kept)."""
    config = dict(current(tenant))
    if request.get("thingIndexingConfiguration") is not None:
        config["thingIndexingConfiguration"] = _things(request["thingIndexingConfiguration"])
    if request.get("thingGroupIndexingConfiguration") is not None:
        config["thingGroupIndexingConfiguration"] = _groups(request["thingGroupIndexingConfiguration"])
    tenant.settings[SETTING] = config
    return config


def check(config: dict[str, Any]) -> None:
    """Raise ``InvalidRequestException`` unless a stored configuration keeps ``update``'s rules
    (a restored snapshot's, written by hand: ``aws_iot.settings``)."""
    _things(config["thingIndexingConfiguration"])
    _groups(config["thingGroupIndexingConfiguration"])


def _things(given: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in given.items() if k != "managedFields"}
    mode = out["thingIndexingMode"]
    if mode == "OFF":
        for key, off in (
            ("thingConnectivityIndexingMode", "OFF"),
            ("deviceDefenderIndexingMode", "OFF"),
            ("namedShadowIndexingMode", "OFF"),
        ):
            if out.get(key, off) != off:
                raise invalid(
                    f"{key} {out[key]} needs thing indexing: set thingIndexingMode to REGISTRY or "
                    "REGISTRY_AND_SHADOW"
                )
    names = (out.get("filter") or {}).get("namedShadowNames") or []
    if len(set(names)) > MAX_NAMED_SHADOWS:
        raise invalid(
            f"The filter names {len(set(names))} named shadows; at most {MAX_NAMED_SHADOWS} can be indexed"
        )
    _custom_fields(
        out.get("customFields") or [],
        "thingIndexingConfiguration",
        shadow=mode == "REGISTRY_AND_SHADOW",
        named=out.get("namedShadowIndexingMode") == "ON",
    )
    return out


def _groups(given: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in given.items() if k != "managedFields"}
    where = "thingGroupIndexingConfiguration"
    _custom_fields(out.get("customFields") or [], where, shadow=False, named=False)
    return out


def _custom_fields(fields: list[dict[str, Any]], where: str, *, shadow: bool, named: bool) -> None:
    seen: set[str] = set()
    for index, entry in enumerate(fields):
        name, kind = entry.get("name"), entry.get("type")
        path = f"{where}.customFields[{index}]"
        if not name or not kind:
            raise invalid(f"{path} needs both a name and a type (Number, String or Boolean)")
        if name in ALL_MANAGED or name in {n for n, _ in GROUP_FIELDS}:
            raise invalid(f"{name} is a managed field and cannot be a custom field")
        if name in seen:
            raise invalid(f"Custom field {name} is given twice")
        seen.add(name)
        if name.startswith("shadow.name.") and not named:
            raise invalid(
                f"Custom field {name} is a named shadow field, but namedShadowIndexingMode is not ON"
            )
        if name.startswith("shadow.") and not name.startswith("shadow.name.") and not shadow:
            raise invalid(
                f"Custom field {name} is a shadow field, but thingIndexingMode is not REGISTRY_AND_SHADOW"
            )
