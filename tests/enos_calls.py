"""EnOS calls the fault tests make, in-process (werkzeug Client) and over a socket (requests)."""

from __future__ import annotations

from typing import Any

import requests
from _enos import PRODUCT
from _enos import TOKEN as H
from werkzeug.test import Client

DEVICES = "/connect-service/v2.1/devices"
PRODUCTS = "/connect-service/v2.1/products"


def device_body(product_key: str, **fields: Any) -> dict[str, Any]:
    return {"productKey": product_key, "timezone": "+08:00", "deviceName": {"defaultValue": "m1"}, **fields}


def make_product(client: Client, org: str = "o1") -> str:
    answer = client.post(f"{PRODUCTS}?action=create&orgId={org}", json=PRODUCT, headers=H).json
    assert answer["code"] == 0, answer
    return answer["data"]


def create(client: Client, product_key: str, org: str = "o1", **fields: Any) -> Any:
    """The werkzeug TestResponse of one CreateDevice."""
    return client.post(
        f"{DEVICES}?action=create&orgId={org}", json=device_body(product_key, **fields), headers=H
    )


def get(client: Client, org: str = "o1", **query: str) -> Any:
    args = "".join(f"&{k}={v}" for k, v in query.items())
    return client.get(f"{DEVICES}?action=get&orgId={org}{args}", headers=H)


def live_product(url: str, org: str = "o1") -> str:
    answer = requests.post(f"{url}{PRODUCTS}?action=create&orgId={org}", json=PRODUCT, headers=H, timeout=10)
    assert answer.json()["code"] == 0, answer.text
    return answer.json()["data"]


def live_create(
    session: requests.Session | Any, url: str, product_key: str, org: str = "o1", **fields: Any
) -> requests.Response:
    return session.post(
        f"{url}{DEVICES}?action=create&orgId={org}",
        json=device_body(product_key, **fields),
        headers=H,
        timeout=10,
    )
