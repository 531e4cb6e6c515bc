"""EnOS field rules: StringI18n, timezones, tags, deviceKey. Each failure names its field."""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...memo import keep
from .errors import EnosError, invalid

DEVICE_KEY = re.compile(r"[A-Za-z0-9_.:-]{4,64}")
TAG_KEY = re.compile(r"[A-Za-z0-9_/-]{1,50}")
OFFSET = re.compile(r"[+-](0\d|1[0-4]):[0-5]\d")
MAX_TAGS = 100
MAX_TAG_VALUE = 200


def require(body: dict[str, Any], field: str) -> Any:
    value = body.get(field)
    if value is None:
        raise invalid(field, f"{field} is missing")
    return value


def string(value: Any, field: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise invalid(field, f"{field} must be a string")
    if not allow_empty and not value.strip():
        raise invalid(field, f"{field} must not be empty")
    return value


def string_i18n(value: Any, field: str) -> dict[str, Any]:
    """``{"defaultValue": str, "i18nValue": {locale: str}}``; returns a normalised copy."""
    if not isinstance(value, dict):
        raise invalid(field, f"{field} must be a StringI18n object")
    default = value.get("defaultValue")
    if default is not None and not isinstance(default, str):
        raise invalid(f"{field}.defaultValue", f"{field}.defaultValue must be a string")
    if default is None or not default.strip():
        raise invalid(f"{field}.defaultValue", f"{field}.defaultValue is missing")
    i18n = value.get("i18nValue")
    i18n = {} if i18n is None else i18n
    if not isinstance(i18n, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in i18n.items()
    ):
        raise invalid(f"{field}.i18nValue", f"{field}.i18nValue must map locales to strings")
    return {"defaultValue": default, "i18nValue": dict(i18n)}


def timezone(value: Any, field: str = "timezone") -> str:
    known = _TIMEZONES.get(value) if type(value) is str else None
    if known is not None:  # a client sends the same zone on every call
        return known
    if value is not None and not isinstance(value, str):  # sent, but not as text: not "missing"
        raise invalid(field, f"{field} must be a string")
    if not value:
        raise invalid(field, f"{field} is missing")
    if OFFSET.fullmatch(value) or _is_zone(value):
        value = sys.intern(value)  # few distinct values, stored on every device: share them
        return keep(_TIMEZONES, value, value, 1024)
    raise invalid(field, f"{value!r} is not a UTC offset like +08:00 or an IANA time zone name")


#: zones and offsets ``timezone`` accepted, as the one string devices share
_TIMEZONES: dict[str, str] = {}


@lru_cache(maxsize=1024)
def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def device_key(value: Any, field: str = "deviceKey") -> str:
    if not isinstance(value, str) or not DEVICE_KEY.fullmatch(value):
        raise invalid(field, f"{field} must be 4-64 characters of letters, digits and _ . : -")
    return value


def tags(value: Any, field: str) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(field, f"{field} must be an object")
    if len(value) > MAX_TAGS:
        raise invalid(field, f"{field} holds more than {MAX_TAGS} tags")
    for key, tag in value.items():
        if not TAG_KEY.fullmatch(key):
            raise invalid(f"{field}.{key}", "tag keys are 1-50 letters, digits, _ / -")
        if not isinstance(tag, str) or len(tag) > MAX_TAG_VALUE or tag != tag.strip():
            raise invalid(
                f"{field}.{key}",
                f"tag values are strings of at most {MAX_TAG_VALUE} characters without edge spaces",
            )
    return dict(value) or None


def attributes(value: Any, field: str = "deviceAttributes") -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(field, f"{field} must be an object")
    return dict(value) or None


def body_object(body: Any, error: str | None) -> dict[str, Any]:
    if error is not None:
        raise EnosError(99400, f"Invalid Argument body:{error}")
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise invalid("body", "the body must be a JSON object")
    return body
