"""The Device Shadow document rules, with no storage and no transport (HTTP and MQTT share them).

From the AWS IoT developer guide ("Device Shadow service documents", "Device Shadow error
messages"): an update names only the fields it changes, in ``state.desired`` and/or
``state.reported``; a ``null`` removes a field (and ``"desired": null`` the whole section);
every leaf written gets a ``metadata`` timestamp (epoch seconds); ``version`` counts updates and an
update naming another version is a 409 ``Version conflict``; ``delta`` is what desired says and
reported does not (compared field by field in objects, arrays whole); the state document
(desired and reported, metadata not counted) is at most 8 KB of UTF-8 and at most 6 levels deep;
arrays can't hold ``null``; a ``clientToken`` is at most 64 bytes.
"""

from __future__ import annotations

import json
from typing import Any

from ... import jsonio

MAX_BYTES = 8 * 1024
MAX_DEPTH = 6
#: the guide: "The client token can be no longer than 64 bytes"
MAX_TOKEN_BYTES = 64
SECTIONS = ("desired", "reported")


class ShadowError(Exception):
    """A refusal in the Device Shadow service's terms: HTTP ``status`` and its message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_update(payload: bytes) -> dict[str, Any]:
    """An update request document, checked as the service checks it."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise ShadowError(415, "Unsupported documented encoding; supported encoding is UTF-8") from None
    try:  # jsonio: NaN, a lone surrogate or a thousand levels were read, stored, answered (or a 500)
        request = jsonio.loads(text, what="the shadow document") if text.strip() else None
    except jsonio.JSONInputError as exc:
        if exc.too_deep:
            raise _too_deep() from None
        raise ShadowError(400, "Invalid JSON") from None
    if not isinstance(request, dict):
        raise ShadowError(400, "Invalid JSON")
    if "state" not in request:
        raise ShadowError(400, "Missing required node: state")
    state = request["state"]
    if state is not None and not isinstance(state, dict):
        raise ShadowError(400, "State node must be an object")
    for name in state or {}:
        if name not in SECTIONS:
            raise ShadowError(400, "State contains an invalid node: '" + name + "'")
    for name in SECTIONS:
        section = (state or {}).get(name)
        if section is not None and not isinstance(section, dict):
            raise ShadowError(400, f"{name.capitalize()} node must be an object")
        if section is not None and _depth(section) > MAX_DEPTH:
            raise _too_deep()
        if section is not None and _null_in_array(section):
            # [I] the guide ("Array values in shadow documents") says such an array "is not
            # valid and will be rejected" but documents no message: a 400 in the guide's words
            raise ShadowError(400, "Arrays can't have null values")
    version = request.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise ShadowError(400, "Invalid version")
    token = request.get("clientToken")
    if token is not None and (not isinstance(token, str) or len(token.encode("utf-8")) > MAX_TOKEN_BYTES):
        raise ShadowError(400, "Invalid clientToken")
    return request


def apply_update(current: dict[str, Any] | None, request: dict[str, Any], now: int) -> dict[str, Any]:
    """The stored document after ``request`` (``current`` None: a new shadow, or one that was
    deleted; its ``version`` may then carry on from ``request["_base_version"]``)."""
    if (
        current is not None
        and request.get("version") is not None
        and request["version"] != current["version"]
    ):
        raise ShadowError(409, "Version conflict")
    state = {s: dict((current or {}).get("state", {}).get(s) or {}) for s in SECTIONS}
    metadata = {s: dict((current or {}).get("metadata", {}).get(s) or {}) for s in SECTIONS}
    given = request["state"]
    for name in SECTIONS:
        if given is None or (name in given and given[name] is None):
            state[name], metadata[name] = {}, {}
        elif name in given:
            metadata[name] = _merge_metadata(metadata[name], state[name], given[name], now)
            state[name] = _merge(state[name], given[name])
    if _size({s: state[s] for s in SECTIONS if state[s]}) > MAX_BYTES:
        raise ShadowError(413, "The payload exceeds the maximum size allowed")
    base = current["version"] if current is not None else request.get("_base_version", 0)
    return {
        "state": {s: state[s] for s in SECTIONS if state[s]},
        "metadata": {s: metadata[s] for s in SECTIONS if metadata[s]},
        "version": base + 1,
        "timestamp": now,
    }


def compact(document: dict[str, Any]) -> bytes:
    """A document as the service writes it: compact JSON, non-ASCII text as ``\\u`` escapes
    (``json.dumps``' own spelling); orjson (``jsonio.encode``) where the text is ASCII without
    DEL, a sixth of the cost, since no escape is then needed."""
    out = jsonio.encode(document)
    if out.isascii() and b"\x7f" not in out:  # json.dumps escapes DEL too
        return out
    return json.dumps(document, separators=(",", ":")).encode()


def _size(state: dict[str, Any]) -> int:
    """The state's size as the service counts it against the 8 KB limit: its UTF-8 bytes as
    compact JSON (non-ASCII text counted as written, not as ``\\u`` escapes, which would make
    6 KB of Chinese text 12 KB)."""
    return len(jsonio.encode(state))


def _too_deep() -> ShadowError:
    return ShadowError(400, f"JSON contains too many levels of nesting; maximum is {MAX_DEPTH}")


def accepted(request: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """The answer to an update: what the request set, with its metadata, the new version."""
    given = request["state"] or {}
    out: dict[str, Any] = {
        "state": {s: given[s] for s in SECTIONS if s in given} if request["state"] is not None else None,
        "metadata": {
            s: _stamps_of(given[s], document["timestamp"]) for s in SECTIONS if isinstance(given.get(s), dict)
        },
        "version": document["version"],
        "timestamp": document["timestamp"],
    }
    if "clientToken" in request:
        out["clientToken"] = request["clientToken"]
    return out


def view(document: dict[str, Any], now: int) -> dict[str, Any]:
    """What GetThingShadow answers: state with its delta, metadata, version, timestamp (now)."""
    state = dict(document.get("state") or {})
    delta = compute_delta(state.get("desired") or {}, state.get("reported") or {})
    if delta:
        state["delta"] = delta
    return {
        "state": state,
        "metadata": document.get("metadata") or {},
        "version": document["version"],
        "timestamp": now,
    }


def compute_delta(desired: dict[str, Any], reported: dict[str, Any]) -> dict[str, Any]:
    """Desired fields whose value reported does not hold (objects compared field by field)."""
    delta: dict[str, Any] = {}
    for key, want in desired.items():
        have = reported.get(key, _ABSENT)
        if isinstance(want, dict) and isinstance(have, dict):
            inner = compute_delta(want, have)
            if inner:
                delta[key] = inner
        elif have is _ABSENT or want != have or type(want) is not type(have):
            delta[key] = want
    return delta


_ABSENT = object()


def delta_named(given: dict[str, Any] | None, delta: dict[str, Any]) -> bool:
    """Whether an update's ``state`` names a field that is in ``delta`` (its value, a deeper
    field of it, or a ``null`` deleting it or an object holding it): the guide publishes
    ``/update/delta`` when "the request state document contains different values for desired
    and reported states", so a report deleting a field desired still has counts, and one
    naming only fields that agree does not."""
    if not delta or given is None:
        return False
    return any(given[name] is None or _names_any(given[name], delta) for name in SECTIONS if name in given)


def _names_any(given: dict[str, Any], delta: dict[str, Any]) -> bool:
    for key, value in given.items():
        if key not in delta:
            continue
        if not (isinstance(value, dict) and isinstance(delta[key], dict)) or _names_any(value, delta[key]):
            return True
    return False


def delta_metadata(delta: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    """The metadata of ``delta``: the guide says it equals "the metadata in the desired field",
    so it is the desired metadata cut to the delta's fields, leaf for leaf (an object's
    metadata is a subtree when the delta holds an object there, else the leaf's own)."""
    out: dict[str, Any] = {}
    for key, value in delta.items():
        if key not in desired:
            continue
        if isinstance(value, dict) and isinstance(desired[key], dict):
            out[key] = delta_metadata(value, desired[key])
        else:
            out[key] = desired[key]
    return out


def _merge(current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    out = dict(current)
    for key, value in given.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            merged = _merge(out[key], value)
            if merged:
                out[key] = merged
            else:
                out.pop(key)
        elif isinstance(value, dict):
            cleaned = _merge({}, value)
            if cleaned:
                out[key] = cleaned
            else:
                out.pop(key, None)
        else:
            out[key] = value
    return out


def _merge_metadata(
    current: dict[str, Any], state: dict[str, Any], given: dict[str, Any], now: int
) -> dict[str, Any]:
    """``current`` (the metadata of ``state``, before the update) after ``given``. Whether a
    key's metadata is a subtree or a leaf stamp is read from the state, never from the stamp's
    shape: a field named ``timestamp`` is state too, and its object is not a leaf."""
    out = dict(current)
    for key, value in given.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict):
            was_object = isinstance(state.get(key), dict) and isinstance(out.get(key), dict)
            inner = _merge_metadata(
                out[key] if was_object else {}, state[key] if was_object else {}, value, now
            )
            if inner:
                out[key] = inner
            else:
                out.pop(key, None)
        else:
            out[key] = _stamps_of(value, now)
    return out


def _stamps_of(value: Any, now: int) -> Any:
    """Metadata for a value written now: a timestamp per leaf (arrays: one per element)."""
    if isinstance(value, dict):
        return {key: _stamps_of(inner, now) for key, inner in value.items() if inner is not None}
    if isinstance(value, list):
        return [_stamps_of(item, now) for item in value]
    return {"timestamp": now}


def _null_in_array(value: Any) -> bool:
    """Whether an array anywhere in ``value`` holds a ``null`` element (a ``null`` field of an
    object deletes that field; in an array it has no meaning, so the service refuses it)."""
    if isinstance(value, dict):
        return any(_null_in_array(v) for v in value.values())
    if isinstance(value, list):
        return any(item is None or _null_in_array(item) for item in value)
    return False


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max((_depth(v) for v in value), default=0)
    return 0
