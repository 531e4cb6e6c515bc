"""State snapshots of older versions, brought up to the current one before they are restored.

``--state`` files and ``GET /_iotfake/state`` documents outlive the version that wrote them. Each
step below takes a snapshot of version N to N+1 and says what changed; ``restore`` runs them in
order and then checks the result like any snapshot, so a step never needs to validate.
A snapshot newer than this code is refused (``iotfake serve`` exits 2 on one): guessing at a
format it does not know could lose state.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

#: the version this code writes
CURRENT = 2


def _v1_billing_groups(snapshot: dict[str, Any]) -> None:
    """v1 kept a thing's billing group as an unchecked name in ``extra.billingGroupName``; v2 has
    billing group records (the catalog's ``billingGroups``) and a membership link. Each name met
    becomes a group, with an id derived from the account and name (stable across reloads)."""
    registry = snapshot.get("registry")
    tenants = registry.get("tenants") if isinstance(registry, dict) else None
    for tenant in tenants if isinstance(tenants, list) else ():
        if not isinstance(tenant, dict) or tenant.get("provider") != "aws":
            continue
        tables = tenant.setdefault("tables", {})
        if not isinstance(tables, dict):
            continue
        devices = tenant.get("devices")
        for device in devices if isinstance(devices, list) else ():
            extra = device.get("extra") if isinstance(device, dict) else None
            if not isinstance(extra, dict) or not isinstance(extra.get("billingGroupName"), str):
                continue
            name = extra.pop("billingGroupName")
            device["extra"] = extra or None
            groups = tables.setdefault("billingGroups", {})
            if name not in groups:
                groups[name] = {
                    "name": name,
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"iotfake:{tenant.get('id')}:{name}")),
                    "version": 1,
                    "properties": {},
                    "created": device.get("created", 0),
                    "tags": [],
                }
            tables.setdefault("billingGroupMembers", {}).setdefault(name, []).append(device.get("key"))
            tables.setdefault("billingGroupMembers~", {})[device.get("key")] = [name]


#: version N -> the step that makes it N+1
STEPS: dict[int, Callable[[dict[str, Any]], None]] = {1: _v1_billing_groups}


def migrate(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot at the current version (the caller's document is changed in place)."""
    version = snapshot.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"unsupported state version {version!r}")
    if version > CURRENT:
        raise ValueError(
            f"unsupported state version {version}: a newer iotfake wrote it (this one reads versions "
            f"up to {CURRENT}); upgrade iotfake to load it"
        )
    while version < CURRENT:
        STEPS[version](snapshot)
        version += 1
        snapshot["version"] = version
    return snapshot
