"""Static thing groups, enough for provisioning templates and fleet tests.

CreateThingGroup (with a parent), DescribeThingGroup, ListThingGroups, DeleteThingGroup,
AddThingToThingGroup / RemoveThingFromThingGroup, ListThingsInThingGroup (``recursive``),
ListThingGroupsForThing, UpdateThingGroup, UpdateThingGroupsForThing. Records and membership
rules live in ``registry/groups.py``; dynamic groups' members come from ``dynamic_groups``.

ListThingGroups with ``parentGroup`` lists every descendant of the group unless ``recursive`` is
false (then its children only): the API reference gives the parameter no default, and AWS answers
grandchildren for ``parentGroup`` alone (see the boto3 output quoted in getmoto/moto#2961).
UpdateThingGroup's properties follow ``group_properties`` (the description kept unless given
[I], attributes replaced or merged as UpdateThing does, at most 50); the version moves on by one
and ``expectedVersion`` is checked. CreateThingGroup of a name that a dynamic group holds is
ResourceAlreadyExists whatever it asks (the idempotent answer is for the same static group only)
[I].
UpdateThingGroupsForThing applies its add and remove lists all or nothing; a dynamic group in
them is refused, so ``overrideDynamicGroups`` has nothing to override [I].
"""

from __future__ import annotations

from typing import Any

from ...registry import Tenant
from ...registry.groups import Groups
from ...registry.records import Records
from ...registry.relations import sorted_rights
from ...registry.selections import selection
from . import arns, group_properties, paging
from .context import Context
from .dynamic_groups import groups_of as dynamic_groups_of
from .dynamic_groups import is_dynamic, members, refuse_manual
from .wire import AwsError, invalid


def name_and_arn(tenant: Tenant, name: str) -> dict[str, str]:
    return {"groupName": name, "groupArn": arns.thing_group(tenant.id, name)}


def create(ctx: Context) -> dict[str, Any]:
    tenant, name = ctx.tenant, ctx.input["thingGroupName"]
    properties = group_properties.checked(dict(ctx.input.get("thingGroupProperties") or {}))
    parent = ctx.input.get("parentGroupName")
    groups = ctx.groups
    with tenant.lock:
        existing = groups.find(name)
        if existing is not None:
            # a dynamic group of the name is another group, never "the same" static one
            if is_dynamic(existing):
                difference = "as a dynamic thing group"
            elif existing.get("parent") == parent and existing.get("properties", {}) == properties:
                difference = ""
            else:
                difference = "with different properties or parent"
            if not difference:
                record = existing
            else:
                raise AwsError(
                    "ResourceAlreadyExistsException",
                    f"Thing group {name} already exists {difference}",
                    resourceId=existing["id"],
                    resourceArn=arns.thing_group(tenant.id, name),
                )
        else:
            if parent is not None and groups.find(parent) is None:
                raise AwsError("ResourceNotFoundException", f"Parent thing group {parent} cannot be found.")
            if is_dynamic(groups.find(parent)):
                raise invalid(f"Thing group {parent} is a dynamic thing group and cannot be a parent")
            record = groups.add(
                {
                    "name": name,
                    "id": ctx.ids.uuid(),
                    "parent": parent,
                    "created": ctx.now_ms,
                    "version": 1,
                    "properties": properties,
                    "tags": ctx.input.get("tags") or [],
                }
            )
    return {
        "thingGroupName": name,
        "thingGroupArn": arns.thing_group(tenant.id, name),
        "thingGroupId": record["id"],
    }


def describe(ctx: Context) -> dict[str, Any]:
    tenant, groups = ctx.tenant, ctx.groups
    record = groups.get(ctx.input["thingGroupName"])
    metadata: dict[str, Any] = {
        "rootToParentThingGroups": [name_and_arn(tenant, n) for n in groups.ancestors(record["name"])],
        "creationDate": record["created"] / 1000,
    }
    if record.get("parent") is not None:
        metadata["parentGroupName"] = record["parent"]
    dynamic = {**record["dynamic"], "status": "ACTIVE"} if is_dynamic(record) else {}
    return {
        "thingGroupName": record["name"],
        "thingGroupId": record["id"],
        "thingGroupArn": arns.thing_group(tenant.id, record["name"]),
        "version": record["version"],
        "thingGroupProperties": record.get("properties") or {},
        "thingGroupMetadata": metadata,
        **dynamic,
    }


def listing(ctx: Context) -> dict[str, Any]:
    groups, args = ctx.groups, ctx.input
    parent, recursive = args.get("parentGroup"), args.get("recursive")
    if parent is not None:
        groups.get(parent)
        names = groups.children(parent) if recursive is False else groups.descendants(parent)
    elif recursive is False:
        names = [n for n, r in groups.table().items() if r.get("parent") is None]
    else:
        names = list(groups.table())
    prefix = args.get("namePrefixFilter")
    if prefix is not None:
        names = [n for n in names if n.startswith(prefix)]
    chunk, token = paging.names(
        names,
        args.get("nextToken"),
        args.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {"thingGroups": [name_and_arn(ctx.tenant, n) for n in chunk], "nextToken": token}


def delete(ctx: Context) -> dict[str, Any]:
    name = ctx.input["thingGroupName"]
    ctx.groups.remove(
        name,
        expected_version=ctx.input.get("expectedVersion"),
        target=arns.thing_group(ctx.tenant.id, name),
    )
    return {}


def _targets(ctx: Context) -> tuple[str, str]:
    """(group name, thing name) from names or ARNs; both must exist."""
    tenant, args = ctx.tenant, ctx.input
    group = args.get("thingGroupName")
    if group is None and args.get("thingGroupArn") is not None:
        group = arns.resource_of(tenant.id, args["thingGroupArn"], "thinggroup")
        if group is None:
            raise invalid(
                f"thingGroupArn {args['thingGroupArn']} is not a thing group ARN of this account and region"
            )
    thing = args.get("thingName")
    if thing is None and args.get("thingArn") is not None:
        thing = arns.resource_of(tenant.id, args["thingArn"], "thing")
        if thing is None:
            raise invalid(f"thingArn {args['thingArn']} is not a thing ARN of this account and region")
    if group is None:
        raise invalid("Either thingGroupName or thingGroupArn is required")
    if thing is None:
        raise invalid("Either thingName or thingArn is required")
    ctx.groups.get(group)
    tenant.device(key=thing)
    return group, thing


def add_thing(ctx: Context) -> dict[str, Any]:
    with ctx.tenant.lock:
        group, thing = _targets(ctx)
        refuse_manual(ctx, group)
        ctx.groups.add_member(group, thing)
    return {}


def remove_thing(ctx: Context) -> dict[str, Any]:
    with ctx.tenant.lock:
        group, thing = _targets(ctx)
        refuse_manual(ctx, group)
        ctx.groups.remove_member(group, thing)
    return {}


def things_in(ctx: Context) -> dict[str, Any]:
    groups, name = ctx.groups, ctx.input["thingGroupName"]
    record = groups.get(name)
    recursive = bool(ctx.input.get("recursive"))
    if recursive or is_dynamic(record):
        # a union of groups, or a query's matches: kept until the registry changes, so the pages
        # after the first read only themselves (each page read every member, or searched the fleet)
        things = selection(
            ctx.tenant, ("ListThingsInThingGroup", name, recursive), lambda: _members(ctx, name, recursive)
        )
    else:
        things = sorted_rights(groups.members, name)  # kept sorted while the group is unchanged
    # ``str``: each name is its own record (a name is never empty, so never "filtered out")
    chunk, token = paging.by_key(
        things, str, ctx.input.get("nextToken"), ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE)
    )
    return {"things": chunk, "nextToken": token}


def _members(ctx: Context, name: str, recursive: bool) -> list[str]:
    """The things in the group (and, ``recursive``, in the groups below it), in name order."""
    if not recursive:
        return members(ctx, name)  # a dynamic group's: the query's matches, in name order
    names = [name, *ctx.groups.descendants(name)]
    return sorted({thing for group in names for thing in members(ctx, group)})


def groups_for_thing(ctx: Context) -> dict[str, Any]:
    name = ctx.input["thingName"]
    ctx.tenant.device(key=name)
    chunk, token = paging.names(
        [*Groups(ctx.tenant).groups_of(name), *dynamic_groups_of(ctx, name)],
        ctx.input.get("nextToken"),
        ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {"thingGroups": [name_and_arn(ctx.tenant, n) for n in chunk], "nextToken": token}


def update(ctx: Context) -> dict[str, Any]:
    name, given = ctx.input["thingGroupName"], ctx.input.get("thingGroupProperties") or {}
    with ctx.tenant.lock:
        record = ctx.groups.get(name)
        properties = group_properties.updated(record.get("properties") or {}, given)
        updated = Records(ctx.tenant, "thing group").update(
            name,
            {"properties": properties},
            expected_version=ctx.input.get("expectedVersion"),
            now=ctx.now_ms,
        )
    return {"version": updated["version"]}


def _group_names(ctx: Context, names: list[str]) -> list[str]:
    for group in names:
        ctx.groups.get(group)
        refuse_manual(ctx, group)
    return names


def update_for_thing(ctx: Context) -> dict[str, Any]:
    tenant, args = ctx.tenant, ctx.input
    name = args.get("thingName")
    if name is None:
        raise invalid("thingName is required")
    with tenant.changes.transaction(tenant.lock):
        thing = tenant.device(key=name).key
        for group in _group_names(ctx, args.get("thingGroupsToRemove") or []):
            ctx.groups.remove_member(group, thing)
        for group in _group_names(ctx, args.get("thingGroupsToAdd") or []):
            ctx.groups.add_member(group, thing)
    return {}
