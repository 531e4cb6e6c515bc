"""Role aliases: Create/Describe/List/Update/DeleteRoleAlias over the catalog's ``role alias`` kind.

The model checks the alias pattern, the role ARN's length and ``credentialDurationSeconds``
(900-43200); the default duration is 3,600 seconds (the API reference). AWS cannot check here
that the duration fits the IAM role's maximum session, so the fake does not either.

Choices where AWS documents nothing ([I] in the README): ``roleArn`` must look like an IAM role
ARN (``arn:<partition>:iam::<account>:role/<name>``), else InvalidRequestException; creating an
alias that exists answers ResourceAlreadyExistsException whatever its role; ListRoleAliases lists
newest first unless ``ascendingOrder`` is true, as ListCertificates does.
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
ROLE_ARN = re.compile(r"arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}")


def arn(ctx: Context, name: str) -> str:
    return arns.arn(ctx.tenant.id, f"rolealias/{name}")


def records(ctx: Context) -> Records:
    return Records(ctx.tenant, KIND)


def _role_arn(value: str) -> str:
    if not ROLE_ARN.fullmatch(value):
        raise invalid(f"The roleArn {value} is not a valid IAM role ARN")
    return value


def create(ctx: Context) -> dict[str, Any]:
    name = ctx.input["roleAlias"]
    role = _role_arn(ctx.input["roleArn"])
    table = records(ctx)
    if name in table:
        raise AwsError("ResourceAlreadyExistsException", f"Role alias {name} already exists", resourceId=name)
    table.create(
        name,
        {
            "name": name,
            "roleArn": role,
            "duration": ctx.input.get("credentialDurationSeconds", DEFAULT_DURATION),
            "created": ctx.now_ms,
            "updated": ctx.now_ms,
            "tags": list(ctx.input.get("tags") or []),
        },
    )
    return {"roleAlias": name, "roleAliasArn": arn(ctx, name)}


def describe(ctx: Context) -> dict[str, Any]:
    name = ctx.input["roleAlias"]
    record = records(ctx).get(name)
    return {
        "roleAliasDescription": {
            "roleAlias": name,
            "roleAliasArn": arn(ctx, name),
            "roleArn": record["roleArn"],
            "owner": arns.split_tenant(ctx.tenant.id)[0],
            "credentialDurationSeconds": record["duration"],
            "creationDate": record.get("created", 0) / 1000,
            "lastModifiedDate": record.get("updated", record.get("created", 0)) / 1000,
        }
    }


def update(ctx: Context) -> dict[str, Any]:
    name = ctx.input["roleAlias"]
    table = records(ctx)
    current = table.get(name)
    changes: dict[str, Any] = {"updated": ctx.now_ms}
    if ctx.input.get("roleArn") is not None:
        changes["roleArn"] = _role_arn(ctx.input["roleArn"])
    if ctx.input.get("credentialDurationSeconds") is not None:
        changes["duration"] = ctx.input["credentialDurationSeconds"]
    table.replace(name, {**current, **changes})
    return {"roleAlias": name, "roleAliasArn": arn(ctx, name)}


def delete(ctx: Context) -> dict[str, Any]:
    records(ctx).delete(ctx.input["roleAlias"])
    return {}


def listing(ctx: Context) -> dict[str, Any]:
    table = records(ctx).table
    chunk, marker = paging.by_marker(ctx.input, list(table), key=lambda n: [table[n].get("created", 0), n])
    return {"roleAliases": chunk, "nextMarker": marker}
