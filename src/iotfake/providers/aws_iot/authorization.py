"""GetEffectivePolicies and TestAuthorization: the policies that count for a device, and what
they decide, answered by the same evaluator the MQTT side asks before every packet
(``policy_eval``), so that a test's simulation and its device's connection cannot disagree.

The policies that count are the developer guide's: those attached to the principal (a
certificate, a Cognito identity, or a thing group with its ancestors: "child groups inherit
policies attached to their parent groups") and those of the thing's groups and their ancestors.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import arns, policy_eval
from .context import Context
from .policies import resolve_target
from .wire import invalid

#: TestAuthorization's action types -> the IoT actions policies name
ACTIONS = {
    "CONNECT": "iot:Connect",
    "PUBLISH": "iot:Publish",
    "SUBSCRIBE": "iot:Subscribe",
    "RECEIVE": "iot:Receive",
}


def _group_targets(ctx: Context, group: str) -> list[str]:
    """The ARNs of a thing group and its ancestors, nearest first."""
    return [arns.thing_group(ctx.tenant.id, g) for g in (group, *ctx.groups.ancestors(group))]


def _thing_targets(ctx: Context, thing: str) -> list[str]:
    """The ARNs of the groups a thing is in and their ancestors (a thing must exist)."""
    ctx.tenant.device(key=thing)
    return policy_eval.group_targets(ctx.tenant, thing)


def _principal_targets(ctx: Context, principal: str) -> list[str]:
    """A principal's own ARN, with a thing group's ancestors (unknown ones refused as
    AttachPolicy refuses them: a certificate or group that does not exist is not found)."""
    target = resolve_target(ctx, principal)
    group = arns.resource_of(ctx.tenant.id, target, "thinggroup")
    return _group_targets(ctx, group) if group is not None else [target]


def effective(ctx: Context) -> dict[str, Any]:
    """GetEffectivePolicies. [I]: a request naming neither a principal nor a thing is
    InvalidRequestException; a Cognito identity pool adds no policy (the fake keeps no pool
    roles)."""
    principal, thing = ctx.input.get("principal"), ctx.input.get("thingName")
    if principal is None and thing is None:
        raise invalid("GetEffectivePolicies needs a principal or a thingName")
    targets = _principal_targets(ctx, principal) if principal is not None else []
    if thing is not None:
        targets += _thing_targets(ctx, thing)
    return {
        "effectivePolicies": [
            {"policyName": name, "policyArn": arns.policy(ctx.tenant.id, name), "policyDocument": document}
            for name, document in policy_eval.attached(ctx.tenant, targets)
        ]
    }


def _summaries(ctx: Context, names: Iterable[str]) -> list[dict[str, str]]:
    return [{"policyName": name, "policyArn": arns.policy(ctx.tenant.id, name)} for name in names]


def _connection(
    ctx: Context, principal: str | None, client_id: str | None
) -> tuple[list[str], dict[str, str]]:
    """The targets whose policies count for a connection of ``principal`` with ``client_id``,
    and its policy variables: a certificate's thing is found as the MQTT side finds it (the
    attached thing the client id names, else the exclusively attached one), and its subject
    and the thing's name, type and attributes are variables; another principal has only the
    client id. Without a client id, ``iot:ClientId`` is a missing context value."""
    targets = _principal_targets(ctx, principal) if principal is not None else []
    cert_id = arns.resource_of(ctx.tenant.id, principal, "cert") if principal is not None else None
    variables = {"iot:ClientId": client_id or ""}
    if cert_id is not None:
        connection = policy_eval.Connection.of(ctx.tenant, cert_id, client_id or "")
        variables = connection.variables
        if connection.thing is not None and connection.thing in ctx.tenant.keys:
            targets += _thing_targets(ctx, connection.thing)
    if client_id is None:
        variables.pop("iot:ClientId", None)
    return targets, variables


def simulate(ctx: Context) -> dict[str, Any]:
    """TestAuthorization: every authInfo evaluated against the connection's policies, plus
    ``policyNamesToAdd`` (which must exist) and less ``policyNamesToSkip``. [I]: one decision
    covers all of an authInfo's resources (an explicit deny of any wins, then a resource no
    policy allows); ``implicitDeny`` lists the policies that say nothing of the request;
    missing context values are named as policies write them (``iot:Connection.Thing.ThingName``)."""
    targets, variables = _connection(ctx, ctx.input.get("principal"), ctx.input.get("clientId"))
    policies = dict(policy_eval.attached(ctx.tenant, targets))
    for name in ctx.input.get("policyNamesToAdd") or ():
        policies.setdefault(name, ctx.credentials.policy(name)["document"])
    for name in ctx.input.get("policyNamesToSkip") or ():
        policies.pop(name, None)
    results = []
    for index, info in enumerate(ctx.input["authInfos"], start=1):
        action = ACTIONS.get(info.get("actionType", ""))
        if action is None:
            raise invalid(f"An authInfo needs an actionType (at 'authInfos.{index}.member.actionType')")
        if not info["resources"]:
            raise invalid(f"An authInfo needs a resource (at 'authInfos.{index}.member.resources')")
        results.append(_result(ctx, info, action, list(policies.items()), variables))
    return {"authResults": results}


def _result(
    ctx: Context,
    info: dict[str, Any],
    action: str,
    policies: list[tuple[str, str]],
    variables: dict[str, str],
) -> dict[str, Any]:
    """One authResult: the policies that allowed, denied and said nothing, over every resource."""
    allowing: dict[str, None] = {}
    denying: dict[str, None] = {}
    missing: dict[str, None] = {}
    decisions = set()
    for resource in info["resources"]:
        explained = policy_eval.explain(policies, action, resource, variables)
        allowing.update(dict.fromkeys(explained.allowing))
        denying.update(dict.fromkeys(explained.denying))
        missing.update(dict.fromkeys(explained.missing))
        decisions.add(explained.decision)
    decision = next((d for d in ("EXPLICIT_DENY", "IMPLICIT_DENY") if d in decisions), "ALLOWED")
    silent = [name for name, _ in policies if name not in allowing and name not in denying]
    return {
        "authInfo": {"actionType": info["actionType"], "resources": list(info["resources"])},
        "allowed": {"policies": _summaries(ctx, allowing)},
        "denied": {
            "implicitDeny": {"policies": _summaries(ctx, silent)},
            "explicitDeny": {"policies": _summaries(ctx, denying)},
        },
        "authDecision": decision,
        "missingContextValues": list(missing),
    }
