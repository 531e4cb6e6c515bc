"""Thing principals: AttachThingPrincipal, DetachThingPrincipal, ListThingPrincipals, ListPrincipalThings.

The principal travels in the ``x-amzn-principal`` header: a certificate ARN of this account and
region (which must exist) or a Cognito identity id.
"""

from __future__ import annotations

from typing import Any

from ...registry.errors import NotFound
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


def of_thing(ctx: Context) -> dict[str, Any]:
    name = ctx.input["thingName"]
    if name not in ctx.tenant.keys:
        raise AwsError(
            "ResourceNotFoundException",
            f"Failed to list principals for thing {name} because the thing does not exist in your account",
        )
    chunk, token = paging.page(
        ctx.credentials.principals.rights(name),
        key=lambda p: [p],
        token=ctx.input.get("nextToken"),
        size=ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {"principals": chunk, "nextToken": token}


def things_of(ctx: Context) -> dict[str, Any]:
    principal = resolve(ctx, ctx.input["principal"])
    chunk, token = paging.page(
        ctx.credentials.principals.lefts(principal),
        key=lambda t: [t],
        token=ctx.input.get("nextToken"),
        size=ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )
    return {"things": chunk, "nextToken": token}
