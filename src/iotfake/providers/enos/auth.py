"""The EnOS API gateway in front of Connect: ``apim-accesstoken`` checks per auth mode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..base import Call, ProviderError

if TYPE_CHECKING:
    from . import EnosProvider

#: operations of the token service itself, which need no token
GATEWAY_OPERATIONS = frozenset({"GetToken", "RefreshToken"})


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
    token = call.request.headers.get("apim-accesstoken")
    if not token:
        raise GatewayError(4010, "the apim-accesstoken header is missing", status=401)
    call.principal = token
