"""EnOS Connect Service v2.1: devices, products and the API gateway's token service.

URLs carry the operation in ``?action=`` and the tenant in ``?orgId=``; every answer is the
``{code, msg, requestId, data}`` envelope with HTTP 200, even for business errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule
from werkzeug.wrappers import Request

from ...numbers import whole_number
from ...registry.errors import DomainError, TokenExpired, Unauthorized
from ...reply import Reply
from ..base import (
    Call,
    Compiled,
    Provider,
    ProviderError,
    decode_json_body,
    headers_of,
    json_response,
    query_of,
)
from . import auth, batch, devices, products, queries, tokens
from .errors import INTERNAL, INVALID_ARGUMENT, MESSAGES, EnosError, from_domain

#: the longest credential a 4011 echoes as its refresh token (poseidon's are 64 hex digits)
REFRESH_TOKEN_CHARS = 64

if TYPE_CHECKING:
    from ...cloud import FakeCloud

DEVICE_ACTIONS = {
    "create": "CreateDevice",
    "get": "GetDevice",
    "update": "UpdateDevice",
    "delete": "DeleteDevice",
    "enable": "EnableDevice",
    "disable": "DisableDevice",
    "replaceDevice": "ReplaceDevice",
    "search": "SearchDevice",
    "batchCreate": "BatchCreateDevice",
}
PRODUCT_ACTIONS = {
    "create": "CreateProduct",
    "get": "GetProduct",
    "search": "SearchProduct",
    "update": "UpdateProduct",
    "delete": "DeleteProduct",
}
#: the operation named when ``action`` is missing or unknown (answered with 99400)
UNKNOWN = "UnknownAction"

#: request fields fault rules can match on, from the query or the body
MATCH_FIELDS = ("productKey", "deviceKey", "assetId", "newDeviceKey")


class EnosProvider(Provider):
    name = "enos"
    operations = frozenset(
        {*DEVICE_ACTIONS.values(), *PRODUCT_ACTIONS.values(), "GetToken", "RefreshToken", UNKNOWN}
    )
    hidden_operations = frozenset({UNKNOWN})

    @classmethod
    def match_fields(cls, operation: str) -> frozenset[str]:
        """What ``bind`` collects: ``orgId``, MATCH_FIELDS, and the token service's ``appKey``."""
        token = ("appKey",) if operation in ("GetToken", "RefreshToken") else ()
        return frozenset(("orgId", *MATCH_FIELDS, *token))

    def __init__(self, cloud: FakeCloud) -> None:
        super().__init__(cloud)
        cloud.registry.keys.source(self.name, tokens.seeded_apps)

    @classmethod
    def rules(cls) -> list[Rule]:
        methods = ["GET", "POST"]
        return [
            Rule("/connect-service/v2.1/devices", endpoint=("enos", "devices"), methods=methods),
            Rule("/connect-service/v2.0/devices", endpoint=("enos", "devices-v2.0"), methods=methods),
            Rule("/connect-service/v2.1/products", endpoint=("enos", "products"), methods=methods),
            Rule("/apim-token-service/v2.0/token/get", endpoint=("enos", "token.get"), methods=["POST"]),
            Rule(
                "/apim-token-service/v2.0/token/refresh", endpoint=("enos", "token.refresh"), methods=["POST"]
            ),
        ]

    def bind(self, request: Request, route: str, args: dict[str, Any]) -> Call:
        query = request.args
        # the first value of each name, read from the MultiDict's own lists: a call reads six
        # names, mostly absent, and MultiDict.get is a Python call for each
        action, org = dict.get(query, "action"), dict.get(query, "orgId")
        operation = operation_of(route, action[0] if action else "")
        call = Call("enos", operation, request, args, tenant=org[0] if org and org[0] else None)
        if request.method == "POST":
            decode_json_body(call)
        call.params = match_params(route, call.tenant, query, call.body)
        return call

    def compiled(self, route: str) -> Compiled | None:
        return _compiled(route)

    def authenticate(self, call: Call) -> None:
        auth.authenticate(self, call)

    def handle(self, call: Call) -> Reply:
        handler = HANDLERS.get(call.operation)
        if handler is None:
            action = query_of(call).get("action")
            problem = "action is missing" if not action else f"action {action} is not supported"
            raise EnosError(INVALID_ARGUMENT, f"Invalid Argument action:{problem}")
        if call.operation not in auth.GATEWAY_OPERATIONS and not call.tenant:
            raise EnosError(INVALID_ARGUMENT, "Invalid Argument orgId:orgId is missing")
        return handler(self, call)

    # -- answers ------------------------------------------------------------------------------------
    def ok(self, call: Call, data: Any, **top: Any) -> Reply:
        call.code = "0"
        return json_response(
            {"code": 0, "msg": "OK", "requestId": self.cloud.ids.request_id(), "data": data, **top}
        )

    def from_domain(self, call: Call, error: DomainError) -> ProviderError:
        """Token trouble is the gateway's to answer: apim 4011/4012 in front of Connect, the
        token service's own 1203/1204 for GetToken and RefreshToken."""
        gateway_op = call.operation in auth.GATEWAY_OPERATIONS
        if isinstance(error, TokenExpired):
            if gateway_op:
                return tokens.TokenError(tokens.TOKEN_EXPIRED, "The accessToken has expired")
            token = self._refresh_token(call)
            return auth.GatewayError(
                auth.TOKEN_EXPIRED, "the access token has expired", apim_refreshtoken=token
            )
        if isinstance(error, Unauthorized):
            if gateway_op:
                return tokens.TokenError(tokens.REFRESH_FAILED, "Refresh failed")
            return auth.GatewayError(auth.TOKEN_INVALID, "the access token was refreshed or revoked")
        return from_domain(error, device_op=call.operation.endswith("Device"))

    def _refresh_token(self, call: Call) -> str:
        """What a 4011 hands back to refresh with: the token itself, as for the tokens the fake
        issues. A credential longer than a refresh token (poseidon's 344-character RSA blob, which
        only the real gateway can open, and whose refresh token it would return) gets a 64-hex
        stand-in derived from it, the length of poseidon's own refresh tokens: poseidon packs the
        value into its next RSA-OAEP blob, and the blob itself would not fit. No request at all
        when a rule's code is checked."""
        token = headers_of(call).get("apim-accesstoken", "")
        if len(token) <= REFRESH_TOKEN_CHARS or self.cloud.registry.tokens.find(token) is not None:
            return token
        return tokens.sha256_hex(token)

    def subject(self, call: Call) -> tuple[str, str] | None:
        """The product a product call names, else the device (by deviceKey or assetId)."""
        params = call.params
        if call.operation.endswith("Product"):
            key = params.get("productKey")
            return None if key is None else ("product", key)
        key = params.get("deviceKey", params.get("assetId"))
        return None if key is None else ("device", key)

    def from_code(self, call: Call, code: str) -> ProviderError:
        """A code named by a fault rule: Connect's (``"11714"``), the gateway's (``"4011"``) or,
        on GetToken/RefreshToken, the token service's (``"1203"``). Unknown codes raise ValueError,
        so a rule naming one is refused when it is added."""
        number = whole_number(code)
        gateway_op = call.operation in auth.GATEWAY_OPERATIONS
        if number in (auth.TOKEN_EXPIRED, auth.TOKEN_INVALID) and not gateway_op:
            expired = number == auth.TOKEN_EXPIRED
            return self.from_domain(call, TokenExpired() if expired else Unauthorized())
        if number in tokens.MESSAGES:
            return tokens.TokenError(number, tokens.MESSAGES[number])
        if number not in MESSAGES:
            known = ", ".join(map(str, [*MESSAGES, auth.TOKEN_EXPIRED, auth.TOKEN_INVALID, *tokens.MESSAGES]))
            raise ValueError(f"unknown EnOS error code {code!r} (known: {known})")
        return EnosError(number)

    def render(self, call: Call, error: ProviderError) -> Reply:
        call.code = str(error.code)
        if isinstance(error, auth.GatewayError | tokens.TokenError):
            return json_response(error.payload(), status=error.status)
        if call.operation in auth.GATEWAY_OPERATIONS:
            # injected faults and internal errors, in the token service's own envelope
            code = tokens.INTERNAL_ERROR if error.code == INTERNAL else error.code
            payload = {"status": code, "msg": error.message, "business": tokens.BUSINESS, "data": None}
            return json_response(payload, status=error.status)
        return json_response(
            {
                "code": error.code,
                "msg": error.message,
                "requestId": self.cloud.ids.request_id(),
                "data": None,
            },
            status=error.status,
        )

    def seed(self, section: Any, path: str) -> None:
        from .seed import seed

        seed(self, section, path)


HANDLERS = {
    "CreateDevice": devices.create,
    "GetDevice": devices.get,
    "UpdateDevice": devices.update,
    "DeleteDevice": devices.delete,
    "EnableDevice": devices.enable,
    "DisableDevice": devices.disable,
    "ReplaceDevice": devices.replace,
    "SearchDevice": queries.search_devices,
    "BatchCreateDevice": batch.create,
    "CreateProduct": products.create,
    "GetProduct": products.get,
    "SearchProduct": queries.search_products,
    "UpdateProduct": products.update,
    "DeleteProduct": products.delete,
    "GetToken": tokens.get,
    "RefreshToken": tokens.refresh,
}


def operation_of(route: str, action: str | None) -> str:
    """The operation a route's ``action`` names (UNKNOWN, answered with 99400, if none)."""
    if route == "devices":
        return DEVICE_ACTIONS.get(action or "", UNKNOWN)
    if route == "devices-v2.0":
        return "BatchCreateDevice" if action == "batchCreate" else UNKNOWN
    if route == "products":
        return PRODUCT_ACTIONS.get(action or "", UNKNOWN)
    return "GetToken" if route == "token.get" else "RefreshToken"


def match_params(route: str, tenant: str | None, query: MultiDict, body: Any) -> dict[str, Any]:
    """What fault rules match on and the journal records: ``orgId``, then each of MATCH_FIELDS
    from the query (which wins, even when empty) or a JSON object body, and on the token
    service the body's ``appKey``. Only text values count."""
    params: dict[str, Any] = {"orgId": tenant} if tenant else {}
    body = body if isinstance(body, dict) else {}
    first = dict.get  # the MultiDict's own lists (see ``bind``)
    for field in MATCH_FIELDS:
        given = first(query, field)
        value = given[0] if given else body.get(field)
        if isinstance(value, str):
            params[field] = value
    if route.startswith("token") and isinstance(body.get("appKey"), str):
        params["appKey"] = body["appKey"]
    return params


from .compiled import operation as _compiled  # noqa: E402  (it reads HANDLERS and match_params)
