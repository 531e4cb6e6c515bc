"""The main EnOS flows through requests against a live ``cloud.serve()``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import requests
from _enos import Enos

from iotfake import FakeCloud


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[FakeCloud, str]]:
    cloud = FakeCloud(seed=1)
    with cloud.serve() as server:
        yield cloud, server.url


@pytest.fixture
def enos(live) -> Iterator[Enos]:
    cloud, url = live
    cloud.reset()
    with requests.Session() as session:
        yield Enos.http(url, session)


def test_product_and_device_lifecycle(enos: Enos) -> None:
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-001", deviceTags={"site": "north"})
    assert enos.get(assetId=made["assetId"])["data"]["deviceKey"] == "meter-001"
    assert (
        enos.call("devices", "update", {"deviceTags": {"site": "south"}}, assetId=made["assetId"])["code"]
        == 0
    )
    assert enos.search("deviceTags.site = 'south'")["pagination"]["totalSize"] == 1
    assert enos.call("devices", "disable", assetId=made["assetId"])["code"] == 0
    assert enos.call("devices", "disable", assetId=made["assetId"])["code"] == 11723
    assert enos.call("devices", "enable", assetId=made["assetId"])["code"] == 0
    replaced = enos.call("devices", "replaceDevice", {"newDeviceKey": "meter-002"}, assetId=made["assetId"])
    assert replaced["data"]["deviceKey"] == "meter-002"
    assert enos.call("products", "delete", productKey=pk)["code"] == 11619
    assert enos.call("devices", "delete", productKey=pk, deviceKey="meter-002")["code"] == 0
    assert enos.call("products", "delete", productKey=pk)["data"] == pk


def test_batch_create_and_paged_search(enos: Enos) -> None:
    pk = enos.product()
    items = [
        {"productKey": pk, "timezone": "+08:00", "deviceName": {"defaultValue": f"m{i}"}} for i in range(25)
    ]
    answer = enos.call("devices", "batchCreate", {"deviceList": items}, version="v2.0")
    assert answer["successSize"] == answer["totalSize"] == 25
    page = enos.search(f"productKey = '{pk}'", pagination={"pageNo": 3, "pageSize": 10})
    assert [d["deviceName"]["defaultValue"] for d in page["data"]] == [f"m{i}" for i in range(4, -1, -1)]
    assert page["pagination"] == {"sortedBy": None, "pageNo": 3, "pageSize": 10, "totalSize": 25}


def test_errors_come_back_as_http_200_envelopes(enos: Enos, live) -> None:
    _, url = live
    response = requests.post(
        f"{url}/connect-service/v2.1/devices?action=create&orgId=o1",
        data=b"{broken",
        headers={"apim-accesstoken": "t", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 200 and response.json()["code"] == 99400
    assert enos.create("NoSuchPk")["code"] == 11611
    assert enos.get(assetId="nope1234")["code"] == 11404


def test_token_flow_and_expiry_over_http(live) -> None:
    cloud, url = live
    cloud.reset()
    timestamp = 1700000000000
    payload = {
        "appKey": "k",
        "timestamp": timestamp,
        "encryption": hashlib.sha256(f"k{timestamp}s".encode()).hexdigest(),
    }
    token = requests.post(f"{url}/apim-token-service/v2.0/token/get", json=payload, timeout=10).json()[
        "data"
    ]["accessToken"]
    search = f"{url}/connect-service/v2.1/devices?action=search&orgId=o1"
    assert requests.post(search, json={}, headers={"apim-accesstoken": token}, timeout=10).json()["code"] == 0
    assert requests.post(f"{url}/_iotfake/clock", json={"advance": 7200}, timeout=10).status_code == 200
    expired = requests.post(search, json={}, headers={"apim-accesstoken": token}, timeout=10)
    assert expired.status_code == 200 and expired.json()["apim_status"] == 4011


def test_oversized_body_is_413(live) -> None:
    _, url = live
    big = b'{"deviceList": "' + b"x" * (1024 * 1024 + 1) + b'"}'
    response = requests.post(
        f"{url}/connect-service/v2.0/devices?action=batchCreate&orgId=o1",
        data=big,
        headers={"apim-accesstoken": "t", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
