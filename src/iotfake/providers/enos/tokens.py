"""The API gateway's token service: ``/apim-token-service/v2.0/token/get`` and ``/refresh``.

A token lives 7200 s on the fake's clock. Asking again before it expires gives the same token
with the seconds it has left; refreshing issues a new one and retires the old (which the gateway
then answers with ``apim_status`` 4012). An app seeded in a fixtures document must prove its
secret (``encryption = sha256_hex(appKey + timestamp + appSecret)``); an unknown app gets a
token in ``off`` and ``lenient`` modes, since its secret cannot be checked, and 1002 in ``strict``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...numbers import whole_number
from ...registry import Registry, Tenant, Token
from ...reply import Reply
from ...signatures import matches
from ..base import Call, ProviderError, json_response

if TYPE_CHECKING:
    from . import EnosProvider

TTL = 7200
BUSINESS = "apim-token-service"

DUPLICATED_ENCRYPTION = 1001
APP_NOT_FOUND = 1002
INVALID_ENCRYPTION = 1003
INVALID_PARAMETER = 1004
INTERNAL_ERROR = 1005
EMPTY_PARAMETER = 1202
TOKEN_EXPIRED = 1203
REFRESH_FAILED = 1204

#: the token service's codes and their messages (also what fault rules may name)
MESSAGES: dict[int, str] = {
    DUPLICATED_ENCRYPTION: "Duplicated encryption",
    APP_NOT_FOUND: "appKey not found",
    INVALID_ENCRYPTION: "Invalid encryption",
    INVALID_PARAMETER: "Invalid parameter",
    INTERNAL_ERROR: "Internal error",
    EMPTY_PARAMETER: "Empty parameter",
    TOKEN_EXPIRED: "The accessToken has expired",
    REFRESH_FAILED: "Refresh failed",
}


class TokenError(ProviderError):
    """An answer of the token service: ``{"status", "msg", "business", "data": null}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message, 200)

    def payload(self) -> dict[str, Any]:
        return {"status": self.code, "msg": self.message, "business": BUSINESS, "data": None}


@dataclass(frozen=True, slots=True)
class App:
    """An application seeded in fixtures: its secret and the orgs it may call."""

    key: str
    secret: str
    orgs: frozenset[str]


def find_app(registry: Registry, app_key: str) -> App | None:
    """A seeded app, from the registry's credential index (one lookup, whatever the org count)."""
    seeded = registry.keys.find("enos", app_key)
    return None if seeded is None else App(app_key, seeded.secret, seeded.tenants)


def seeded_apps(org: Tenant) -> Iterator[tuple[str, str, str | None]]:
    """The apps an org was seeded with (``settings["apps"]``): the credential index's source.

    Apps have no owning org: the same appKey (with its one secret) may be granted to several.
    """
    for key, secret in (org.settings.get("apps") or {}).items():
        yield key, secret, None


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fields(call: Call, names: tuple[str, ...]) -> dict[str, str]:
    if call.body_error is not None or (call.body is not None and not isinstance(call.body, dict)):
        raise TokenError(INVALID_PARAMETER, "Invalid parameter: the body must be a JSON object")
    body = call.body or {}
    out: dict[str, str] = {}
    for name in names:
        value = body.get(name)
        if value is None or value == "":
            raise TokenError(EMPTY_PARAMETER, f"Empty parameter: {name}")
        if name == "timestamp" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or (name == "timestamp" and whole_number(value) is None):
            kind = "a millisecond timestamp" if name == "timestamp" else "a string"
            raise TokenError(INVALID_PARAMETER, f"Invalid parameter: {name} must be {kind}")
        out[name] = value
    return out


def _check_app(provider: EnosProvider, fields: dict[str, str]) -> App | None:
    app = find_app(provider.cloud.registry, fields["appKey"])
    if app is None:
        if provider.cloud.auth == "strict":
            raise TokenError(APP_NOT_FOUND, f"appKey not found: {fields['appKey']}")
        return None
    expected = sha256_hex(app.key + fields["timestamp"] + app.secret)
    if not matches(expected, fields["encryption"].lower()):
        raise TokenError(INVALID_ENCRYPTION, "Invalid encryption: sha256(appKey + timestamp + appSecret)")
    return app


def _answer(provider: EnosProvider, call: Call, token: Token) -> Reply:
    call.code = "0"
    remaining = token.remaining(provider.cloud.clock.time())
    expire = TTL if remaining is None else math.ceil(remaining)
    return json_response(
        {
            "status": 0,
            "msg": "SUCCESS",
            "business": BUSINESS,
            "data": {"accessToken": token.value, "expire": expire},
        }
    )


def get(provider: EnosProvider, call: Call) -> Reply:
    fields = _fields(call, ("appKey", "encryption", "timestamp"))
    _check_app(provider, fields)
    return _answer(provider, call, live_token(provider, fields["appKey"]))


def live_token(provider: EnosProvider, app_key: str) -> Token:
    """The app's live token, issued now if it has none: what ``token/get`` answers (the pytest
    plugin asks here directly, so its credentials show in no journal and meet no fault rule)."""
    registry = provider.cloud.registry
    with registry.lock:
        live = [
            t
            for t in registry.tokens.tokens_for("enos", "", app_key)
            if t.state == "active" and not registry.tokens.is_expired(t)
        ]
        return live[-1] if live else _issue(provider, app_key)


def refresh(provider: EnosProvider, call: Call) -> Reply:
    fields = _fields(call, ("appKey", "encryption", "timestamp", "accessToken"))
    _check_app(provider, fields)
    registry = provider.cloud.registry
    with registry.lock:
        old = registry.tokens.find(fields["accessToken"])
        if old is None or old.provider != "enos" or old.subject != fields["appKey"]:
            raise TokenError(REFRESH_FAILED, "Refresh failed: the accessToken was not issued to this appKey")
        if old.state != "active":
            raise TokenError(REFRESH_FAILED, "Refresh failed: the accessToken was already refreshed")
        if registry.tokens.is_expired(old):
            raise TokenError(TOKEN_EXPIRED, "The accessToken has expired; get a new one")
        registry.tokens.revoke(old.value)
        token = _issue(provider, fields["appKey"])
    return _answer(provider, call, token)


def _issue(provider: EnosProvider, app_key: str) -> Token:
    # Gateway tokens belong to an app, not an org: the tenant field stays empty.
    return provider.cloud.registry.tokens.issue(provider="enos", tenant="", subject=app_key, ttl=TTL)
