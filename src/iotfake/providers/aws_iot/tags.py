"""TagResource, UntagResource, ListTagsForResource for every taggable kind whose records are
catalog table records keeping ``tags`` as a list of ``{"Key", "Value"}``.

The resource ARN's type names the kind (``RESOURCE_TYPES``: wire translation, the one place that
knows AWS's ARN resource types); the record is read and replaced through the catalog's Records.
AWS's limits: 50 tags per resource (LimitExceededException), keys 1-128 and values 0-256
characters (the model), keys starting ``aws:`` are reserved (InvalidRequestException).

The same rules hold for the tags a Create call carries (``on_create`` wraps every handler whose
input has a ``tags`` list; CreateTopicRule's ``x-amz-tagging`` header goes through ``checked``):
a key given twice keeps its last value, and the limit answers LimitExceededException where the
operation's model declares it, else InvalidRequestException [I].

Choices where AWS documents nothing ([I] in the README): tagging a key that exists replaces its
value; untagging a key that is not there is not an error; ListTagsForResource pages 50 tags at a
time in key order; an ARN of a type the fake does not tag answers InvalidRequestException. Thing
types keep their tags in the registry's product index, so they are read and written there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from ...registry.records import Records
from . import arns, paging
from .context import Context
from .model import OPERATIONS
from .wire import AwsError, invalid

MAX_TAGS = 50
#: ARN resource type -> catalog kind
RESOURCE_TYPES = {
    "thinggroup": "thing group",
    "billinggroup": "billing group",
    "policy": "policy",
    "rolealias": "role alias",
    "rule": "topic rule",
    "authorizer": "authorizer",
    "provisioningtemplate": "provisioning template",
    "cacert": "ca certificate",
    "job": "job",
    "jobtemplate": "job template",
}
#: kinds whose tags are kept in their ``config`` (what CreateJob and CreateJobTemplate were given)
IN_CONFIG = frozenset({"job", "job template"})


Holder = tuple[list[dict[str, Any]], Callable[[list[dict[str, Any]]], None]]


def _target(ctx: Context) -> Holder:
    """The resource's tags and how to store new ones."""
    resource_arn = ctx.input["resourceArn"]
    tenant = ctx.tenant
    name = arns.resource_of(tenant.id, resource_arn, "thingtype")
    if name:
        product = tenant.products.get(name)
        if product is None:
            raise _missing(resource_arn)

        def store_type(tags: list[dict[str, Any]]) -> None:
            tenant.update_product(product, attributes={"tags": tags})

        return list(product.attributes.get("tags") or []), store_type
    for resource_type, kind in RESOURCE_TYPES.items():
        name = arns.resource_of(tenant.id, resource_arn, resource_type)
        if name:
            table = Records(tenant, kind)
            record = table.find(name)
            if record is None:
                raise _missing(resource_arn)
            holder = record["config"] if kind in IN_CONFIG else record
            return list(holder.get("tags") or []), _storer(table, name, record, kind in IN_CONFIG)
    raise invalid(f"{resource_arn} is not the ARN of a taggable resource of this account and region")


def _storer(
    table: Records, key: str, record: dict[str, Any], in_config: bool
) -> Callable[[list[dict[str, Any]]], None]:
    def store(tags: list[dict[str, Any]]) -> None:
        if in_config:
            table.replace(key, {**record, "config": {**record["config"], "tags": tags}})
        else:
            table.replace(key, {**record, "tags": tags})

    return store


def _missing(resource_arn: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"The resource {resource_arn} does not exist")


def checked(
    given: Iterable[dict[str, Any]],
    current: Iterable[dict[str, Any]] = (),
    over: str = "LimitExceededException",
) -> list[dict[str, Any]]:
    """``current`` with ``given`` merged in (a key given again keeps its last value), refused
    with ``over`` past the limit: one rule for TagResource and for the tags of a Create call,
    so no way in stores a reserved key, a duplicate key or a 51st tag."""
    merged = {t["Key"]: t.get("Value", "") for t in current}
    for item in given:
        if item["Key"].lower().startswith("aws:"):
            raise invalid(f"Tag keys starting with aws: are reserved: {item['Key']}")
        merged[item["Key"]] = item.get("Value", "")
    if len(merged) > MAX_TAGS:
        raise AwsError(over, f"A resource can have at most {MAX_TAGS} tags")
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def over_limit(operation: str) -> str:
    """The error an operation answers past the limit: the one its model declares for it."""
    errors = OPERATIONS[operation]["errors"]
    return "LimitExceededException" if "LimitExceededException" in errors else "InvalidRequestException"


def on_create(operation: str, handler: Callable[[Context], Any]) -> Callable[[Context], Any]:
    """``handler`` given the call's ``tags`` already ``checked`` (before it writes anything)."""
    over = over_limit(operation)

    @wraps(handler)
    def run(ctx: Context) -> Any:
        given = ctx.input.get("tags")
        if given:
            ctx.input = {**ctx.input, "tags": checked(given, over=over)}
        return handler(ctx)

    return run


def tag(ctx: Context) -> dict[str, Any]:
    current, store = _target(ctx)
    store(checked(ctx.input["tags"], current))
    return {}


def untag(ctx: Context) -> dict[str, Any]:
    current, store = _target(ctx)
    drop = set(ctx.input["tagKeys"])
    store([t for t in current if t["Key"] not in drop])
    return {}


def listing(ctx: Context) -> dict[str, Any]:
    current, _ = _target(ctx)
    items = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in current]
    chunk, token = paging.page(
        items, key=lambda t: [t["Key"]], token=ctx.input.get("nextToken"), size=paging.DEFAULT_TOKEN_PAGE
    )
    return {"tags": chunk, "nextToken": token}
