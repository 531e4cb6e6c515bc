"""Tiny ready-made HTTP clients for the fake's providers (what the pytest fixtures hand out)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests


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


class EnosGatewaySigner(requests.auth.AuthBase):
    """What EnOS's API gateway asks of every call under strict auth: the app's access token and
    ``apim-signature = sha256(accessToken + paramsData + timestamp + appSecret)``, where paramsData
    is the query parameters sorted by name (``name + value``) followed by the raw body."""

    def __init__(self, token: str, secret: str, clock: Any = None) -> None:
        self.token, self.secret = token, secret
        self.clock = clock

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        import hashlib
        import time
        from urllib.parse import parse_qsl, urlsplit

        query = sorted(
            parse_qsl(urlsplit(request.url or "").query, keep_blank_values=True), key=lambda kv: kv[0]
        )
        body = request.body or b""
        text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)
        stamp = str(int((self.clock() if self.clock else time.time()) * 1000))
        params = "".join(k + v for k, v in query) + text
        digest = hashlib.sha256((self.token + params + stamp + self.secret).encode("utf-8")).hexdigest()
        request.headers.update(
            {"apim-accesstoken": self.token, "apim-timestamp": stamp, "apim-signature": digest}
        )
        return request
