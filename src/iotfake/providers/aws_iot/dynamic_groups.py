"""Dynamic thing groups: Create/Update/DeleteDynamicThingGroup, and their members wherever a
group's things are read (ListThingsInThingGroup, ListThingGroupsForThing, job targets).

A dynamic group is a thing group record with a ``dynamic`` part (``queryString``, ``indexName``,
``queryVersion``); its members are the things the query matches in the fleet index at the moment
they are read, so the fake's groups are never stale where AWS's fill in over seconds (its
``status`` goes BUILDING -> ACTIVE; the fake's is ACTIVE at once). The query language is fleet
indexing's, and the things index must be on (as on AWS).

Choices where AWS documents nothing ([I] in the README): creating one while the things index is
off is InvalidRequestException saying so; a thing cannot be added to or removed from a dynamic
group by hand (InvalidRequestException), nor can one be a parent; ``thingGroupNames`` in the
fleet index names static groups only; at most 100 dynamic groups per account and region
(LimitExceededException, AWS's documented quota); Update/DeleteDynamicThingGroup of a static
group is InvalidRequestException; UpdateDynamicThingGroup's properties follow
``group_properties``, as UpdateThingGroup's do; DeleteDynamicThingGroup of a missing group
succeeds (the model lists no not-found error for it).
"""

from __future__ import annotations

from typing import Any

from ...registry.records import Records
from . import arns, group_properties
from .context import Context
from .indexing import configuration
from .indexing.query import Node, QueryError, parse
from .indexing.search import matching_things, thing_matches
from .wire import AwsError, invalid

KIND = "thing group"
QUERY_VERSION = "2017-09-30"
MAX_DYNAMIC = 100


def is_dynamic(record: dict[str, Any] | None) -> bool:
    return bool(record and record.get("dynamic"))


def _query(text: str) -> Node:
    try:
        return parse(text)
    except QueryError as exc:
        raise AwsError("InvalidQueryException", str(exc)) from None


def _definition(ctx: Context, current: dict[str, Any] | None = None) -> dict[str, Any]:
    index = ctx.input.get("indexName") or (current or {}).get("indexName") or configuration.THINGS
    if index != configuration.THINGS:
        raise invalid(f"A dynamic thing group queries the {configuration.THINGS} index, not {index}")
    if not configuration.things_on(configuration.current(ctx.tenant)):
        raise invalid(
            "Fleet indexing of things is off: turn it on (UpdateIndexingConfiguration) before using "
            "dynamic thing groups"
        )
    query = ctx.input.get("queryString") or (current or {}).get("queryString")
    if not query:
        raise invalid("A dynamic thing group needs a queryString")
    _query(query)
    version = ctx.input.get("queryVersion") or (current or {}).get("queryVersion") or QUERY_VERSION
    return {"indexName": index, "queryString": query, "queryVersion": version}


def create(ctx: Context) -> dict[str, Any]:
    name = ctx.input["thingGroupName"]
    definition = _definition(ctx)
    with ctx.tenant.lock:
        if ctx.groups.find(name) is not None:
            raise AwsError(
                "ResourceAlreadyExistsException",
                f"Thing group {name} already exists",
                resourceId=ctx.groups.get(name)["id"],
                resourceArn=arns.thing_group(ctx.tenant.id, name),
            )
        if sum(1 for r in ctx.groups.table().values() if is_dynamic(r)) >= MAX_DYNAMIC:
            raise AwsError(
                "LimitExceededException", f"An account can have {MAX_DYNAMIC} dynamic thing groups"
            )
        record = ctx.groups.add(
            {
                "name": name,
                "id": ctx.ids.uuid(),
                "parent": None,
                "created": ctx.now_ms,
                "version": 1,
                "properties": group_properties.checked(dict(ctx.input.get("thingGroupProperties") or {})),
                "tags": ctx.input.get("tags") or [],
                "dynamic": definition,
            }
        )
    return {
        "thingGroupName": name,
        "thingGroupArn": arns.thing_group(ctx.tenant.id, name),
        "thingGroupId": record["id"],
        **definition,
    }


def _dynamic(ctx: Context, name: str) -> dict[str, Any]:
    record = ctx.groups.get(name)
    if not is_dynamic(record):
        raise invalid(f"Thing group {name} is a static thing group, not a dynamic one")
    return record


def update(ctx: Context) -> dict[str, Any]:
    name = ctx.input["thingGroupName"]
    with ctx.tenant.lock:
        record = _dynamic(ctx, name)
        definition = _definition(ctx, record["dynamic"])
        properties = group_properties.updated(
            record.get("properties") or {}, ctx.input.get("thingGroupProperties") or {}
        )
        updated = Records(ctx.tenant, KIND).update(
            name,
            {"dynamic": definition, "properties": properties},
            expected_version=ctx.input.get("expectedVersion"),
            now=ctx.now_ms,
        )
    return {"version": updated["version"]}


def delete(ctx: Context) -> dict[str, Any]:
    name = ctx.input["thingGroupName"]
    with ctx.tenant.lock:
        if ctx.groups.find(name) is None:
            return {}
        _dynamic(ctx, name)
        ctx.groups.remove(
            name,
            expected_version=ctx.input.get("expectedVersion"),
            target=arns.thing_group(ctx.tenant.id, name),
        )
    return {}


# -- membership ------------------------------------------------------------------------------------
def members(ctx: Context, name: str) -> list[str]:
    """The things in a group: its query's matches for a dynamic group, else its static members."""
    record = ctx.groups.get(name)
    if is_dynamic(record):
        return matching_things(ctx, _query(record["dynamic"]["queryString"]))
    return list(ctx.groups.things_in(name))


def groups_of(ctx: Context, thing: str) -> list[str]:
    """The dynamic groups whose query matches the thing."""
    return [
        name
        for name, record in list(ctx.groups.table().items())
        if is_dynamic(record) and thing_matches(ctx, thing, _query(record["dynamic"]["queryString"]))
    ]


def refuse_manual(ctx: Context, name: str) -> None:
    """Members of a dynamic group are what its query matches: refuse adding or removing by hand."""
    if is_dynamic(ctx.groups.find(name)):
        raise invalid(
            f"Thing group {name} is a dynamic thing group: its members are the things its query matches, "
            "they cannot be added or removed"
        )
