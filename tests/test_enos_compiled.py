"""EnOS's compiled routes (``providers.enos.compiled``) take the Connect calls that name a known
action and an org, and hand every other call back to the general path before anything happens.
What they answer is held to the general path by ``test_express_lane``; this says which calls
they take."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from freezegun import freeze_time
from test_compiled_operations import compiled_calls

from iotfake import FakeCloud
from iotfake.app import App
from iotfake.providers.enos.compiled import operation
from iotfake.transports import call_wsgi

ENOS = "http://iotfake/connect-service/v2.1"
TOKEN = [("apim-accesstoken", "t1"), ("Content-Type", "application/json")]
PRODUCT = {
    "productName": {"defaultValue": "Meter"},
    "productType": "Device",
    "dataFormat": "Json",
    "biDirectionalAuth": False,
}


def send(cloud: FakeCloud, method: str, path: str, body: Any = None, headers: Any = None) -> dict:
    data = body if isinstance(body, bytes | None) else json.dumps(body).encode()
    _, _, content = call_wsgi(
        cloud.wsgi_app, method, ENOS + path, TOKEN if headers is None else headers, data
    )
    return json.loads(content)


@pytest.mark.parametrize(
    ("route", "compiled"),
    [
        ("devices", True),
        ("products", True),
        ("devices-v2.0", True),
        ("token.get", False),
        ("token.refresh", False),
    ],
)
def test_which_routes_compile(route: str, compiled: bool) -> None:
    assert (operation(route) is not None) is compiled


def test_connect_calls_are_taken() -> None:
    cloud = FakeCloud(seed=1)
    with compiled_calls() as seen:
        product = send(cloud, "POST", "/products?action=create&orgId=o1", {**PRODUCT, "modelId": "m"})["data"]
        device = {
            "productKey": product,
            "deviceKey": "dev1",
            "deviceName": {"defaultValue": "d"},
            "timezone": "+08:00",
        }
        assert send(cloud, "POST", "/devices?action=create&orgId=o1", device)["code"] == 0
        assert send(cloud, "POST", "/devices?action=create&orgId=o1", device)["code"] == 11702  # rendered
        got = send(cloud, "GET", f"/devices?action=get&orgId=o1&productKey={product}&deviceKey=dev1")
        assert got["data"]["deviceKey"] == "dev1"
        assert send(cloud, "POST", "/devices?action=create&orgId=o1", b"{")["code"] == 99400
        assert send(cloud, "POST", "/devices?action=get&orgId=o1", headers=[])["apim_status"] == 4010
    assert seen == [True] * 6
    entries = cloud.journal.calls()
    assert [e.operation for e in entries] == [
        "CreateProduct",
        "CreateDevice",
        "CreateDevice",
        "GetDevice",
        "CreateDevice",
        "GetDevice",
    ]
    assert entries[1].params == {"orgId": "o1", "productKey": product, "deviceKey": "dev1"}
    assert [e.code for e in entries[2:]] == ["11702", "0", "99400", "4010"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/devices?orgId=o1", b"{}"),  # no action: the general path words the 99400
        ("/devices?action=frobnicate&orgId=o1", b"{}"),
        ("/devices?action=create", b"{}"),  # no org
        ("/devices?action=create&orgId=", b"{}"),
        ("/devices?action=create&orgId=o%31", b"{}"),  # an escape: werkzeug's parsing
        ("/devices?action=create&orgId=o+1", b"{}"),
    ],
)
@freeze_time("2026-12-05 12:00:00")
def test_calls_the_general_path_answers_are_handed_back(path: str, body: bytes) -> None:
    cloud = FakeCloud(seed=1)
    with compiled_calls() as seen:
        send(cloud, "POST", path, body)
    assert seen == [False]
    assert len(cloud.journal.calls()) == 1  # answered and journaled once, by the general path
    twin = FakeCloud(seed=1)
    with mock.patch.object(App, "express", lambda *_: None):
        send(twin, "POST", path, body)
    assert cloud.snapshot() == twin.snapshot()
    assert json.dumps(cloud.journal.calls()[0].params) == json.dumps(twin.journal.calls()[0].params)


def test_strict_auth_and_the_token_service_take_the_general_path() -> None:
    strict = FakeCloud(seed=1, auth="strict")
    with compiled_calls() as seen:
        assert send(strict, "POST", "/devices?action=get&orgId=o1&assetId=a")["apim_status"] == 4012
    assert seen == [False]
    cloud = FakeCloud(seed=1)
    with compiled_calls() as seen:
        call_wsgi(cloud.wsgi_app, "POST", "http://iotfake/apim-token-service/v2.0/token/get", TOKEN, b"{}")
    assert seen == []  # no compiled operation for the route at all
