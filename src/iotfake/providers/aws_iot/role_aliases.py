"""Role aliases: Create/Describe/List/Update/Delete, on the catalog's ``role alias`` kind.

A role alias names the IAM role the credentials provider hands a device (by its certificate) for
``credentialDurationSeconds`` (900-43200, default 3600 as AWS documents). The fake checks that
``roleArn`` is an IAM role ARN; it has no IAM to check that the role exists.
"""

from __future__ import annotations

import re
from typing import Any

from ...registry.records import Records
from . import arns, paging
from .context import Context
from .wire import AwsError, invalid

KIND = "role alias"
DEFAULT_DURATION = 3600
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+")


def arn(ctx: Context, name: str) -> str:
    return arns.arn(ctx.tenant.id, f"rolealias/{name}")


def _role_arn(value: str) -> str:
    if not ROLE_ARN.fullmatch(value):
        raise invalid(f"{value} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
    return value


def create(ctx: Context) -> dict[str, Any]:
    name = ctx.input["roleAlias"]
    record = {
        "roleAlias": name,
        "roleArn": _role_arn(ctx.input["roleArn"]),
        "credentialDurationSeconds": ctx.input.get("credentialDurationSeconds", DEFAULT_DURATION),
        "owner": ctx.tenant.settings.get("accountId", arns.split_tenant(ctx.tenant.id)[0]),
        "created": ctx.now_ms,
        "updated": ctx.now_ms,
        "tags": ctx.input.get("tags") or [],
    }
    records = Records(ctx.tenant, KIND)
    with ctx.tenant.lock:
        if records.find(name) is not None:
            raise AwsError(
                "ResourceAlreadyExistsException",
                f"Role alias {name} already exists",
                resourceId=name,
                resourceArn=arn(ctx, name),
            )
        records.create(name, record)
    return {"roleAlias": name, "roleAliasArn": arn(ctx, name)}


def describe(ctx: Context) -> dict[str, Any]:
    record = Records(ctx.tenant, KIND).get(ctx.input["roleAlias"])
    return {
        "roleAliasDescription": {
            "roleAlias": record["roleAlias"],
            "roleAliasArn": arn(ctx, record["roleAlias"]),
            "roleArn": record["roleArn"],
            "owner": record["owner"],
            "credentialDurationSeconds": record["credentialDurationSeconds"],
            "creationDate": record["created"] / 1000,
            "lastModifiedDate": record["updated"] / 1000,
        }
    }


def listing(ctx: Context) -> dict[str, Any]:
    chunk, marker = paging.page(
        list(Records(ctx.tenant, KIND).table),
        key=lambda n: [n],
        token=ctx.input.get("marker"),
        size=ctx.input.get("pageSize", paging.DEFAULT_MARKER_PAGE),
        field="marker",
        descending=not ctx.input.get("ascendingOrder", True),
    )
    return {"roleAliases": chunk, "nextMarker": marker}


def update(ctx: Context) -> dict[str, Any]:
    name = ctx.input["roleAlias"]
    records = Records(ctx.tenant, KIND)
    with ctx.tenant.lock:
        current = records.get(name)
        changes: dict[str, Any] = {"updated": ctx.now_ms}
        if "roleArn" in ctx.input:
            changes["roleArn"] = _role_arn(ctx.input["roleArn"])
        if "credentialDurationSeconds" in ctx.input:
            changes["credentialDurationSeconds"] = ctx.input["credentialDurationSeconds"]
        records.replace(name, {**current, **changes})
    return {"roleAlias": name, "roleAliasArn": arn(ctx, name)}


def delete(ctx: Context) -> dict[str, Any]:
    Records(ctx.tenant, KIND).delete(ctx.input["roleAlias"])
    return {}
