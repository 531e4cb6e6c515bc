"""IoT policies: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy, AttachPolicy, DetachPolicy,
ListAttachedPolicies, ListTargetsForPolicy.

A policy document must be an IAM-style JSON policy (``Statement`` with ``Effect``, ``Action`` and
``Resource``) of at most 2048 characters without whitespace, else MalformedPolicyException (AWS
names no error for the size: [I]). Targets are certificate ARNs, thing group ARNs or
Cognito identity ids; a target holds at most 10 policies (AWS's documented quota). A dynamic
thing group takes no policy (the developer guide: "Dynamic thing groups can't have policies
applied to them"): AttachPolicy to one is InvalidRequestException.
"""

from __future__ import annotations

import re
from typing import Any

from ... import jsonio
from ...registry.errors import KeyCollision, QuotaExceeded
from . import arns, paging
from .context import Context
from .dynamic_groups import is_dynamic
from .wire import AwsError, invalid

MAX_POLICIES_PER_TARGET = 10
MAX_DOCUMENT = 2048
POLICY_VERSIONS = ("2012-10-17", "2008-10-17")
#: a Cognito identity id: ``<region>:<uuid>``
COGNITO_IDENTITY = re.compile(
    r"[a-z]{2}(-[a-z]+)+-\d:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def malformed(problem: str) -> AwsError:
    return AwsError("MalformedPolicyException", f"Policy document is malformed: {problem}")


def check_document(text: str) -> None:
    """Raise MalformedPolicyException unless ``text`` is a well-formed IoT policy document of at
    most ``MAX_DOCUMENT`` characters once its whitespace is left out (the API reference's rule;
    the model's own maximum, 404600, is far above it)."""
    size = sum(1 for char in text if not char.isspace())
    if size > MAX_DOCUMENT:
        raise malformed(
            f"the document has {size} characters without its whitespace; at most {MAX_DOCUMENT} are allowed"
        )
    try:
        document = jsonio.loads(text, what="the document")
    except jsonio.JSONInputError as exc:
        raise malformed(str(exc)) from None
    if not isinstance(document, dict):
        raise malformed("the document must be a JSON object")
    version = document.get("Version")
    if version is not None and version not in POLICY_VERSIONS:
        raise malformed(f"Version must be one of {', '.join(POLICY_VERSIONS)}, not {version!r}")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise malformed("Statement is required: an object or a non-empty list of objects")
    for index, statement in enumerate(statements):
        where = f"Statement[{index}]"
        if not isinstance(statement, dict):
            raise malformed(f"{where} must be an object")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise malformed(f"{where}.Effect must be Allow or Deny")
        for pair in (("Action", "NotAction"), ("Resource", "NotResource")):
            present = [k for k in pair if k in statement]
            if len(present) != 1:
                raise malformed(f"{where} needs exactly one of {' or '.join(pair)}")
            value = statement[present[0]]
            values = value if isinstance(value, list) else [value]
            if not values or not all(isinstance(v, str) and v for v in values):
                raise malformed(f"{where}.{present[0]} must be a string or a list of strings")


def add_policy(
    ctx: Context, name: str, document: str, tags: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    check_document(document)
    rec = {
        "name": name,
        "document": document,
        "created": ctx.now_ms,
        "updated": ctx.now_ms,
        "generationId": ctx.ids.token(32),
        "defaultVersionId": "1",
        "tags": tags or [],
    }
    try:
        return ctx.credentials.add_policy(rec)
    except KeyCollision as exc:
        raise AwsError(
            "ResourceAlreadyExistsException",
            f"Policy cannot be created - name already exists (name={name})",
            resourceId=name,
            resourceArn=arns.policy(ctx.tenant.id, name),
        ) from exc


def create(ctx: Context) -> dict[str, Any]:
    rec = add_policy(ctx, ctx.input["policyName"], ctx.input["policyDocument"], ctx.input.get("tags"))
    return {
        "policyName": rec["name"],
        "policyArn": arns.policy(ctx.tenant.id, rec["name"]),
        "policyDocument": rec["document"],
        "policyVersionId": rec["defaultVersionId"],
    }


def get(ctx: Context) -> dict[str, Any]:
    rec = ctx.credentials.policy(ctx.input["policyName"])
    return {
        "policyName": rec["name"],
        "policyArn": arns.policy(ctx.tenant.id, rec["name"]),
        "policyDocument": rec["document"],
        "defaultVersionId": rec["defaultVersionId"],
        "creationDate": rec["created"] / 1000,
        "lastModifiedDate": rec["updated"] / 1000,
        "generationId": rec["generationId"],
    }


def _summary(ctx: Context, name: str) -> dict[str, str]:
    return {"policyName": name, "policyArn": arns.policy(ctx.tenant.id, name)}


def listing(ctx: Context) -> dict[str, Any]:
    chunk, marker = paging.kept_marker(
        ctx.tenant,
        "ListPolicies",
        lambda: list(ctx.credentials.policies().values()),
        lambda r: [r["created"], r["name"]],
        ctx.input,
    )
    return {"policies": [_summary(ctx, r["name"]) for r in chunk], "nextMarker": marker}


def delete(ctx: Context) -> dict[str, Any]:
    ctx.credentials.remove_policy(ctx.input["policyName"])
    return {}


def resolve_target(ctx: Context, target: str) -> str:
    """A certificate ARN or thing group ARN that exists here, or a Cognito identity id."""
    cert_id = arns.resource_of(ctx.tenant.id, target, "cert")
    if cert_id is not None:
        ctx.credentials.certificate(cert_id)
        return target
    group = arns.resource_of(ctx.tenant.id, target, "thinggroup")
    if group is not None:
        ctx.groups.get(group)
        return target
    if COGNITO_IDENTITY.fullmatch(target):
        return target
    raise invalid(
        f"Invalid target: {target} is not a certificate ARN or thing group ARN of this account and "
        "region, nor a Cognito identity id"
    )


def attach(ctx: Context) -> dict[str, Any]:
    from .certificates import expire_unused

    expire_unused(ctx)  # a certificate whose token's hour is up is gone, not kept by this
    with ctx.tenant.lock:
        ctx.credentials.policy(ctx.input["policyName"])
        target = resolve_target(ctx, ctx.input["target"])
        group = arns.resource_of(ctx.tenant.id, target, "thinggroup")
        if group is not None and is_dynamic(ctx.groups.get(group)):
            raise invalid(f"Thing group {group} is a dynamic thing group: policies cannot be attached to it")
        try:
            ctx.credentials.attach_policy(ctx.input["policyName"], target, limit=MAX_POLICIES_PER_TARGET)
        except QuotaExceeded as exc:
            raise AwsError(
                "LimitExceededException",
                f"The target {target} already has the maximum of {MAX_POLICIES_PER_TARGET} policies attached",
            ) from exc
    return {}


def detach(ctx: Context) -> dict[str, Any]:
    with ctx.tenant.lock:
        ctx.credentials.policy(ctx.input["policyName"])
        ctx.credentials.detach_policy(ctx.input["policyName"], ctx.input["target"])
    return {}


def attached(ctx: Context) -> dict[str, Any]:
    target = resolve_target(ctx, ctx.input["target"])
    names = list(ctx.credentials.targets.lefts(target))
    group = arns.resource_of(ctx.tenant.id, target, "thinggroup")
    if group is not None and ctx.input.get("recursive"):
        for ancestor in ctx.groups.ancestors(group):
            names.extend(ctx.credentials.targets.lefts(arns.thing_group(ctx.tenant.id, ancestor)))
    chunk, marker = paging.names(
        sorted(set(names)),
        ctx.input.get("marker"),
        ctx.input.get("pageSize", paging.DEFAULT_MARKER_PAGE),
        field="marker",
    )
    return {"policies": [_summary(ctx, n) for n in chunk], "nextMarker": marker}


def targets(ctx: Context) -> dict[str, Any]:
    name = ctx.input["policyName"]
    ctx.credentials.policy(name)
    chunk, marker = paging.names(
        ctx.credentials.targets.rights(name),
        ctx.input.get("marker"),
        ctx.input.get("pageSize", paging.DEFAULT_MARKER_PAGE),
        field="marker",
    )
    return {"targets": chunk, "nextMarker": marker}
