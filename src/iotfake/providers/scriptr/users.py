"""The user module, as far as devices need it: users share the device id space and hold expiring tokens.

Unlike the device module, create, save and update answer without a ``result``. A user token lives
``expiry`` seconds (default 1800, at most 86400) and never past ``lifeTime`` (default 7200, at most
604800); a user holds at most 20 live tokens.
"""

from __future__ import annotations

from typing import Any

from ...registry.passwords import verify_password
from . import fields, records
from .accounts import new_token
from .context import Context, ok
from .errors import INVALID_PARAMETER, INVALID_USER, ScriptrError, invalid_identifier, invalid_parameter
from .params import include_types, option, positive_int

EXPIRY, MAX_EXPIRY = 1800, 86_400
LIFETIME, MAX_LIFETIME = 7200, 604_800
MAX_TOKENS = 20


def _find(ctx: Context, user_id: str) -> dict[str, Any]:
    record = ctx.directory.user(user_id)
    if record is None:
        raise ScriptrError(INVALID_USER, f"The user [{user_id}] does not exist.")
    return record


def _create(ctx: Context, user_id: str, params: dict[str, Any]) -> None:
    fields.identifier(user_id, "user")
    changes = fields.parse(params, creating=True, salt=ctx.salt, allowed_groups=ctx.allowed_groups)
    doc = fields.merge(fields.empty_doc(), changes)
    ctx.directory.add_user(user_id, records.new_user(doc, ctx.principal, ctx.now()))


def _update(ctx: Context, user_id: str, record: dict[str, Any], params: dict[str, Any]) -> None:
    changes = fields.parse(params, creating=False, salt=ctx.salt, allowed_groups=ctx.allowed_groups)
    with ctx.directory.lock:
        doc = fields.merge(records.user_doc(record), changes)
        ctx.directory.update_user(user_id, {**doc, "lastModifiedBy": ctx.principal}, now=ctx.now())


def create(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _create(ctx, fields.required_id(params), params)
    return ok()


def save(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    user_id = fields.required_id(params)
    with ctx.directory.lock:
        record = ctx.directory.user(user_id)
        if record is None:
            _create(ctx, user_id, params)
        else:
            _update(ctx, user_id, record, params)
    return ok()


def update(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    user_id = fields.required_id(params)
    _update(ctx, user_id, _find(ctx, user_id), params)
    return ok()


def get(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    user_id = fields.required_id(params)
    with_types = include_types(params)
    record = ctx.directory.user(user_id)
    if record is None:
        raise invalid_identifier("user", user_id)
    tokens = [t.value for t in ctx.directory.user_tokens(user_id)]
    return ok(records.present(records.user_view(user_id, record, tokens), include_types=with_types))


def delete(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    user_id = fields.required_id(params)
    _find(ctx, user_id)
    ctx.directory.remove_user(user_id)
    return ok()


def _seconds(params: dict[str, Any], name: str, default: int, limit: int) -> int:
    value = positive_int(option(params, name), name, default)
    if value > limit:
        raise invalid_parameter(name, f"at most {limit} seconds")
    return value


def generate_token(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    user_id = fields.required_id(params)
    expiry = _seconds(params, "expiry", EXPIRY, MAX_EXPIRY)
    lifetime = _seconds(params, "lifeTime", LIFETIME, MAX_LIFETIME)
    record = _find(ctx, user_id)
    password = option(params, "password")
    if password is not None and not (
        isinstance(password, str) and verify_password(password, record["password"])
    ):
        raise ScriptrError(INVALID_PARAMETER, f"The password of the user [{user_id}] is incorrect.")
    token = ctx.directory.issue_user_token(
        user_id,
        ttl=expiry,
        lifetime=lifetime,
        limit=MAX_TOKENS,
        value=new_token(ctx.cloud, ctx.directory, user_id),
    )
    return ok({"token": token.value})


def revoke_token(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Revoke the given ``token`` of the user, or every token the user holds."""
    user_id = fields.required_id(params)
    _find(ctx, user_id)
    value = option(params, "token")
    if value is not None and not isinstance(value, str):
        raise invalid_parameter("token", "expected a string")
    ctx.directory.revoke_user_tokens(user_id, value or None)
    return ok()


FUNCTIONS = {
    "create": create,
    "save": save,
    "update": update,
    "get": get,
    "delete": delete,
    "generateToken": generate_token,
    "revokeToken": revoke_token,
}
