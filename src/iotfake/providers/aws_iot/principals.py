"""Thing principals: AttachThingPrincipal, DetachThingPrincipal, ListThingPrincipals(V2),
ListPrincipalThings(V2). The V2 lists say how each principal is attached (EXCLUSIVE_THING or
NON_EXCLUSIVE_THING) and filter by it.

The principal travels in the ``x-amzn-principal`` header: a certificate ARN of this account and
region (which must exist) or a Cognito identity id.
"""

from __future__ import annotations

from typing import Any

from ...registry.errors import NotFound
from ...registry.kinds import EXCLUSIVE_PRINCIPALS
from . import arns, paging
from .context import Context
from .policies import COGNITO_IDENTITY
from .wire import AwsError, invalid


def resolve(ctx: Context, principal: str) -> str:
    cert_id = arns.resource_of(ctx.tenant.id, principal, "cert")
    if cert_id is not None:
        try:
            ctx.credentials.certificate(cert_id)
        except NotFound as exc:
            raise AwsError(
                "ResourceNotFoundException", "The certificate given in the principal does not exist."
            ) from exc
        return principal
    if COGNITO_IDENTITY.fullmatch(principal):
        return principal
    raise invalid(
        f"Invalid principal: {principal} is not a certificate ARN of this account and region, "
        "nor a Cognito identity id"
    )


def attach(ctx: Context) -> dict[str, Any]:
    from .certificates import expire_unused

    expire_unused(ctx)  # a certificate whose token's hour is up is gone, not kept by this
    with ctx.tenant.lock:
        thing = ctx.tenant.device(key=ctx.input["thingName"]).key
        principal = resolve(ctx, ctx.input["principal"])
        exclusive = ctx.input.get("thingPrincipalType") == "EXCLUSIVE_THING"
        ctx.credentials.attach_principal(thing, principal, exclusive=exclusive)
    return {}


def detach(ctx: Context) -> dict[str, Any]:
    with ctx.tenant.lock:
        thing = ctx.tenant.device(key=ctx.input["thingName"]).key
        ctx.credentials.detach_principal(thing, ctx.input["principal"])
    return {}


def _kind(ctx: Context, thing: str, principal: str) -> str:
    owner = ctx.tenant.table(EXCLUSIVE_PRINCIPALS).get(principal)
    return "EXCLUSIVE_THING" if owner == thing else "NON_EXCLUSIVE_THING"


def of_thing(ctx: Context) -> dict[str, Any]:
    name = ctx.input["thingName"]
    _require_thing(ctx, name)
    return _page(ctx, "principals", ctx.credentials.principals.rights(name), lambda p: [p])


def of_thing_v2(ctx: Context) -> dict[str, Any]:
    name = ctx.input["thingName"]
    _require_thing(ctx, name)
    pairs = [(name, p) for p in ctx.credentials.principals.rights(name)]
    return _v2(ctx, "thingPrincipalObjects", "principal", pairs, lambda pair: pair[1])


def things_of_v2(ctx: Context) -> dict[str, Any]:
    principal = resolve(ctx, ctx.input["principal"])
    pairs = [(t, principal) for t in ctx.credentials.principals.lefts(principal)]
    return _v2(ctx, "principalThingObjects", "thingName", pairs, lambda pair: pair[0])


def _v2(ctx: Context, field: str, label: str, pairs: list[tuple[str, str]], named: Any) -> dict[str, Any]:
    """A V2 listing: each (thing, principal) pair with how it is attached, filtered by the type."""
    wanted = ctx.input.get("thingPrincipalType")
    objects = [{label: named(pair), "thingPrincipalType": _kind(ctx, *pair)} for pair in pairs]
    chosen = [o for o in objects if wanted is None or o["thingPrincipalType"] == wanted]
    return _page(ctx, field, chosen, lambda o: [o[label]])


def _require_thing(ctx: Context, name: str) -> None:
    if name not in ctx.tenant.keys:
        raise AwsError(
            "ResourceNotFoundException",
            f"Failed to list principals for thing {name} because the thing does not exist in your account",
        )


def things_of(ctx: Context) -> dict[str, Any]:
    principal = resolve(ctx, ctx.input["principal"])
    return _page(ctx, "things", ctx.credentials.principals.lefts(principal), lambda t: [t])


def _page(ctx: Context, field: str, items: list[Any], key: Any) -> dict[str, Any]:
    chunk, token = paging.page(
        items,
        key=key,
        token=ctx.input.get("nextToken"),
        size=ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {field: chunk, "nextToken": token}
