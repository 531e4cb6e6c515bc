"""TagResource, UntagResource, ListTagsForResource for every taggable kind whose records are
catalog table records keeping ``tags`` as a list of ``{"Key", "Value"}``.

The resource ARN's type names the kind (``RESOURCE_TYPES``: wire translation, the one place that
knows AWS's ARN resource types); the record is read and replaced through the catalog's Records.
AWS's limits: 50 tags per resource (LimitExceededException), keys 1-128 and values 0-256
characters (the model), keys starting ``aws:`` are reserved (InvalidRequestException).

Choices where AWS documents nothing ([I] in the README): tagging a key that exists replaces its
value; untagging a key that is not there is not an error; ListTagsForResource pages 50 tags at a
time in key order. Thing types keep their tags in the registry's product index and are not served
here yet (an ARN of another type answers InvalidRequestException).
"""

from __future__ import annotations

from typing import Any

from ...registry.records import Records
from . import arns, paging
from .context import Context
from .wire import AwsError, invalid

MAX_TAGS = 50
#: ARN resource type -> catalog kind
RESOURCE_TYPES = {
    "thinggroup": "thing group",
    "billinggroup": "billing group",
    "policy": "policy",
    "rolealias": "role alias",
    "rule": "topic rule",
}


def _target(ctx: Context) -> tuple[Records, str, dict[str, Any]]:
    resource_arn = ctx.input["resourceArn"]
    for resource_type, kind in RESOURCE_TYPES.items():
        name = arns.resource_of(ctx.tenant.id, resource_arn, resource_type)
        if name:
            table = Records(ctx.tenant, kind)
            record = table.find(name)
            if record is None:
                raise AwsError("ResourceNotFoundException", f"The resource {resource_arn} does not exist")
            return table, name, record
    raise invalid(f"{resource_arn} is not the ARN of a taggable resource of this account and region")


def tag(ctx: Context) -> dict[str, Any]:
    table, name, record = _target(ctx)
    merged = {t["Key"]: t.get("Value", "") for t in record.get("tags") or []}
    for item in ctx.input["tags"]:
        if item["Key"].lower().startswith("aws:"):
            raise invalid(f"Tag keys starting with aws: are reserved: {item['Key']}")
        merged[item["Key"]] = item.get("Value", "")
    if len(merged) > MAX_TAGS:
        raise AwsError("LimitExceededException", f"A resource can have at most {MAX_TAGS} tags")
    table.replace(name, {**record, "tags": [{"Key": k, "Value": v} for k, v in merged.items()]})
    return {}


def untag(ctx: Context) -> dict[str, Any]:
    table, name, record = _target(ctx)
    drop = set(ctx.input["tagKeys"])
    kept = [t for t in record.get("tags") or [] if t["Key"] not in drop]
    table.replace(name, {**record, "tags": kept})
    return {}


def listing(ctx: Context) -> dict[str, Any]:
    _, _, record = _target(ctx)
    items = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in record.get("tags") or []]
    chunk, token = paging.page(
        items, key=lambda t: [t["Key"]], token=ctx.input.get("nextToken"), size=paging.DEFAULT_TOKEN_PAGE
    )
    return {"tags": chunk, "nextToken": token}
