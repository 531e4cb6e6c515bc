"""GetEffectivePolicies and TestAuthorization: the policies that count for a device, and what
they decide, answered by the same evaluator the MQTT side asks before every packet
(``policy_eval``), so that a test's simulation and its device's connection cannot disagree.

The policies that count are the developer guide's: those attached to the principal (a
certificate, a Cognito identity, or a thing group with its ancestors: "child groups inherit
policies attached to their parent groups") and those of the thing's groups and their ancestors.
"""

from __future__ import annotations

from typing import Any

from . import arns
from .context import Context
from .policies import resolve_target
from .wire import invalid


def _group_targets(ctx: Context, group: str) -> list[str]:
    """The ARNs of a thing group and its ancestors, nearest first."""
    return [arns.thing_group(ctx.tenant.id, g) for g in (group, *ctx.groups.ancestors(group))]


def _thing_targets(ctx: Context, thing: str) -> list[str]:
    """The ARNs of the groups a thing is in and their ancestors (a thing must exist)."""
    ctx.tenant.device(key=thing)
    targets: list[str] = []
    for group in ctx.groups.groups_of(thing):
        targets.extend(_group_targets(ctx, group))
    return targets


def _principal_targets(ctx: Context, principal: str) -> list[str]:
    """A principal's own ARN, with a thing group's ancestors (unknown ones refused as
    AttachPolicy refuses them: a certificate or group that does not exist is not found)."""
    target = resolve_target(ctx, principal)
    group = arns.resource_of(ctx.tenant.id, target, "thinggroup")
    return _group_targets(ctx, group) if group is not None else [target]


def _policies(ctx: Context, targets: list[str]) -> list[tuple[str, str]]:
    """``(name, document)`` of the policies attached to any of ``targets``, each once, in the
    order of the targets and then of attachment."""
    credentials = ctx.credentials
    table = credentials.policies()
    found: dict[str, str] = {}
    for target in dict.fromkeys(targets):
        for name in credentials.targets.lefts(target):
            if name in table:
                found.setdefault(name, table[name]["document"])
    return list(found.items())


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
            for name, document in _policies(ctx, targets)
        ]
    }
