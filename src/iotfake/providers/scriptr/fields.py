"""scriptr's field rules for devices and users, shared by create, save, update and fixtures.

An identity is held as a *doc*, a plain dict with the keys ``name``, ``password`` (a hash),
``description``, ``groups`` (a list), ``status`` (``"active"`` or ``"suspended"``), ``custom``
(field -> value) and ``types`` (field -> declared ``meta.types`` type). :func:`parse` turns a
request into :class:`Changes` without touching state; :func:`merge` applies them to a doc copy and
checks the typed values, so a failure anywhere leaves the stored identity as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...registry.passwords import hash_password
from .errors import ScriptrError, invalid_field, invalid_identifier, invalid_parameter, missing
from .params import boolean, maybe_json

ID = re.compile(r"[A-Za-z0-9@_.-]{1,243}")
GROUP = re.compile(r"[A-Za-z0-9 _-]{1,128}")
FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}")
TYPES = ("string", "text", "numeric", "date", "boolean", "geospatial")
#: fields the platform maintains; ignored when sent
SYSTEM = ("creator", "versionNumber", "latest", "lastModifiedBy", "creationDate", "lastModifiedDate")
#: request parameters that are not fields
NOT_FIELDS = frozenset({*SYSTEM, "id", "auth_token", "globalDateFormat", "meta.types", "tokens", "options"})
CORE = ("name", "password", "description", "groups", "isSuspended")
#: fields whose type ``meta.types`` cannot change
UNTYPED = frozenset({"id", "password", "groups", "isSuspended", "auth_token", "tokens", *SYSTEM})
RESERVED_PREFIXES = ("meta.", "apsdb.", "apsws.")
#: a field's plain values (tuples: ``str | int`` makes a new union on every check)
_SCALARS = (str, int, float, bool)
_NUMBERS = (int, float)

ACTIVE, SUSPENDED = "active", "suspended"


def empty_doc() -> dict[str, Any]:
    return {"name": None, "password": None, "description": None, "groups": [], "status": ACTIVE,
            "custom": {}, "types": {}}  # fmt: skip


@dataclass(slots=True)
class Changes:
    #: name / password (hashed) / description / status -> new value (None clears)
    values: dict[str, Any] = field(default_factory=dict)
    #: ("set", [...]) replaces the groups; ("edit", append, delete) adds and removes
    groups: tuple[Any, ...] | None = None
    #: custom field -> value (None clears)
    custom: dict[str, Any] = field(default_factory=dict)
    #: field -> type (None drops the declaration)
    types: dict[str, str | None] = field(default_factory=dict)


def identifier(value: Any, kind: str) -> str:
    """An id: 1-243 letters, digits and ``@ _ . -`` (``INVALID_IDENTIFIER`` otherwise)."""
    if not isinstance(value, str) or not ID.fullmatch(value):
        raise invalid_identifier(kind, str(value))
    return value


def required_id(params: dict[str, Any]) -> str:
    value = params.get("id")
    if value is None or value == "":
        raise missing("id")
    if not isinstance(value, str):
        raise invalid_parameter("id", "expected a string")
    return value


def _clears(value: Any) -> bool:
    return value is None or value == ""


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise invalid_field(name, "expected a string")
    return value


def _group_names(value: Any, name: str, allowed: list[str] | None) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise invalid_field(name, "expected a group name, a list of group names or {append, delete}")
    names: list[str] = []
    for item in items:
        if not isinstance(item, str) or not GROUP.fullmatch(item):
            raise invalid_field(name, f"[{item}] is not a group name (1-128 letters, digits, spaces, _ or -)")
        if allowed and item not in allowed:
            raise invalid_field(name, f"the group [{item}] does not exist")
        if item not in names:
            names.append(item)
    return names


def _groups(value: Any, allowed: list[str] | None) -> tuple[Any, ...]:
    value = maybe_json(value)
    if _clears(value) or value == []:
        return ("set", [])
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"append", "delete"})
        if unknown:
            raise invalid_field("groups", f"unknown key [{unknown[0]}] (expected append or delete)")
        append = (
            [] if _clears(value.get("append")) else _group_names(value["append"], "groups.append", allowed)
        )
        delete = [] if _clears(value.get("delete")) else _group_names(value["delete"], "groups.delete", None)
        return ("edit", append, delete)
    return ("set", _group_names(value, "groups", allowed))


def _suspended(value: Any) -> str:
    if _clears(value):
        return ACTIVE
    try:
        return SUSPENDED if boolean(value, "isSuspended") else ACTIVE
    except ScriptrError:
        raise invalid_field("isSuspended", "expected true or false") from None


def _types(value: Any) -> dict[str, str | None]:
    value = maybe_json(value)
    if _clears(value):
        return {}
    if not isinstance(value, dict):
        raise invalid_field("meta.types", "expected an object mapping field names to types")
    out: dict[str, str | None] = {}
    for name, kind in value.items():
        if name in UNTYPED:
            raise invalid_field("meta.types", f"the type of [{name}] cannot be declared")
        if _clears(kind):
            out[name] = None
        elif kind not in TYPES:
            raise invalid_field("meta.types", f"[{kind}] is not one of {', '.join(TYPES)}")
        else:
            out[name] = kind
    return out


def _custom_value(name: str, value: Any) -> Any:
    if isinstance(value, dict):
        raise invalid_field(name, "nested objects are not supported")
    if isinstance(value, list):
        if not all(isinstance(v, _SCALARS) for v in value):
            raise invalid_field(name, "a multi-value field holds strings, numbers or booleans")
        return list(value)
    if not isinstance(value, _SCALARS):
        raise invalid_field(name, "unsupported value")
    return value


def parse(
    params: dict[str, Any],
    *,
    creating: bool,
    salt: Callable[[], str],
    allowed_groups: list[str] | None = None,
) -> Changes:
    """Validate the fields of one create/update request; raises ScriptrError, changes nothing."""
    changes = Changes()
    if creating:
        for name in ("name", "password"):
            if _clears(params.get(name)):
                raise missing(name)
    for name in ("name", "password"):
        if name in params:
            value = params[name]
            if _clears(value):
                raise invalid_field(name, "it cannot be empty")
            text = _text(value, name)
            changes.values[name] = hash_password(text, salt()) if name == "password" else text
    if "description" in params:
        value = params["description"]
        changes.values["description"] = None if _clears(value) else _text(value, "description")
    if "isSuspended" in params:
        changes.values["status"] = _suspended(params["isSuspended"])
    if "groups" in params:
        changes.groups = _groups(params["groups"], allowed_groups)
    if "meta.types" in params:
        changes.types = _types(params["meta.types"])
    if "globalDateFormat" in params and not isinstance(params["globalDateFormat"], str | type(None)):
        raise invalid_parameter("globalDateFormat", "expected a date format string")
    for name, value in params.items():
        if name in NOT_FIELDS or name in CORE:
            continue
        if not isinstance(name, str) or not FIELD_NAME.fullmatch(name) or name.startswith(RESERVED_PREFIXES):
            raise invalid_parameter(name, "not a valid field name")
        changes.custom[name] = None if _clears(value) else _custom_value(name, value)
    return changes


def merge(doc: dict[str, Any], changes: Changes) -> dict[str, Any]:
    """A new doc with ``changes`` applied; checks custom values against their declared types."""
    new = {**doc, "groups": list(doc["groups"]), "custom": dict(doc["custom"]), "types": dict(doc["types"])}
    new.update(changes.values)
    if changes.groups is not None:
        if changes.groups[0] == "set":
            new["groups"] = list(changes.groups[1])
        else:
            _, append, delete = changes.groups
            kept = [g for g in new["groups"] if g not in delete]
            new["groups"] = kept + [g for g in append if g not in kept]
    for name, kind in changes.types.items():
        if kind is None:
            new["types"].pop(name, None)
        else:
            new["types"][name] = kind
    for name, value in changes.custom.items():
        if value is None:
            new["custom"].pop(name, None)
        else:
            new["custom"][name] = value
    for name, kind in new["types"].items():
        value = new["custom"].get(name, new.get(name) if name in ("name", "description") else None)
        if value is not None:
            check_type(name, kind, value)
    return new


def check_type(name: str, kind: str, value: Any) -> None:
    for item in value if isinstance(value, list) else [value]:
        if not _fits(kind, item):
            raise invalid_field(name, f"[{item}] is not a valid {kind} value")


def _fits(kind: str, value: Any) -> bool:
    if kind in ("string", "text"):
        return True
    if kind == "numeric":
        if isinstance(value, bool):
            return False
        if isinstance(value, _NUMBERS):
            return True
        try:
            float(str(value))
        except ValueError:
            return False
        return True
    if kind == "boolean":
        return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))
    if kind == "date":
        if isinstance(value, int) and not isinstance(value, bool):
            return True
        if not isinstance(value, str):
            return False
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    if kind == "geospatial":
        parts = str(value).split(",")
        try:
            lat, lon = (float(p) for p in parts)
        except ValueError:
            return False
        return -90 <= lat <= 90 and -180 <= lon <= 180
    return False
