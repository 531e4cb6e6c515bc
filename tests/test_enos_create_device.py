"""EnOS CreateDevice / GetDevice through werkzeug's test client."""

from __future__ import annotations

import re

from _enos import PRODUCT
from _enos import TOKEN as H
from werkzeug.test import Client

from iotfake import FakeCloud


def make_product(client: Client, org: str = "o1") -> str:
    answer = client.post(
        f"/connect-service/v2.1/products?action=create&orgId={org}", json=PRODUCT, headers=H
    ).json
    assert answer["code"] == 0, answer
    return answer["data"]


def create(client: Client, product_key: str, **fields) -> dict:
    body = {"productKey": product_key, "timezone": "+08:00", "deviceName": {"defaultValue": "m1"}, **fields}
    return client.post("/connect-service/v2.1/devices?action=create&orgId=o1", json=body, headers=H).json


def test_create_device_answers_the_documented_envelope(client: Client) -> None:
    pk = make_product(client)
    answer = create(client, pk)
    assert set(answer) == {"code", "msg", "requestId", "data"}
    assert answer["code"] == 0 and answer["msg"] == "OK"
    assert re.fullmatch(r"[0-9a-f-]{36}", answer["requestId"])
    data = answer["data"]
    assert set(data) == {"assetId", "productKey", "deviceKey", "deviceSecret"}
    assert re.fullmatch(r"[A-Za-z0-9]{8}", data["assetId"])
    assert re.fullmatch(r"[A-Za-z0-9]{20}", data["deviceSecret"])
    assert data["productKey"] == pk


def test_get_device_by_asset_id_and_by_keys(client: Client) -> None:
    pk = make_product(client)
    data = create(client, pk, deviceKey="meter-001")["data"]
    by_asset = client.get(
        f"/connect-service/v2.1/devices?action=get&orgId=o1&assetId={data['assetId']}", headers=H
    ).json
    by_keys = client.get(
        f"/connect-service/v2.1/devices?action=get&orgId=o1&productKey={pk}&deviceKey=meter-001", headers=H
    ).json
    assert by_asset["data"] == by_keys["data"]
    device = by_asset["data"]
    assert device["deviceKey"] == "meter-001"
    assert device["status"] == "inactive"
    assert device["deviceDesc"] is None
    assert device["activeTime"] == 0


def test_duplicate_device_key_is_11702(client: Client) -> None:
    pk = make_product(client)
    assert create(client, pk, deviceKey="meter-001")["code"] == 0
    answer = create(client, pk, deviceKey="meter-001")
    assert answer["code"] == 11702 and answer["data"] is None


def test_tiny_key_space_reaches_11714_through_real_collisions() -> None:
    cloud = FakeCloud(seed=3, device_key_length=1, device_key_alphabet="ab")
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    codes = [create(client, pk)["code"] for _ in range(4)]
    assert codes[:2] == [0, 0]
    assert codes[2:] == [11714, 11714]


def test_quota_is_11739(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    cloud.registry.tenant("enos", "o1").product(pk).quota = 2
    assert [create(client, pk)["code"] for _ in range(3)] == [0, 0, 11739]


def test_same_seed_same_values() -> None:
    def run() -> dict:
        client = Client(FakeCloud(seed=42).wsgi_app)
        return create(client, make_product(client))

    assert run() == run()
