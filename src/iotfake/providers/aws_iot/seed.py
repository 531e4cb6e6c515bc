"""The ``aws`` section of a fixtures document.

    {"aws": {"accounts": [{"accountId": "123456789012", "region": "us-east-1",
                           "accessKeys": [{"accessKeyId": "AKIA...", "secretAccessKey": "..."}],
                           "thingTypes": [{"thingTypeName": "sensor"}],
                           "billingGroups": [{"billingGroupName": "b1"}],
                           "things": [{"thingName": "t1", "thingTypeName": "sensor", "attributes": {}}],
                           "thingGroups": [{"thingGroupName": "g1", "things": ["t1"]}],
                           "policies": [{"policyName": "p1", "policyDocument": {...}}],
                           "maxThings": null, "keyAlgorithm": "RSA_2048",
                           "thingTypeDeletionWaitSeconds": 300,
                           "indexingConfiguration": {"thingIndexingConfiguration":
                                                     {"thingIndexingMode": "REGISTRY"}}}]}}

Entries go through the same validation and registry rules as the API, and errors name the path
(``aws.accounts[0].things[2].thingName``). Loading is all-or-nothing (``documents.apply``).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ... import generate
from ...documents import DocumentError, expect, no_unknown
from ...registry.errors import DomainError
from . import policies, thing_groups, thing_types, things
from .arns import ACCOUNT, DEFAULT_ACCOUNT, DEFAULT_REGION, REGION
from .context import Context
from .indexing import configuration as indexing_configuration
from .pki import KEY_ALGORITHMS
from .validation import Problems, validate
from .wire import AwsError

if TYPE_CHECKING:
    from . import AwsIotProvider

ACCOUNT_KEYS = (
    "accountId",
    "region",
    "accessKeys",
    "thingTypes",
    "billingGroups",
    "roleAliases",
    "topicRules",
    "jobTemplates",
    "things",
    "shadows",
    "thingGroups",
    "policies",
    "maxThings",
    "keyAlgorithm",
    "thingTypeDeletionWaitSeconds",
    "indexingConfiguration",
    "provisioningTemplates",
    "caCertificates",
)
#: fixtures keys whose items are exactly their Create operation's request: validated against the
#: model and loaded through the operation's own handler (a new kind adds one line here)
BY_OPERATION = {
    "billingGroups": "CreateBillingGroup",
    "roleAliases": "CreateRoleAlias",
    "topicRules": "CreateTopicRule",
    "jobTemplates": "CreateJobTemplate",
    "provisioningTemplates": "CreateProvisioningTemplate",
    "caCertificates": "RegisterCACertificate",  # after the templates a registrationConfig names
}
ACCESS_KEY_ID = re.compile(r"[A-Z0-9]{16,128}")


def seed(provider: AwsIotProvider, section: Any, path: str) -> None:
    expect(section, dict, path, "an object")
    no_unknown(section, ("accounts",), path)
    accounts = expect(section.get("accounts", []), list, f"{path}.accounts", "a list of accounts")
    for index, account in enumerate(accounts):
        _account(provider, account, f"{path}.accounts[{index}]")


def _account(provider: AwsIotProvider, entry: Any, path: str) -> None:
    expect(entry, dict, path, "an object")
    no_unknown(entry, ACCOUNT_KEYS, path)
    account = entry.get("accountId", DEFAULT_ACCOUNT)
    if not isinstance(account, str) or not ACCOUNT.fullmatch(account):
        raise DocumentError(f"{path}.accountId", "an AWS account id is 12 digits")
    region = entry.get("region", DEFAULT_REGION)
    if not isinstance(region, str) or not REGION.fullmatch(region):
        raise DocumentError(f"{path}.region", f"{region!r} is not an AWS region name like us-east-1")
    tenant = provider.account(account, region)
    keys = dict(tenant.settings.get("accessKeys") or {})
    for index, key in enumerate(expect(entry.get("accessKeys", []), list, f"{path}.accessKeys", "a list")):
        key_path = f"{path}.accessKeys[{index}]"
        expect(key, dict, key_path, 'an object {"accessKeyId": ..., "secretAccessKey": ...}')
        no_unknown(key, ("accessKeyId", "secretAccessKey"), key_path)
        key_id, secret = key.get("accessKeyId"), key.get("secretAccessKey")
        if not isinstance(key_id, str) or not ACCESS_KEY_ID.fullmatch(key_id):
            raise DocumentError(
                f"{key_path}.accessKeyId", "an access key id is 16-128 upper-case letters and digits"
            )
        if not isinstance(secret, str) or not secret:
            raise DocumentError(f"{key_path}.secretAccessKey", "a non-empty string is required")
        held = provider.cloud.registry.keys.find(provider.name, key_id)
        if held is not None and held.owner != account:
            raise DocumentError(
                f"{key_path}.accessKeyId", f"{key_id} already belongs to account {held.owner}"
            )
        if held is not None and held.secret != secret:
            raise DocumentError(
                f"{key_path}.secretAccessKey", f"{key_id} is already seeded with another secret"
            )
        provider.cloud.registry.keys.claim(
            provider.name, key_id, secret=secret, owner=account, tenant=tenant.id
        )
        keys[key_id] = secret
    if keys:
        tenant.settings["accessKeys"] = keys
    if "maxThings" in entry:
        limit = entry["maxThings"]
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise DocumentError(f"{path}.maxThings", "expected a number of things >= 0, or null")
        tenant.quota = limit
    if "keyAlgorithm" in entry:
        if entry["keyAlgorithm"] not in KEY_ALGORITHMS:
            raise DocumentError(f"{path}.keyAlgorithm", f"expected one of {', '.join(KEY_ALGORITHMS)}")
        tenant.settings["keyAlgorithm"] = entry["keyAlgorithm"]
    if "thingTypeDeletionWaitSeconds" in entry:
        wait = entry["thingTypeDeletionWaitSeconds"]
        if isinstance(wait, bool) or not isinstance(wait, int | float) or wait < 0:
            raise DocumentError(f"{path}.thingTypeDeletionWaitSeconds", "expected a number of seconds >= 0")
        tenant.settings["thingTypeDeletionWaitSeconds"] = wait
    if "indexingConfiguration" in entry:
        _indexing(tenant, entry["indexingConfiguration"], f"{path}.indexingConfiguration")
    ctx = Context(provider, None, tenant, {})
    _each(entry, "thingTypes", path, lambda item, p: _thing_type(ctx, item, p))
    for key, operation in BY_OPERATION.items():
        _each(entry, key, path, lambda item, p, op=operation: _by_operation(ctx, op, item, p))
    _each(entry, "things", path, lambda item, p: _thing(ctx, item, p))
    _each(entry, "thingGroups", path, lambda item, p: _group(ctx, item, p))
    _each(entry, "shadows", path, lambda item, p: _shadow(ctx, item, p))
    _each(entry, "policies", path, lambda item, p: _policy(ctx, item, p))


def _by_operation(ctx: Context, operation: str, item: dict[str, Any], path: str) -> None:
    from .handlers import HANDLERS
    from .model import OPERATIONS

    _check(OPERATIONS[operation]["input"], item, path)
    HANDLERS[operation](Context(ctx.provider, None, ctx.tenant, dict(item)))


def _indexing(tenant: Any, item: Any, path: str) -> None:
    """The fleet indexing configuration, as UpdateIndexingConfiguration takes it."""
    expect(
        item, dict, path, 'an object like {"thingIndexingConfiguration": {"thingIndexingMode": "REGISTRY"}}'
    )
    no_unknown(item, ("thingIndexingConfiguration", "thingGroupIndexingConfiguration"), path)
    _check("UpdateIndexingConfigurationRequest", item, path)
    try:
        indexing_configuration.update(tenant, item)
    except AwsError as exc:
        raise DocumentError(path, exc.message) from exc


def _shadow(ctx: Context, item: dict[str, Any], path: str) -> None:
    """``{"thingName": "t1", "shadowName": "cfg", "state": {"reported": {...}}}``: an UpdateThingShadow."""
    from . import shadows

    no_unknown(item, ("thingName", "shadowName", "state"), path)
    request = {k: item[k] for k in ("thingName", "shadowName") if k in item}
    _check("iotdata.UpdateThingShadowRequest", {**request, "payload": ""}, path)
    payload = json.dumps({"state": item.get("state")}).encode()
    shadows.update(Context(ctx.provider, None, ctx.tenant, {**request, "payload": payload}))


def _each(entry: dict[str, Any], key: str, path: str, load: Any) -> None:
    items = expect(entry.get(key, []), list, f"{path}.{key}", "a list")
    for index, item in enumerate(items):
        item_path = f"{path}.{key}[{index}]"
        expect(item, dict, item_path, "an object")
        try:
            load(item, item_path)
        except AwsError as exc:
            raise DocumentError(item_path, exc.message) from exc
        except DomainError as exc:
            from . import from_domain

            raise DocumentError(item_path, from_domain("", exc).message) from exc


def _check(shape: str, value: dict[str, Any], path: str, renames: dict[str, str] | None = None) -> None:
    problems = Problems()
    validate(shape, value, "", problems)
    if problems:
        where = problems.paths[0]
        for wire_name, fixture_name in (renames or {}).items():
            if where == wire_name or where.startswith(wire_name + "."):
                where = fixture_name + where[len(wire_name) :]
        raise DocumentError(f"{path}.{where}", problems[0])


def _thing_type(ctx: Context, item: dict[str, Any], path: str) -> None:
    no_unknown(item, ("thingTypeName", "thingTypeProperties", "tags", "deprecated"), path)
    request = {k: item[k] for k in ("thingTypeName", "thingTypeProperties", "tags") if k in item}
    _check("CreateThingTypeRequest", request, path)
    product = thing_types.add_type(
        ctx, item["thingTypeName"], dict(item.get("thingTypeProperties") or {}), item.get("tags")
    )
    if item.get("deprecated"):
        product.attributes = {**product.attributes, "deprecated": True, "deprecationDate": ctx.now}


def _thing(ctx: Context, item: dict[str, Any], path: str) -> None:
    if generate.is_generator(item):
        _generated_things(ctx, item, path)
        return
    no_unknown(item, ("thingName", "thingTypeName", "attributes", "billingGroupName"), path)
    request: dict[str, Any] = {
        k: item[k] for k in ("thingName", "thingTypeName", "billingGroupName") if k in item
    }
    if "attributes" in item:
        request["attributePayload"] = {"attributes": item["attributes"]}
    _check("CreateThingRequest", request, path, {"attributePayload.attributes": "attributes"})
    thing_type = item.get("thingTypeName")
    if thing_type is not None and thing_type not in ctx.tenant.products:
        raise DocumentError(
            f"{path}.thingTypeName", f"thing type {thing_type} is not among this account's thingTypes"
        )
    things.add_thing(
        ctx,
        item["thingName"],
        item.get("thingTypeName"),
        dict(item.get("attributes") or {}),
        item.get("billingGroupName"),
    )


def _generated_things(ctx: Context, item: dict[str, Any], path: str) -> None:
    """``{"generate": N, ...}``: N realistic things (see ``iotfake.generate``)."""
    thing_type = item.get("thingTypeName")
    spec = generate.spec(
        ctx.provider.cloud,
        item,
        path,
        default_kind=thing_type if isinstance(thing_type, str) and thing_type else "device",
        unique=("thingName",),
    )
    tenant = ctx.tenant
    generate.check_room(spec, path, tenant.room())
    limit = things.MAX_ATTRIBUTES_TYPED if thing_type else things.MAX_ATTRIBUTES_UNTYPED
    for sample in generate.samples(spec, tenant.keys.__contains__):
        _thing(ctx, generate.aws_thing(sample, spec.fixed, limit), path)


def _group(ctx: Context, item: dict[str, Any], path: str) -> None:
    no_unknown(item, ("thingGroupName", "parentGroupName", "thingGroupProperties", "things"), path)
    request = {k: item[k] for k in ("thingGroupName", "parentGroupName", "thingGroupProperties") if k in item}
    _check("CreateThingGroupRequest", request, path)
    thing_groups.create(Context(ctx.provider, None, ctx.tenant, request))
    for index, thing in enumerate(
        expect(item.get("things", []), list, f"{path}.things", "a list of thing names")
    ):
        if not isinstance(thing, str) or thing not in ctx.tenant.keys:
            raise DocumentError(f"{path}.things[{index}]", f"{thing!r} is not a thing of this account")
        ctx.groups.add_member(item["thingGroupName"], thing)


def _policy(ctx: Context, item: dict[str, Any], path: str) -> None:
    no_unknown(item, ("policyName", "policyDocument"), path)
    document = item.get("policyDocument")
    if isinstance(document, dict):
        document = json.dumps(document, separators=(",", ":"))
    request = {"policyName": item.get("policyName"), "policyDocument": document}
    _check("CreatePolicyRequest", request, path)
    assert isinstance(document, str)
    policies.add_policy(ctx, item["policyName"], document)
