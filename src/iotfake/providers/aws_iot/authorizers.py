"""Custom authorizers: Create/Describe/List/Update/DeleteAuthorizer, Set/DescribeDefaultAuthorizer,
over the catalog's ``authorizer`` kind. The fake stores them; it calls no Lambda function.

AWS's rules kept: an authorizer is ACTIVE unless created INACTIVE; with signing enabled (the
default) it needs ``tokenKeyName`` and ``tokenSigningPublicKeys`` (InvalidRequestException);
an ACTIVE authorizer cannot be deleted (DeleteConflictException), nor one a domain configuration
names (the catalog's RESTRICT reference); DescribeDefaultAuthorizer without a default is
ResourceNotFoundException.

Choices where AWS documents nothing ([I] in the README): SetDefaultAuthorizer of the authorizer
that is already the default answers ResourceAlreadyExistsException (the model lists it), of
another one moves the default; deleting the default authorizer clears the default;
ListAuthorizers lists newest first unless ``ascendingOrder``.
"""

from __future__ import annotations

from typing import Any

from ...registry.records import Records
from . import arns, paging
from .context import Context
from .wire import AwsError, invalid

KIND = "authorizer"


def arn(ctx: Context, name: str) -> str:
    return arns.arn(ctx.tenant.id, f"authorizer/{name}")


def records(ctx: Context) -> Records:
    return Records(ctx.tenant, KIND)


def _check_signing(record: dict[str, Any]) -> None:
    if not record["signingDisabled"] and (not record.get("tokenKeyName") or not record.get("publicKeys")):
        raise invalid("tokenKeyName and tokenSigningPublicKeys are required when signing is enabled")


def create(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    name = args["authorizerName"]
    table = records(ctx)
    if name in table:
        raise AwsError("ResourceAlreadyExistsException", f"Authorizer {name} already exists", resourceId=name)
    record = {
        "name": name,
        "functionArn": args["authorizerFunctionArn"],
        "status": args.get("status", "ACTIVE"),
        "default": False,
        "tokenKeyName": args.get("tokenKeyName"),
        "publicKeys": dict(args.get("tokenSigningPublicKeys") or {}),
        "signingDisabled": bool(args.get("signingDisabled", False)),
        "cachingForHttp": bool(args.get("enableCachingForHttp", False)),
        "created": ctx.now_ms,
        "updated": ctx.now_ms,
        "tags": list(args.get("tags") or []),
    }
    _check_signing(record)
    table.create(name, record)
    return {"authorizerName": name, "authorizerArn": arn(ctx, name)}


def _description(ctx: Context, record: dict[str, Any]) -> dict[str, Any]:
    out = {
        "authorizerName": record["name"],
        "authorizerArn": arn(ctx, record["name"]),
        "authorizerFunctionArn": record["functionArn"],
        "tokenSigningPublicKeys": record.get("publicKeys", {}),
        "status": record["status"],
        "creationDate": record.get("created", 0) / 1000,
        "lastModifiedDate": record.get("updated", 0) / 1000,
        "signingDisabled": record.get("signingDisabled", False),
        "enableCachingForHttp": record.get("cachingForHttp", False),
    }
    if record.get("tokenKeyName"):
        out["tokenKeyName"] = record["tokenKeyName"]
    return out


def describe(ctx: Context) -> dict[str, Any]:
    return {"authorizerDescription": _description(ctx, records(ctx).get(ctx.input["authorizerName"]))}


def update(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    name = args["authorizerName"]
    table = records(ctx)
    current = table.get(name)
    changes: dict[str, Any] = {"updated": ctx.now_ms}
    for wire, field in (
        ("authorizerFunctionArn", "functionArn"),
        ("tokenKeyName", "tokenKeyName"),
        ("status", "status"),
        ("enableCachingForHttp", "cachingForHttp"),
    ):
        if args.get(wire) is not None:
            changes[field] = args[wire]
    if args.get("tokenSigningPublicKeys") is not None:
        changes["publicKeys"] = dict(args["tokenSigningPublicKeys"])
    record = {**current, **changes}
    _check_signing(record)
    table.replace(name, record)
    return {"authorizerName": name, "authorizerArn": arn(ctx, name)}


def delete(ctx: Context) -> dict[str, Any]:
    name = ctx.input["authorizerName"]
    table = records(ctx)
    if table.get(name)["status"] == "ACTIVE":
        raise AwsError(
            "DeleteConflictException",
            f"Authorizer {name} is ACTIVE: set its status to INACTIVE before deleting it",
        )
    table.delete(name)  # refused while a domain configuration names it (the catalog's rule)
    return {}


def listing(ctx: Context) -> dict[str, Any]:
    table = records(ctx).table
    status = ctx.input.get("status")
    names = [n for n, r in table.items() if status is None or r["status"] == status]
    chunk, marker = paging.by_marker(ctx.input, names, key=lambda n: [table[n].get("created", 0), n])
    return {
        "authorizers": [{"authorizerName": n, "authorizerArn": arn(ctx, n)} for n in chunk],
        "nextMarker": marker,
    }


def set_default(ctx: Context) -> dict[str, Any]:
    name = ctx.input["authorizerName"]
    table = records(ctx)
    record = table.get(name)
    if record.get("default"):
        raise AwsError(
            "ResourceAlreadyExistsException", f"Authorizer {name} is already the default", resourceId=name
        )
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        for other, current in table.items():
            if current.get("default"):
                table.replace(other, {**current, "default": False})
        table.replace(name, {**record, "default": True})
    return {"authorizerName": name, "authorizerArn": arn(ctx, name)}


def describe_default(ctx: Context) -> dict[str, Any]:
    for _, record in records(ctx).items():
        if record.get("default"):
            return {"authorizerDescription": _description(ctx, record)}
    raise AwsError("ResourceNotFoundException", "No default authorizer is set")
