"""Billing groups: Create/Describe/Update/Delete/List, Add/RemoveThingToBillingGroup,
ListThingsInBillingGroup - the first kind built on the registry's catalog.

The records are the catalog's ``billing group`` kind and membership its ``billingGroupMembers``
link (a thing is in at most one billing group), so deleting a group or a thing drops the
membership by the catalog's rules and a snapshot checks both sides.

Choices where AWS documents nothing ([I] in the README): adding a thing that is in another
billing group moves it (DescribeThing shows one ``billingGroupName``); CreateBillingGroup with
the name and properties of an existing group answers that group, as CreateThingGroup does, and
with other properties ``ResourceAlreadyExistsException``; DeleteBillingGroup of a group that is not
there succeeds (the model lists no ResourceNotFoundException for it).
"""

from __future__ import annotations

from typing import Any

from ...registry import Tenant
from ...registry.errors import VersionConflict
from ...registry.kinds import BILLING_MEMBERS
from ...registry.records import Records, join, leave, partners
from ...registry.relations import Relation, sorted_rights
from ...registry.versions import check_version
from . import arns, paging
from .context import Context
from .wire import AwsError, invalid

KIND = "billing group"


def arn(tenant: Tenant, name: str) -> str:
    return arns.arn(tenant.id, f"billinggroup/{name}")


def records(ctx: Context) -> Records:
    return Records(ctx.tenant, KIND)


def group_of(tenant: Tenant, thing: str) -> str | None:
    """The billing group a thing is in, if any."""
    found = partners(tenant, BILLING_MEMBERS, thing, side="right")
    return found[0] if found else None


def create(ctx: Context) -> dict[str, Any]:
    name = ctx.input["billingGroupName"]
    properties = dict(ctx.input.get("billingGroupProperties") or {})
    table = records(ctx)
    with ctx.tenant.lock:
        existing = table.find(name)
        if existing is None:
            existing = table.create(
                name,
                {
                    "name": name,
                    "id": ctx.ids.uuid_for(KIND),
                    "version": 1,
                    "properties": properties,
                    "created": ctx.now_ms,
                    "tags": ctx.input.get("tags") or [],
                },
            )
        elif existing.get("properties", {}) != properties:
            raise AwsError(
                "ResourceAlreadyExistsException",
                f"Billing group {name} already exists with different properties",
                resourceId=existing["id"],
                resourceArn=arn(ctx.tenant, name),
            )
    return {
        "billingGroupName": name,
        "billingGroupArn": arn(ctx.tenant, name),
        "billingGroupId": existing["id"],
    }


def describe(ctx: Context) -> dict[str, Any]:
    name = ctx.input["billingGroupName"]
    record = records(ctx).get(name)
    return {
        "billingGroupName": name,
        "billingGroupId": record["id"],
        "billingGroupArn": arn(ctx.tenant, name),
        "version": record["version"],
        "billingGroupProperties": record.get("properties", {}),
        "billingGroupMetadata": {"creationDate": record.get("created", 0) / 1000},
    }


def update(ctx: Context) -> dict[str, Any]:
    name = ctx.input["billingGroupName"]
    table = records(ctx)
    with ctx.tenant.lock:
        current = table.get(name)
        _check_version(name, current, ctx.input.get("expectedVersion"))
        record = table.update(name, {"properties": dict(ctx.input["billingGroupProperties"])})
    return {"version": record["version"]}


def delete(ctx: Context) -> dict[str, Any]:
    name = ctx.input["billingGroupName"]
    table = records(ctx)
    with ctx.tenant.lock:
        current = table.find(name)
        if current is None:
            return {}
        _check_version(name, current, ctx.input.get("expectedVersion"))
        table.delete(name)  # its things leave it (the catalog's rule for the link)
    return {}


def listing(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    prefix = args.get("namePrefixFilter") or ""
    names = [n for n in records(ctx).table if n.startswith(prefix)]
    chunk, token = paging.names(
        names,
        args.get("nextToken"),
        args.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {
        "billingGroups": [{"groupName": n, "groupArn": arn(ctx.tenant, n)} for n in chunk],
        "nextToken": token,
    }


def add_thing(ctx: Context) -> dict[str, Any]:
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        group, thing = _targets(ctx)
        current = group_of(ctx.tenant, thing)
        if current == group:
            return {}
        if current is not None:
            leave(ctx.tenant, BILLING_MEMBERS, current, thing)
        join(ctx.tenant, BILLING_MEMBERS, group, thing)
    return {}


def remove_thing(ctx: Context) -> dict[str, Any]:
    with ctx.tenant.lock:
        group, thing = _targets(ctx)
        leave(ctx.tenant, BILLING_MEMBERS, group, thing)
    return {}


def things_in(ctx: Context) -> dict[str, Any]:
    name = ctx.input["billingGroupName"]
    records(ctx).get(name)
    members = sorted_rights(Relation(ctx.tenant, BILLING_MEMBERS), name)  # [] if never linked
    chunk, token = paging.by_key(
        members, str, ctx.input.get("nextToken"), ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE)
    )
    return {"things": chunk, "nextToken": token}


def _targets(ctx: Context) -> tuple[str, str]:
    """(group, thing) from names or ARNs; both must exist."""
    tenant, args = ctx.tenant, ctx.input
    group = args.get("billingGroupName")
    if group is None and args.get("billingGroupArn") is not None:
        group = arns.resource_of(tenant.id, args["billingGroupArn"], "billinggroup")
        if group is None:
            raise invalid(f"{args['billingGroupArn']} is not a billing group ARN of this account and region")
    thing = args.get("thingName")
    if thing is None and args.get("thingArn") is not None:
        thing = arns.resource_of(tenant.id, args["thingArn"], "thing")
        if thing is None:
            raise invalid(f"{args['thingArn']} is not a thing ARN of this account and region")
    if group is None or thing is None:
        raise invalid(
            "Name a billing group (billingGroupName or billingGroupArn) and a thing (thingName or thingArn)"
        )
    records(ctx).get(group)
    tenant.device(key=thing)
    return group, thing


def _check_version(name: str, record: dict[str, Any], expected: int | None) -> None:
    try:
        check_version(record["version"], expected)
    except VersionConflict as exc:
        raise AwsError(
            "VersionConflictException",
            f"The version for billing group {name} does not match the expected version.",
        ) from exc
