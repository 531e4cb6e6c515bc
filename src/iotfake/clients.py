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
