"""A thin EnOS caller for the tests: the same calls through werkzeug's Client or requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import requests
from werkzeug.test import Client

from iotfake import FakeCloud

TOKEN = {"apim-accesstoken": "test-token"}
PRODUCT = {
    "productName": {"defaultValue": "Meter"},
    "productType": "Device",
    "dataFormat": "Json",
    "modelId": "meter",
    "biDirectionalAuth": False,
}

Send = Callable[[str, str, Any, dict[str, str]], dict[str, Any]]


class Enos:
    """``enos.call("devices", "create", {...})`` -> the decoded answer."""

    def __init__(self, send: Send, org: str = "o1", headers: dict[str, str] | None = None) -> None:
        self.send = send
        self.org = org
        self.headers = TOKEN if headers is None else headers

    @classmethod
    def wsgi(cls, cloud: FakeCloud, **options: Any) -> Enos:
        client = Client(cloud.wsgi_app)

        def send(method: str, path: str, body: Any, headers: dict[str, str]) -> dict[str, Any]:
            data = None if body is None else body if isinstance(body, bytes) else json.dumps(body)
            response = client.open(
                path, method=method, data=data, headers=headers, content_type="application/json"
            )
            assert response.status_code < 500, response.get_data(as_text=True)
            return response.json

        return cls(send, **options)

    @classmethod
    def http(cls, url: str, session: requests.Session | None = None, **options: Any) -> Enos:
        http = session or requests.Session()

        def send(method: str, path: str, body: Any, headers: dict[str, str]) -> dict[str, Any]:
            data = None if body is None else body if isinstance(body, bytes) else json.dumps(body)
            response = http.request(
                method,
                url + path,
                data=data,
                headers={**headers, "Content-Type": "application/json"},
                timeout=30,
            )
            assert response.status_code < 500, response.text
            return response.json()

        return cls(send, **options)

    def call(
        self,
        resource: str,
        action: str | None,
        body: Any = None,
        *,
        method: str | None = None,
        org: str | None = None,
        version: str = "v2.1",
        headers: dict[str, str] | None = None,
        **query: str,
    ) -> dict[str, Any]:
        params = {} if action is None else {"action": action}
        org = self.org if org is None else org
        if org:
            params["orgId"] = org
        params.update(query)
        path = f"/connect-service/{version}/{resource}?{urlencode(params)}"
        verb = method or ("GET" if action == "get" else "POST")
        return self.send(verb, path, body, self.headers if headers is None else headers)

    # -- shortcuts ------------------------------------------------------------------------------
    def product(self, **fields: Any) -> str:
        answer = self.call("products", "create", {**PRODUCT, **fields})
        assert answer["code"] == 0, answer
        return answer["data"]

    def create(self, product_key: str, *, org: str | None = None, **fields: Any) -> dict[str, Any]:
        body = {
            "productKey": product_key,
            "timezone": "+08:00",
            "deviceName": {"defaultValue": "meter"},
            **fields,
        }
        return self.call("devices", "create", body, org=org)

    def device(self, product_key: str, **fields: Any) -> dict[str, Any]:
        answer = self.create(product_key, **fields)
        assert answer["code"] == 0, answer
        return answer["data"]

    def get(self, **query: str) -> dict[str, Any]:
        return self.call("devices", "get", **query)

    def search(self, expression: str | None = None, **body: Any) -> dict[str, Any]:
        if expression is not None:
            body["expression"] = expression
        return self.call("devices", "search", body)
