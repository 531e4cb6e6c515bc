"""A thin scriptr caller for the tests, over a live server with requests."""

from __future__ import annotations

import requests

from iotfake import FakeCloud


class ScriptrLive:
    """A live fake plus the owner token of account ``acme``, for ``requests``-driven scriptr tests."""

    def __init__(self, cloud: FakeCloud, url: str) -> None:
        self.cloud = cloud
        self.url = url
        self.acme = cloud.scriptr("acme")
        self.token = self.acme.token

    def post(self, path: str, body: object = None, token: str | None = "", **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers.setdefault("Authorization", f"bearer {token or self.token}")
        return requests.post(f"{self.url}/scriptr/{path}", json=body, headers=headers, timeout=10, **kwargs)

    def get(
        self, path: str, params: dict | None = None, token: str | None = "", **kwargs
    ) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers.setdefault("Authorization", f"bearer {token or self.token}")
        return requests.get(
            f"{self.url}/scriptr/{path}", params=params, headers=headers, timeout=10, **kwargs
        )

    def result(self, path: str, body: object = None, token: str | None = "") -> dict:
        """The module's answer (``response.result``) of a call the platform accepted."""
        response = self.post(path, body, token)
        assert response.status_code == 200, response.text
        envelope = response.json()["response"]
        assert envelope["metadata"]["status"] == "success", envelope
        return envelope["result"]
