"""The Device Shadow service's MQTT topics: a message on ``$aws/things/<thing>/shadow[/name/<name>]/
get|update|delete`` acts on the shadow, and the service answers on that topic's ``accepted`` or
``rejected`` topic, plus ``update/delta`` and ``update/documents`` after an update (the developer
guide's "Device Shadow MQTT topics").

Transport-free: iot-data's Publish (HTTP) and the MQTT broker both hand a message here and
publish what comes back, so a device and a back end see the same shadow store as
Get/UpdateThingShadow. The documents are the iot-data handlers' own; only the envelopes differ
(``rejected``: ``{"code", "message", "timestamp", "clientToken"}``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ... import jsonio
from ...registry.kinds import SHADOWS
from . import shadows
from .context import Context
from .shadow_document import compact, compute_delta, delta_metadata, delta_named, view
from .validation import Problems, validate
from .wire import AwsError

TOPIC = re.compile(
    r"\$aws/things/(?P<thing>[^/#+]+)/shadow(?:/name/(?P<name>[^/#+]+))?/(?P<action>get|update|delete)"
)
#: the iot-data shape whose members name a shadow (thingName, shadowName: patterns, lengths)
NAMES_SHAPE = "iotdata.GetThingShadowRequest"
#: the iot-data error shapes -> the status code a ``rejected`` payload carries
CODES = {shape: status for status, shape in shadows.ERRORS.items()}

Message = tuple[str, bytes]


def parse(topic: str) -> tuple[str, str, str] | None:
    """``(thing, shadow name or "", action)`` for a shadow request topic, else None."""
    found = TOPIC.fullmatch(topic)
    if found is None:
        return None
    return found["thing"], found["name"] or "", found["action"]


def respond(ctx: Context, topic: str, payload: bytes) -> list[Message]:
    """What the shadow service publishes in answer to ``payload`` on ``topic`` (nothing for a
    topic that is not a shadow request)."""
    parsed = parse(topic)
    if parsed is None:
        return []
    thing, name, action = parsed
    token = client_token(payload)
    now = int(ctx.now)
    refused = refused_names(thing, name)
    if refused is not None:
        return [_rejected(topic, 400, refused, token, now)]
    request = Context(
        ctx.provider,
        ctx.call,
        ctx.tenant,
        {"thingName": thing, "shadowName": name or None, "payload": payload},
    )
    try:
        with ctx.tenant.lock:
            previous = (ctx.tenant.table(SHADOWS).get(thing) or {}).get(name)
            handler = {"get": shadows.get, "update": shadows.apply, "delete": shadows.remove}[action]
            answer = handler(request)
            current = (ctx.tenant.table(SHADOWS).get(thing) or {}).get(name)
    except AwsError as exc:
        return [_rejected(topic, CODES.get(str(exc.code), 400), exc.message, token, now)]
    return answers(topic, action, answer, previous, current, token, now)


def _rejected(topic: str, code: int, message: str, token: str | None, now: int) -> Message:
    """The guide's error response document on ``topic``'s ``rejected`` topic."""
    return f"{topic}/rejected", _dump(
        _with_token({"code": code, "message": message, "timestamp": now}, token)
    )


def refused_names(thing: str, name: str) -> str | None:
    """Why iot-data would refuse this thing or shadow name (its model's patterns and lengths),
    in its own words; None for names it takes. A topic admits names the HTTP API can never
    read, list or delete (``a.b``, 65 characters), so no shadow is made under them.

    [I] The guide documents no answer for such a topic; the fake answers ``rejected`` with a
    400 and iot-data's validation message (what GetThingShadow says of the same names)."""
    problems = Problems()
    validate(NAMES_SHAPE, {"thingName": thing, "shadowName": name or None}, "", problems)
    return problems.message() if problems else None


def base_topic(thing: str, name: str) -> str:
    return f"$aws/things/{thing}/shadow" + (f"/name/{name}" if name else "")


def answers(
    topic: str,
    action: str,
    answer: dict[str, Any],
    previous: dict[str, Any] | None,
    current: dict[str, Any] | None,
    token: str | None,
    now: int,
) -> list[Message]:
    """What the service publishes after an accepted get/update/delete on ``topic`` (also when
    iot-data's HTTP calls made it: AWS publishes those on the same topics)."""
    accepted = json.loads(answer["payload"])
    messages = [(f"{topic}/accepted", _dump(_with_token(accepted, token)))]
    if action == "update" and current is not None:
        messages.extend(_after_update(topic, previous, current, accepted, token, now))
    return messages


def _after_update(
    topic: str,
    previous: dict[str, Any] | None,
    current: dict[str, Any],
    accepted: dict[str, Any],
    token: str | None,
    now: int,
) -> list[Message]:
    out: list[Message] = []
    desired = (current.get("state") or {}).get("desired") or {}
    delta = compute_delta(desired, (current.get("state") or {}).get("reported") or {})
    if delta_named(accepted.get("state"), delta):
        metadata = (current.get("metadata") or {}).get("desired") or {}
        event = {
            "version": current["version"],
            "timestamp": now,
            "state": delta,
            "metadata": delta_metadata(delta, metadata),
        }
        out.append((f"{topic}/delta", _dump(_with_token(event, token))))
    documents: dict[str, Any] = {"current": _document(current), "timestamp": now}
    if previous is not None:
        documents["previous"] = _document(previous)
    out.append((f"{topic}/documents", _dump(_with_token(documents, token))))
    return out


def _document(stored: dict[str, Any]) -> dict[str, Any]:
    shown = view(stored, stored.get("timestamp", 0))
    state = {k: v for k, v in shown["state"].items() if k != "delta"}
    return {"state": state, "metadata": shown["metadata"], "version": shown["version"]}


def client_token(payload: bytes) -> str | None:
    try:
        token = jsonio.loads(payload, what="the payload").get("clientToken")
    except (jsonio.JSONInputError, AttributeError):
        return None
    return token if isinstance(token, str) else None


def _with_token(document: dict[str, Any], token: str | None) -> dict[str, Any]:
    return {**document, "clientToken": token} if token is not None else document


_dump = compact  # the shadow service's own spelling, as iot-data's answers
