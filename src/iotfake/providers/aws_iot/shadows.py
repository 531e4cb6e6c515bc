"""iot-data shadows: Get/Update/DeleteThingShadow (classic and named), ListNamedShadowsForThing.

The documents follow ``shadow_document``; storage is the registry catalog's ``shadow`` kind: one
record per thing name, ``{shadow name ("" for the classic one): document}``, which fleet indexing
reads too. Shadows do not need a registered thing and outlive its deletion, as on AWS (the Device
Shadow service is keyed by thing name alone); a deleted shadow's version carries on when it is
made again (the guide: deleting a shadow does not reset its version), kept in ``shadowVersions``.
"""

from __future__ import annotations

from typing import Any

from ...registry.kinds import SHADOW_VERSIONS, SHADOWS
from . import paging
from .context import Context
from .shadow_document import ShadowError, accepted, apply_update, compact, parse_update, view
from .wire import AwsError

#: the Device Shadow service's statuses -> the iot-data model's error shapes
ERRORS = {
    400: "InvalidRequestException",
    404: "ResourceNotFoundException",
    409: "ConflictException",
    413: "RequestEntityTooLargeException",
    415: "UnsupportedDocumentEncodingException",
}


_dump = compact


def _names(ctx: Context) -> tuple[str, str]:
    return ctx.input["thingName"], ctx.input.get("shadowName") or ""


def _missing(thing: str, name: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"No shadow exists with name: '{name or thing}'")


def get(ctx: Context) -> dict[str, Any]:
    thing, name = _names(ctx)
    document = (ctx.tenant.table(SHADOWS).get(thing) or {}).get(name)
    if document is None:
        raise _missing(thing, name)
    return {"payload": _dump(view(document, int(ctx.now)))}


def update(ctx: Context) -> dict[str, Any]:
    """UpdateThingShadow: the update, then what the shadow service publishes about it (built
    only when someone listens: the broker's subscribers, a console, a write-ahead log)."""
    return _published(ctx, "update", apply)


def delete(ctx: Context) -> dict[str, Any]:
    """DeleteThingShadow: the delete, then ``delete/accepted`` for the device."""
    return _published(ctx, "delete", remove)


def _published(ctx: Context, action: str, run: Any) -> dict[str, Any]:
    from . import messages, shadow_topics

    thing, name = _names(ctx)
    if not ctx.tenant.changes.watched:  # nobody hears published messages: none to build
        return run(ctx)
    with ctx.tenant.lock:
        previous = (ctx.tenant.table(SHADOWS).get(thing) or {}).get(name)
        answer = run(ctx)
        current = (ctx.tenant.table(SHADOWS).get(thing) or {}).get(name)
    topic = f"{shadow_topics.base_topic(thing, name)}/{action}"
    token = shadow_topics.client_token(ctx.input.get("payload") or b"")
    for out_topic, payload in shadow_topics.answers(
        topic, action, answer, previous, current, token, int(ctx.now)
    ):
        messages.deliver(ctx, out_topic, payload, qos=0, retain=False)
    return answer


def apply(ctx: Context) -> dict[str, Any]:
    thing, name = _names(ctx)
    try:
        request = parse_update(ctx.input.get("payload") or b"")
        with ctx.tenant.lock:
            shadows = ctx.tenant.table(SHADOWS)
            record = dict(shadows.get(thing) or {})
            current = record.get(name)
            base = (ctx.tenant.table(SHADOW_VERSIONS).get(thing) or {}).get(name, 0)
            if current is None and request.get("version") is not None and request["version"] != base:
                raise ShadowError(409, "Version conflict")
            document = apply_update(current, {**request, "_base_version": base}, int(ctx.now))
            record[name] = document
            shadows[thing] = record
    except ShadowError as exc:
        raise AwsError(ERRORS.get(exc.status, "InvalidRequestException"), exc.message) from None
    return {"payload": _dump(accepted(request, document))}


def remove(ctx: Context) -> dict[str, Any]:
    thing, name = _names(ctx)
    with ctx.tenant.lock:
        shadows = ctx.tenant.table(SHADOWS)
        record = dict(shadows.get(thing) or {})
        document = record.pop(name, None)
        if document is None:
            raise _missing(thing, name)
        if record:
            shadows[thing] = record
        else:
            del shadows[thing]
        versions = ctx.tenant.table(SHADOW_VERSIONS)
        versions[thing] = {**(versions.get(thing) or {}), name: document["version"]}
    return {"payload": _dump({"version": document["version"], "timestamp": int(ctx.now)})}


def named(ctx: Context) -> dict[str, Any]:
    thing = ctx.input["thingName"]
    names = [n for n in (ctx.tenant.table(SHADOWS).get(thing) or {}) if n]
    chunk, token = paging.names(
        names, ctx.input.get("nextToken"), ctx.input.get("pageSize", paging.DEFAULT_TOKEN_PAGE)
    )
    return {"results": chunk, "nextToken": token, "timestamp": int(ctx.now)}
