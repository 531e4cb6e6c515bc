"""Policy versions (Create/Get/List/Delete/SetDefault) and the deprecated principal-policy calls.

A policy keeps its default document and ``defaultVersionId`` on its own record (GetPolicy reads
them); every version, the default one too, is a record of the catalog's ``policy version`` kind
that refers to its policy. AWS's rules (developer guide, "Updating policies"): at most five
versions; version ids count up and are never reused; the default version cannot be deleted; a
policy with versions besides its default cannot be deleted. A policy made before versions
existed here has one implicit version, its own document, which the first version call records.

AttachPrincipalPolicy / DetachPrincipalPolicy / ListPrincipalPolicies / ListPolicyPrincipals are
the older names for attaching policies to principals: the same links as AttachPolicy.
"""

from __future__ import annotations

from typing import Any

from ...registry.records import Records
from . import arns, policies
from .context import Context
from .wire import AwsError

MAX_VERSIONS = 5
KIND = "policy version"


def _key(policy: str, version: str) -> str:
    return f"{policy}:{version}"


def versions(ctx: Context, policy: dict[str, Any], *, record: bool = False) -> list[dict[str, Any]]:
    """The policy's versions, oldest first; ``record``: the implicit first one is recorded if it
    is not yet (a new version is about to join it; a read, or a refused call, writes nothing)."""
    records = Records(ctx.tenant, KIND)
    found = [r for r in records.table.values() if r["policyName"] == policy["name"]]
    if found:
        return sorted(found, key=lambda r: int(r["versionId"]))
    first = {
        "policyName": policy["name"],
        "versionId": policy["defaultVersionId"],
        "document": policy["document"],
        "created": policy["created"],
        "generationId": policy["generationId"],
    }
    if record:
        records.create(_key(policy["name"], first["versionId"]), first)
    return [first]


def _answer(ctx: Context, policy: dict[str, Any], version: dict[str, Any]) -> dict[str, Any]:
    return {
        "policyArn": arns.policy(ctx.tenant.id, policy["name"]),
        "policyName": policy["name"],
        "policyDocument": version["document"],
        "policyVersionId": version["versionId"],
        "isDefaultVersion": version["versionId"] == policy["defaultVersionId"],
        "creationDate": version["created"] / 1000,
        "lastModifiedDate": version["created"] / 1000,
        "generationId": version["generationId"],
    }


def _set_default(ctx: Context, policy: dict[str, Any], version: dict[str, Any]) -> None:
    Records(ctx.tenant, "policy").replace(
        policy["name"],
        {
            **policy,
            "document": version["document"],
            "defaultVersionId": version["versionId"],
            "updated": ctx.now_ms,
            "generationId": ctx.ids.token(32),
        },
    )


def create(ctx: Context) -> dict[str, Any]:
    name, document = ctx.input["policyName"], ctx.input["policyDocument"]
    policies.check_document(document)
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        policy = ctx.credentials.policy(name)
        existing = versions(ctx, policy, record=True)
        if len(existing) >= MAX_VERSIONS:
            raise AwsError(
                "VersionsLimitExceededException",
                f"The policy {name} already has the maximum number of versions ({MAX_VERSIONS})",
            )
        number = max(int(policy.get("lastVersionId", 0)), *(int(v["versionId"]) for v in existing)) + 1
        version = {
            "policyName": name,
            "versionId": str(number),
            "document": document,
            "created": ctx.now_ms,
            "generationId": ctx.ids.token(32),
        }
        Records(ctx.tenant, KIND).create(_key(name, version["versionId"]), version)
        policy = {**policy, "lastVersionId": number}
        Records(ctx.tenant, "policy").replace(name, policy)
        if ctx.input.get("setAsDefault"):
            _set_default(ctx, policy, version)
            policy = ctx.credentials.policy(name)
    out = _answer(ctx, policy, version)
    return {k: out[k] for k in ("policyArn", "policyDocument", "policyVersionId", "isDefaultVersion")}


def _version(ctx: Context, policy: dict[str, Any], version_id: str) -> dict[str, Any]:
    found = next((v for v in versions(ctx, policy) if v["versionId"] == version_id), None)
    if found is None:
        raise AwsError(
            "ResourceNotFoundException",
            f"Policy version {version_id} of policy {policy['name']} cannot be found.",
        )
    return found


def get(ctx: Context) -> dict[str, Any]:
    with ctx.tenant.lock:
        policy = ctx.credentials.policy(ctx.input["policyName"])
        return _answer(ctx, policy, _version(ctx, policy, ctx.input["policyVersionId"]))


def listing(ctx: Context) -> dict[str, Any]:
    with ctx.tenant.lock:
        policy = ctx.credentials.policy(ctx.input["policyName"])
        found = versions(ctx, policy)
    return {
        "policyVersions": [
            {
                "versionId": v["versionId"],
                "isDefaultVersion": v["versionId"] == policy["defaultVersionId"],
                "createDate": v["created"] / 1000,
            }
            for v in reversed(found)  # newest first, as AWS lists them
        ]
    }


def delete(ctx: Context) -> dict[str, Any]:
    name, version_id = ctx.input["policyName"], ctx.input["policyVersionId"]
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        policy = ctx.credentials.policy(name)
        _version(ctx, policy, version_id)
        if version_id == policy["defaultVersionId"]:
            raise AwsError("DeleteConflictException", "Cannot delete the default version of a policy")
        Records(ctx.tenant, KIND).delete(_key(name, version_id))
    return {}


def set_default(ctx: Context) -> dict[str, Any]:
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        policy = ctx.credentials.policy(ctx.input["policyName"])
        _set_default(ctx, policy, _version(ctx, policy, ctx.input["policyVersionId"]))
    return {}


def delete_policy(ctx: Context) -> dict[str, Any]:
    """DeletePolicy: refused while versions besides the default remain (AWS's rule)."""
    name = ctx.input["policyName"]
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        policy = ctx.credentials.policy(name)
        mine = [k for k, v in Records(ctx.tenant, KIND).table.items() if v["policyName"] == name]
        others = [k for k in mine if k != _key(name, policy["defaultVersionId"])]
        if others:
            raise AwsError(
                "DeleteConflictException",
                f"Cannot delete the policy {name}: delete its non-default versions first",
            )
        ctx.credentials.remove_policy(name)  # its default version goes with it (the catalog's rule)
    return {}


# -- principals (the deprecated family) ------------------------------------------------------------
def attach_principal(ctx: Context) -> dict[str, Any]:
    return policies.attach(_as_target(ctx))


def detach_principal(ctx: Context) -> dict[str, Any]:
    return policies.detach(_as_target(ctx))


def _as_target(ctx: Context) -> Context:
    return Context(ctx.provider, ctx.call, ctx.tenant, {**ctx.input, "target": ctx.input["principal"]})


def principal_policies(ctx: Context) -> dict[str, Any]:
    answer = policies.attached(_as_target(ctx))
    return {"policies": answer["policies"], "nextMarker": answer["nextMarker"]}


def policy_principals(ctx: Context) -> dict[str, Any]:
    answer = policies.targets(ctx)
    return {"principals": answer["targets"], "nextMarker": answer["nextMarker"]}
