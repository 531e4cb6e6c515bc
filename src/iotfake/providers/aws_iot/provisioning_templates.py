"""Provisioning templates and their versions: Create/Describe/List/Update/DeleteProvisioningTemplate,
Create/Describe/List/DeleteProvisioningTemplateVersion.

A template is a record of the catalog's ``provisioning template`` kind; each version (the first
one too) is a ``provisioning template version`` record naming its template. The catalog holds the
rules: at most five versions per template (``Reference.limit``: VersionsLimitExceededException),
a template's versions go with it (CASCADE), the default version cannot be deleted (the template's
``default`` is a RESTRICT reference to it: DeleteConflictException), a template that a CA
certificate's registration config names cannot be deleted (DeleteConflictException). Bodies are
checked by the template engine (``templates.check``) when stored and evaluated when used
(``fleet_provisioning``). Version ids count up from 1 and are never reused.

Choices where AWS documents nothing ([I] in the README): ``enabled`` defaults to false and
``type`` to FLEET_PROVISIONING; a hook's ``payloadVersion`` defaults to ``2020-04-01`` and its
``targetArn`` must be a Lambda function ARN; ``preProvisioningHook`` with
``removePreProvisioningHook`` in one update is refused; UpdateProvisioningTemplate naming a
``defaultVersionId`` the template does not have answers ResourceNotFoundException;
DeleteProvisioningTemplate deletes the other versions with it (none need deleting first); templates list
in name order, versions in id order.
"""

from __future__ import annotations

import re
from typing import Any

from ...registry.errors import InUse, QuotaExceeded
from ...registry.kinds import MAX_TEMPLATE_VERSIONS
from ...registry.records import Records
from . import arns, paging, role_aliases, templates
from .context import Context
from .wire import AwsError, invalid

KIND = "provisioning template"
VERSION = "provisioning template version"
FLEET, JITP = "FLEET_PROVISIONING", "JITP"
#: the hook payload version AWS documents (pre-provisioning hooks)
HOOK_PAYLOAD_VERSION = "2020-04-01"
LAMBDA_ARN = re.compile(
    r"arn:aws(-cn|-us-gov)?:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[\w$-]+)?"
)


def arn(tenant_id: str, name: str) -> str:
    return arns.arn(tenant_id, f"provisioningtemplate/{name}")


def records(ctx: Context) -> Records:
    return Records(ctx.tenant, KIND)


def version_key(template: str, version_id: int) -> str:
    return f"{template}:{version_id}"


def versions_of(ctx: Context, template: str) -> list[dict[str, Any]]:
    """A template's versions, oldest first."""
    found = [v for v in Records(ctx.tenant, VERSION).table.values() if v["template"] == template]
    return sorted(found, key=lambda v: v["versionId"])


def default_body(ctx: Context, record: dict[str, Any]) -> str:
    return Records(ctx.tenant, VERSION).get(record["default"])["body"]


def check_body(body: str) -> None:
    """The template engine's checks of a stored body, as InvalidRequestException."""
    try:
        templates.check(body)
    except templates.TemplateError as exc:
        raise AwsError(exc.code, exc.message) from exc


def _role(value: str) -> str:
    if not role_aliases.ROLE_ARN.fullmatch(value):
        raise invalid(f"The provisioningRoleArn {value} is not a valid IAM role ARN")
    return value


def _hook(value: dict[str, Any] | None, kind: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if kind != FLEET:
        raise invalid(f"A preProvisioningHook is supported only for templates of type {FLEET}, not {kind}")
    target = value["targetArn"]
    if not LAMBDA_ARN.fullmatch(target):
        raise invalid(f"The preProvisioningHook targetArn {target} is not a Lambda function ARN")
    return {"targetArn": target, "payloadVersion": value.get("payloadVersion", HOOK_PAYLOAD_VERSION)}


def _new_version(ctx: Context, template: dict[str, Any], body: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Store the template's next version; returns (version, template with lastVersion moved on)."""
    number = template.get("lastVersion", 0) + 1
    version = {"template": template["name"], "versionId": number, "body": body, "created": ctx.now_ms}
    try:
        Records(ctx.tenant, VERSION).create(version_key(template["name"], number), version)
    except QuotaExceeded as exc:
        raise AwsError(
            "VersionsLimitExceededException",
            f"The provisioning template {template['name']} already has the maximum number of versions "
            f"({MAX_TEMPLATE_VERSIONS}); delete one before creating another",
        ) from exc
    return version, {**template, "lastVersion": number}


# -- templates -------------------------------------------------------------------------------------
def create(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    name, kind = args["templateName"], args.get("type") or FLEET
    check_body(args["templateBody"])
    role = _role(args["provisioningRoleArn"])
    hook = _hook(args.get("preProvisioningHook"), kind)
    table = records(ctx)
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        if name in table:
            raise AwsError(
                "ResourceAlreadyExistsException",
                f"Provisioning template {name} already exists",
                resourceId=name,
                resourceArn=arn(ctx.tenant.id, name),
            )
        template = {
            "name": name,
            "type": kind,
            "enabled": bool(args.get("enabled", False)),
            "roleArn": role,
            "description": args.get("description"),
            "hook": hook,
            "default": None,
            "lastVersion": 0,
            "created": ctx.now_ms,
            "updated": ctx.now_ms,
            "tags": list(args.get("tags") or []),
        }
        table.create(name, template)
        version, template = _new_version(ctx, template, args["templateBody"])
        table.replace(name, {**template, "default": version_key(name, version["versionId"])})
    return {"templateArn": arn(ctx.tenant.id, name), "templateName": name, "defaultVersionId": 1}


def describe(ctx: Context) -> dict[str, Any]:
    name = ctx.input["templateName"]
    record = records(ctx).get(name)
    out: dict[str, Any] = {
        **_summary(ctx, record),
        "defaultVersionId": _default_id(record),
        "templateBody": default_body(ctx, record),
        "provisioningRoleArn": record["roleArn"],
    }
    if record.get("hook") is not None:
        out["preProvisioningHook"] = record["hook"]
    return out


def _summary(ctx: Context, record: dict[str, Any]) -> dict[str, Any]:
    out = {
        "templateArn": arn(ctx.tenant.id, record["name"]),
        "templateName": record["name"],
        "creationDate": record["created"] / 1000,
        "lastModifiedDate": record["updated"] / 1000,
        "enabled": record["enabled"],
        "type": record["type"],
    }
    if record.get("description") is not None:
        out["description"] = record["description"]
    return out


def _default_id(record: dict[str, Any]) -> int:
    return int(record["default"].rsplit(":", 1)[1])


def listing(ctx: Context) -> dict[str, Any]:
    table = records(ctx).table
    chunk, token = paging.names(
        list(table),
        ctx.input.get("nextToken"),
        ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {"templates": [_summary(ctx, table[n]) for n in chunk], "nextToken": token}


def update(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    name = args["templateName"]
    table = records(ctx)
    with ctx.tenant.lock:
        record = table.get(name)
        changes: dict[str, Any] = {"updated": ctx.now_ms}
        if "description" in args:
            changes["description"] = args["description"]
        if "enabled" in args:
            changes["enabled"] = bool(args["enabled"])
        if "provisioningRoleArn" in args:
            changes["roleArn"] = _role(args["provisioningRoleArn"])
        if args.get("preProvisioningHook") is not None:
            if args.get("removePreProvisioningHook"):
                raise invalid("Give either preProvisioningHook or removePreProvisioningHook, not both")
            changes["hook"] = _hook(args["preProvisioningHook"], record["type"])
        elif args.get("removePreProvisioningHook"):
            changes["hook"] = None
        if "defaultVersionId" in args:
            key = version_key(name, args["defaultVersionId"])
            if key not in Records(ctx.tenant, VERSION):
                raise _no_version(name, args["defaultVersionId"])
            changes["default"] = key
        table.replace(name, {**record, **changes})
    return {}


def delete(ctx: Context) -> dict[str, Any]:
    name = ctx.input["templateName"]
    table = records(ctx)
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        record = table.get(name)
        # the default version is protected from its own delete; the template's goes with it
        table.replace(name, {**record, "default": None})
        table.delete(name)  # its versions and claims go too; a CA's registration config refuses
    return {}


# -- versions --------------------------------------------------------------------------------------
def create_version(ctx: Context) -> dict[str, Any]:
    name = ctx.input["templateName"]
    body = ctx.input["templateBody"]
    table = records(ctx)
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        template = table.get(name)
        check_body(body)
        version, template = _new_version(ctx, template, body)
        key = version_key(name, version["versionId"])
        default = bool(ctx.input.get("setAsDefault"))
        if default:
            template = {**template, "default": key, "updated": ctx.now_ms}
        table.replace(name, template)
    return {
        "templateArn": arn(ctx.tenant.id, name),
        "templateName": name,
        "versionId": version["versionId"],
        "isDefaultVersion": default,
    }


def _version(ctx: Context, name: str, version_id: int) -> dict[str, Any]:
    found = Records(ctx.tenant, VERSION).find(version_key(name, version_id))
    if found is None:
        raise _no_version(name, version_id)
    return found


def _no_version(name: str, version_id: int) -> AwsError:
    return AwsError(
        "ResourceNotFoundException",
        f"Version {version_id} of provisioning template {name} cannot be found.",
    )


def describe_version(ctx: Context) -> dict[str, Any]:
    name, version_id = ctx.input["templateName"], ctx.input["versionId"]
    template = records(ctx).get(name)
    version = _version(ctx, name, version_id)
    return {
        "versionId": version_id,
        "creationDate": version["created"] / 1000,
        "templateBody": version["body"],
        "isDefaultVersion": template["default"] == version_key(name, version_id),
    }


def list_versions(ctx: Context) -> dict[str, Any]:
    name = ctx.input["templateName"]
    template = records(ctx).get(name)
    chunk, token = paging.page(
        versions_of(ctx, name),
        key=lambda v: [v["versionId"]],
        token=ctx.input.get("nextToken"),
        size=ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {
        "versions": [
            {
                "versionId": v["versionId"],
                "creationDate": v["created"] / 1000,
                "isDefaultVersion": template["default"] == version_key(name, v["versionId"]),
            }
            for v in chunk
        ],
        "nextToken": token,
    }


def delete_version(ctx: Context) -> dict[str, Any]:
    name, version_id = ctx.input["templateName"], ctx.input["versionId"]
    with ctx.tenant.lock:
        records(ctx).get(name)
        _version(ctx, name, version_id)
        try:
            Records(ctx.tenant, VERSION).delete(version_key(name, version_id))
        except InUse as exc:
            raise AwsError(
                "DeleteConflictException",
                f"Version {version_id} is the default version of provisioning template {name} and cannot "
                "be deleted; make another version the default first",
            ) from exc
    return {}
