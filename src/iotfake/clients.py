"""Tiny ready-made HTTP clients for the fake's providers (what the pytest fixtures hand out)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import requests.auth


class ServiceSession(requests.Session):
    """A ``requests.Session`` that knows its base URL and sends a provider's credential.

    ``session.get("/connect-service/...")`` goes to the base URL; ``session.url(path)`` spells the
    absolute URL for code that wants one. Absolute URLs pass through untouched.
    """

    def __init__(self, base_url: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        if headers:
            self.headers.update(headers)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if isinstance(url, str) and url.startswith("/"):
            url = self.url(url)
        return super().request(method, url, *args, **kwargs)


class EnosGatewayAuth(requests.auth.AuthBase):
    """What an EnOS app sends through the API gateway under ``strict`` auth: its access token
    and ``apim-signature = sha256_hex(token + sorted query k+v + raw body + apim-timestamp +
    appSecret)`` over the request as it is actually sent (a repeated query name once, with its
    first value, as the gateway's signing page does).

    ``token`` is asked for every request, so a token that expired or was refreshed in between (the
    test moved the fake's clock) is replaced rather than answered 4011.
    """

    def __init__(self, token: Callable[[], str], secret: str) -> None:
        self.token = token
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self.token()
        timestamp = str(int(time.time() * 1000))
        query = parse_qsl(urlsplit(request.url or "").query, keep_blank_values=True)
        first: dict[str, str] = {}
        for name, value in query:  # a repeated name is signed once, with its first value
            first.setdefault(name, value)
        body = request.body or b""
        text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)
        params = "".join(k + v for k, v in sorted(first.items())) + text
        signed = hashlib.sha256((token + params + timestamp + self.secret).encode("utf-8")).hexdigest()
        request.headers.update(
            {"apim-accesstoken": token, "apim-timestamp": timestamp, "apim-signature": signed}
        )
        return request
