"""AWS IoT's logging settings: GetLoggingOptions/SetLoggingOptions (v1), GetV2LoggingOptions/
SetV2LoggingOptions, and v2 log levels per target (SetV2LoggingLevel, ListV2LoggingLevels,
DeleteV2LoggingLevel).

The fake writes no logs: these are the account's settings, stored per account and region (the
tenant's settings, so snapshots and ``--state`` keep them) and read back as they were set, so
that set-up code that configures logging before anything else runs unchanged. The wire checks
each member's enum; ``check`` keeps a restored snapshot to the same shapes.

Choices where AWS documents nothing ([I] in the README): GetLoggingOptions of an account that
never set them answers no member; GetV2LoggingOptions, SetV2LoggingLevel and ListV2LoggingLevels
answer NotConfiguredException until SetV2LoggingOptions was called (the model lists it for
them); SetV2LoggingOptions replaces the options (a member left out is unset, ``disableAllLogs``
false); ``verbose`` adds nothing (the fake knows no event types); a THING_GROUP target must name
an existing thing group and every target but DEFAULT a ``targetName``; at most
``MAX_LEVELS`` log levels (LimitExceededException); deleting a level never set succeeds.
"""

from __future__ import annotations

from typing import Any

from ...registry.integrity import SnapshotError
from . import paging
from .context import Context
from .validation import check_stored
from .wire import AwsError, invalid

V1, V2, LEVELS = "loggingOptions", "v2LoggingOptions", "v2LoggingLevels"
MAX_LEVELS = 1000
DEFAULT = "DEFAULT"


def get_v1(ctx: Context) -> dict[str, Any]:
    return dict(ctx.tenant.settings.get(V1) or {})


def set_v1(ctx: Context) -> dict[str, Any]:
    payload = ctx.input["loggingOptionsPayload"]
    ctx.tenant.settings[V1] = {k: payload[k] for k in ("roleArn", "logLevel") if payload.get(k) is not None}
    return {}


def get_v2(ctx: Context) -> dict[str, Any]:
    return {**_configured(ctx)}


def set_v2(ctx: Context) -> dict[str, Any]:
    given = ctx.input
    options: dict[str, Any] = {"disableAllLogs": bool(given.get("disableAllLogs"))}
    for name in ("roleArn", "defaultLogLevel", "eventConfigurations"):
        if given.get(name) is not None:
            options[name] = given[name]
    ctx.tenant.settings[V2] = options
    return {}


def set_level(ctx: Context) -> dict[str, Any]:
    _configured(ctx)
    target, level = ctx.input["logTarget"], ctx.input["logLevel"]
    key = _key(ctx, target["targetType"], target.get("targetName"))
    levels = dict(ctx.tenant.settings.get(LEVELS) or {})
    if key not in levels and len(levels) >= MAX_LEVELS:
        raise AwsError("LimitExceededException", f"An account can set at most {MAX_LEVELS} log levels.")
    levels[key] = level
    ctx.tenant.settings[LEVELS] = levels
    return {}


def list_levels(ctx: Context) -> dict[str, Any]:
    _configured(ctx)
    wanted = ctx.input.get("targetType")
    levels = ctx.tenant.settings.get(LEVELS) or {}
    found = [
        {"logTarget": _target(key), "logLevel": level}
        for key, level in sorted(levels.items())
        if wanted is None or key.split("|", 1)[0] == wanted
    ]
    chunk, token = paging.page(
        found,
        key=lambda item: [item["logTarget"]["targetType"], item["logTarget"].get("targetName", "")],
        token=ctx.input.get("nextToken"),
        size=ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {"logTargetConfigurations": chunk, "nextToken": token}


def delete_level(ctx: Context) -> dict[str, Any]:
    key = _stored_key(ctx.input["targetType"], ctx.input["targetName"])
    levels = dict(ctx.tenant.settings.get(LEVELS) or {})
    if levels.pop(key, None) is not None:
        ctx.tenant.settings[LEVELS] = levels
    return {}


def check(settings: dict[str, Any]) -> None:
    """Raise :class:`SnapshotError` for a stored setting no handler could answer (a restore's)."""
    for name, shape in ((V1, "LoggingOptionsPayload"), (V2, "SetV2LoggingOptionsRequest")):
        if settings.get(name) is not None:
            _valid(name, shape, settings[name])
    levels = settings.get(LEVELS)
    if levels is None:
        return
    if not isinstance(levels, dict) or len(levels) > MAX_LEVELS:
        raise SnapshotError(LEVELS, f"expected an object of at most {MAX_LEVELS} log levels by target")
    for key, level in levels.items():
        target = _target(key)
        _valid(f"{LEVELS}.{key}", "LogTargetConfiguration", {"logTarget": target, "logLevel": level})


def _valid(path: str, shape: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise SnapshotError(path, "expected an object")
    check_stored(shape, value, path)


def _configured(ctx: Context) -> dict[str, Any]:
    options = ctx.tenant.settings.get(V2)
    if options is None:
        raise AwsError(
            "NotConfiguredException", "V2 logging is not configured: call SetV2LoggingOptions first."
        )
    return options


def _key(ctx: Context, target_type: str, name: str | None) -> str:
    """A target's key, refused where SetV2LoggingLevel cannot set it."""
    if target_type != DEFAULT and not name:
        raise invalid(f"A {target_type} log target needs a targetName.")
    if target_type == "THING_GROUP" and ctx.groups.table().get(name) is None:
        raise invalid(f"The thing group {name} does not exist.")
    return _stored_key(target_type, name)


def _stored_key(target_type: str, name: str | None) -> str:
    """``type|name``; DEFAULT names no target, whatever name a call gives."""
    return f"{DEFAULT}|" if target_type == DEFAULT else f"{target_type}|{name}"


def _target(key: str) -> dict[str, str]:
    target_type, _, name = key.partition("|")
    return {"targetType": target_type, **({"targetName": name} if name else {})}
