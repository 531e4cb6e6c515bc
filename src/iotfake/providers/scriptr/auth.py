"""Who calls, and in which account: scriptr's bearer token or ``auth_token`` parameter.

A token the fake issued (or was seeded with) names its account and identity. Any other token acts
as the owner of the ``default`` account in ``lenient`` and ``off`` modes, and is refused in
``strict``. In-process calls from :class:`~.module.Account` name their account in the WSGI environ
(a key no HTTP client can set) and act as the owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...registry.errors import TokenExpired, Unauthorized
from ...request import server_value
from ..base import Call, headers_of
from . import accounts
from .errors import INVALID_TOKEN, ScriptrError

if TYPE_CHECKING:
    from ...registry.directory import Directory
    from . import ScriptrProvider

#: WSGI environ key naming the account of an in-process call
ENVIRON_ACCOUNT = "iotfake.scriptr.account"


def token_of(call: Call) -> str | None:
    """The bearer token (scheme case-insensitive) or the ``auth_token`` parameter.

    ``auth_token`` is always removed from the parameters: it is the platform's, never a field.
    """
    params = call.body if isinstance(call.body, dict) else {}
    parameter = params.pop("auth_token", None)
    scheme, _, value = headers_of(call).get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if isinstance(parameter, list):
        parameter = parameter[0] if parameter else None
    return parameter if isinstance(parameter, str) and parameter else None


def authenticate(provider: ScriptrProvider, call: Call) -> None:
    in_process = None if call.request is None else server_value(call.request, ENVIRON_ACCOUNT)
    authenticate_as(provider, call, in_process)


def authenticate_as(provider: ScriptrProvider, call: Call, in_process: object) -> Directory | None:
    """``authenticate`` given what the server put in the environ under ENVIRON_ACCOUNT. Returns
    the account's directory when a token was checked against it (the script runs in it: made
    once, not twice, per call), else None."""
    cloud = provider.cloud
    value = token_of(call)
    if isinstance(in_process, str):
        _act(call, in_process, accounts.BUILTIN)
        return None
    mode = cloud.auth
    if value is None:
        if mode != "off":
            raise ScriptrError(
                INVALID_TOKEN, "An authentication token is required (Authorization: bearer <token>)."
            )
        _act(call, accounts.DEFAULT_ACCOUNT, accounts.BUILTIN)
        return None
    tokens = cloud.registry.tokens
    if mode == "off":
        known = tokens.find(value)
        if known is not None and known.provider == accounts.PROVIDER:
            _act(call, known.tenant, known.subject)
        else:
            _act(call, accounts.DEFAULT_ACCOUNT, accounts.BUILTIN)
        return None
    found = None
    try:
        token = tokens.check(value, provider=accounts.PROVIDER)
        if token is not None:
            found = accounts.directory(cloud, token.tenant)
            found.principal(token)
    except (Unauthorized, TokenExpired):
        raise ScriptrError(INVALID_TOKEN) from None
    if token is None:
        if mode == "strict":
            raise ScriptrError(INVALID_TOKEN)
        _act(call, accounts.DEFAULT_ACCOUNT, accounts.BUILTIN)
        return None
    _act(call, token.tenant, token.subject)
    return found


def _act(call: Call, account: str, principal: str) -> None:
    call.tenant = account
    call.principal = principal
    call.params["account"] = account
