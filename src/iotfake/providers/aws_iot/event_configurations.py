"""Describe/UpdateEventConfigurations: which of the account's event messages AWS IoT publishes.

Kept in the tenant's settings under ``eventConfigurations`` as ``{"configurations": {type:
{"Enabled": bool}}, "created": ms, "updated": ms}``, replaced (never mutated) on update, so a
snapshot sees a whole configuration. Only the types an update named are stored; every other type
is off, as on a new account ("These events, however, are not available by default": the guide's
Registry events). So the MQTT side asks one dictionary lookup of an account that never enabled
any (``enabled``), which is every account until a test opts in.

Choices where AWS documents nothing ([I] in the README): a configuration without ``Enabled``
turns its type off (the member's default); the dates are absent until the first update.
"""

from __future__ import annotations

from typing import Any

from ...registry import Tenant
from ...registry.integrity import SnapshotError
from .context import Context
from .model import SHAPES

SETTING = "eventConfigurations"
#: the model's event types, in its order (DescribeEventConfigurations lists each)
TYPES: tuple[str, ...] = tuple(SHAPES["EventType"]["enum"])
NOTHING: frozenset[str] = frozenset()


def enabled(tenant: Tenant) -> frozenset[str]:
    """The event types the account publishes (one lookup for an account that never set any)."""
    stored = tenant.settings.get(SETTING)
    if stored is None:
        return NOTHING
    return frozenset(t for t, c in stored["configurations"].items() if c.get("Enabled"))


def describe(ctx: Context) -> dict[str, Any]:
    stored = ctx.tenant.settings.get(SETTING)
    configured = stored["configurations"] if stored is not None else {}
    out: dict[str, Any] = {
        "eventConfigurations": {t: {"Enabled": bool(configured.get(t, {}).get("Enabled"))} for t in TYPES}
    }
    if stored is not None:
        out["creationDate"] = stored["created"] / 1000
        out["lastModifiedDate"] = stored["updated"] / 1000
    return out


def update(ctx: Context) -> dict[str, Any]:
    """Store the types the request names (the model has checked them); the others stay."""
    given = ctx.input.get("eventConfigurations") or {}
    if not given:
        return {}
    tenant, now = ctx.tenant, ctx.now_ms
    stored = tenant.settings.get(SETTING)
    configurations = dict(stored["configurations"]) if stored is not None else {}
    for event_type, configuration in given.items():
        configurations[event_type] = {"Enabled": bool(configuration.get("Enabled", False))}
    created = stored["created"] if stored is not None else now
    tenant.settings[SETTING] = {"configurations": configurations, "created": created, "updated": now}
    return {}


def check(stored: Any) -> None:
    """Raise :class:`SnapshotError` for a stored configuration ``describe`` cannot read (a
    hand-edited state file): ``Registry.settings_check`` asks it before a restore."""
    if not isinstance(stored, dict) or not isinstance(stored.get("configurations"), dict):
        raise SnapshotError(
            SETTING, 'expected {"configurations": {type: {"Enabled": bool}}, "created", "updated"}'
        )
    for event_type, configuration in stored["configurations"].items():
        if event_type not in TYPES:
            raise SnapshotError(SETTING, f"{event_type!r} is not an event type ({', '.join(TYPES)})")
        if not isinstance(configuration, dict) or not isinstance(configuration.get("Enabled"), bool):
            raise SnapshotError(SETTING, f'{event_type}: expected {{"Enabled": true|false}}')
    for name in ("created", "updated"):
        value = stored.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SnapshotError(SETTING, f"{name}: expected a time in milliseconds")
