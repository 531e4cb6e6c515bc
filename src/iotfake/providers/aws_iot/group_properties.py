"""A thing group's ``thingGroupProperties``: what an update makes of them and how many attributes
they may hold, one rule for static and dynamic groups alike.

The developer guide's thing group limits: at most ``MAX_ATTRIBUTES`` attributes (not adjustable;
name and value lengths are the model's). Past it, CreateThingGroup, UpdateThingGroup,
CreateDynamicThingGroup and UpdateDynamicThingGroup answer InvalidRequestException (none of them
declares LimitExceededException for it) and change nothing. An update replaces the description
when one is given and keeps it otherwise; ``attributePayload`` replaces the attributes, or with
``merge: true`` merges them, an empty value removing one either way, as UpdateThing does.
"""

from __future__ import annotations

from typing import Any

from .wire import invalid

MAX_ATTRIBUTES = 50


def checked(properties: dict[str, Any]) -> dict[str, Any]:
    """``properties``, refused past ``MAX_ATTRIBUTES`` attributes."""
    attributes = (properties.get("attributePayload") or {}).get("attributes") or {}
    if len(attributes) > MAX_ATTRIBUTES:
        raise invalid(
            f"A thing group can have at most {MAX_ATTRIBUTES} attributes; these properties give it "
            f"{len(attributes)}"
        )
    return properties


def updated(current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The properties after an update that gives ``given``, checked."""
    properties = dict(current)
    if given.get("thingGroupDescription") is not None:  # a JSON null is an absent member
        properties["thingGroupDescription"] = given["thingGroupDescription"]
    if given.get("attributePayload") is not None:
        attributes = (properties.get("attributePayload") or {}).get("attributes") or {}
        properties["attributePayload"] = {"attributes": _attributes(attributes, given["attributePayload"])}
    return checked(properties)


def _attributes(current: dict[str, Any], payload: dict[str, Any]) -> dict[str, str]:
    given = payload.get("attributes") or {}
    merged = {**current, **given} if payload.get("merge") else dict(given)
    return {k: v for k, v in merged.items() if v != ""}
