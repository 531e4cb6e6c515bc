"""The EnOS API gateway in front of Connect: ``apim-accesstoken`` checks per auth mode.

- ``off``: anything goes.
- ``lenient``: the header must be there. A token this fake issued must still be live: expired
  ones get ``apim_status`` 4011 (with ``apim_refreshtoken``), refreshed-away ones 4012, both in
  an HTTP 200 body, which is what makes ``enos-poseidon`` rebuild its token and retry. A token
  the fake never issued (poseidon's RSA blob, ``"test-token"``) stands for the org's owner.
- ``strict``: only tokens the fake issued to apps seeded in fixtures; ``apim-signature`` must be
  ``sha256_hex(accessToken + paramsData + timestamp + appSecret)``; the org must be seeded
  (99400 otherwise) and the app must belong to it (99403).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ...registry.errors import TokenExpired, Unauthorized
from ...signatures import matches
from ..base import Call, ProviderError, headers_of
from .errors import FORBIDDEN, INVALID_ARGUMENT, EnosError
from .tokens import find_app

if TYPE_CHECKING:
    from . import EnosProvider

#: operations of the token service itself, which need no token
GATEWAY_OPERATIONS = frozenset({"GetToken", "RefreshToken"})

MISSING_CREDENTIAL = 4010
TOKEN_EXPIRED = 4011
TOKEN_INVALID = 4012


class GatewayError(ProviderError):
    """A refusal by the gateway, before Connect sees the call (``apim_status`` bodies)."""

    def __init__(self, apim_status: int, message: str, status: int = 200, **extra: Any) -> None:
        super().__init__(apim_status, message, status, **extra)

    def payload(self) -> dict[str, Any]:
        return {"apim_status": self.code, "apim_message": self.message, **self.extra}


def authenticate(provider: EnosProvider, call: Call) -> None:
    mode = provider.cloud.auth
    if mode == "off" or call.operation in GATEWAY_OPERATIONS:
        return
    value = headers_of(call).get("apim-accesstoken")
    if not value:
        raise GatewayError(MISSING_CREDENTIAL, "the apim-accesstoken header is missing", status=401)
    try:
        token = provider.cloud.registry.tokens.check(value, provider="enos")
    except TokenExpired:
        raise GatewayError(TOKEN_EXPIRED, "the access token has expired", apim_refreshtoken=value) from None
    except Unauthorized:
        raise GatewayError(TOKEN_INVALID, "the access token was refreshed or revoked") from None
    if token is None:
        if mode == "strict":
            raise GatewayError(TOKEN_INVALID, "the access token was not issued by this gateway")
        call.principal = None  # the org's owner
        return
    call.principal = token.subject
    if mode == "strict":
        _strict(provider, call, value, token.subject)


def _strict(provider: EnosProvider, call: Call, token: str, app_key: str) -> None:
    app = find_app(provider.cloud.registry, app_key)
    if app is None:  # the app was dropped since the token was issued
        raise GatewayError(TOKEN_INVALID, "the access token's app is not registered")
    headers = call.request.headers
    signature, timestamp = headers.get("apim-signature"), headers.get("apim-timestamp")
    if not signature or not timestamp:
        missing = "apim-signature" if not signature else "apim-timestamp"
        raise GatewayError(MISSING_CREDENTIAL, f"the {missing} header is missing", status=401)
    expected = signature_for(call, token, timestamp, app.secret)
    if not matches(expected, signature.lower()):
        raise GatewayError(
            MISSING_CREDENTIAL,
            "apim-signature does not match sha256(accessToken + paramsData + timestamp + appSecret)",
            status=401,
        )
    org = call.tenant
    if org is None:
        return  # Connect itself answers "orgId is missing"
    if provider.cloud.registry.find_tenant("enos", org) is None:
        raise EnosError(INVALID_ARGUMENT, "Invalid Argument orgId:  orgId does not exist")
    if org not in app.orgs:
        raise EnosError(FORBIDDEN, f"Denied resource:  orgId {org} is not granted to appKey {app_key}")


def params_data(call: Call) -> str:
    """Query parameters sorted by name as ``key + value``, then the raw body. A repeated name
    counts once, with its first value: what the signing page's reference code signs (okhttp's
    ``queryParameterNames()``, each read with ``queryParameter(name)``) and what Connect reads."""
    pairs = sorted((name, values[0]) for name, values in call.request.args.lists())
    body = call.request.get_data(cache=True).decode("utf-8", errors="replace")
    return "".join(k + v for k, v in pairs) + body


def signature_for(call: Call, token: str, timestamp: str, secret: str) -> str:
    return hashlib.sha256((token + params_data(call) + timestamp + secret).encode("utf-8")).hexdigest()
