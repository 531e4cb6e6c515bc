"""ReplaceDevice: new deviceKey and secret, same assetId; 11704 same key, 11702 taken key."""

from __future__ import annotations

import re

from _enos import Enos

from iotfake import FakeCloud


def test_replace_gives_a_new_key_and_secret_under_the_same_asset() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-001")
    answer = enos.call("devices", "replaceDevice", {"newDeviceKey": "meter-001b"}, assetId=made["assetId"])
    assert answer["code"] == 0, answer
    data = answer["data"]
    assert set(data) == {"assetId", "productKey", "deviceKey", "deviceSecret"}
    assert data["assetId"] == made["assetId"] and data["productKey"] == pk
    assert data["deviceKey"] == "meter-001b"
    assert re.fullmatch(r"[A-Za-z0-9]{20}", data["deviceSecret"])
    assert data["deviceSecret"] != made["deviceSecret"]
    device = enos.get(productKey=pk, deviceKey="meter-001b")["data"]
    assert device["assetId"] == made["assetId"] and device["deviceSecret"] == data["deviceSecret"]
    assert device["status"] == "inactive"
    assert enos.get(productKey=pk, deviceKey="meter-001")["code"] == 11404
    assert enos.create(pk, deviceKey="meter-001")["code"] == 0  # the old key is free again


def test_replace_keeps_the_device_in_its_place_in_search_order() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    pk = enos.product()
    first = enos.device(pk, deviceKey="meter-001")
    enos.device(pk, deviceKey="meter-002")
    enos.call("devices", "replaceDevice", {"newDeviceKey": "meter-001b"}, assetId=first["assetId"])
    for expression in (None, f"productKey = '{pk}'"):
        keys = [d["deviceKey"] for d in enos.search(expression)["data"]]
        assert keys == ["meter-002", "meter-001b"]


def test_same_key_is_11704() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    pk = enos.product()
    enos.device(pk, deviceKey="meter-001")
    answer = enos.call(
        "devices", "replaceDevice", {"newDeviceKey": "meter-001"}, productKey=pk, deviceKey="meter-001"
    )
    assert answer["code"] == 11704 and answer["data"] is None


def test_taken_key_is_11702_and_nothing_changes() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-001")
    enos.device(pk, deviceKey="meter-002")
    before = enos.get(assetId=made["assetId"])["data"]
    answer = enos.call("devices", "replaceDevice", {"newDeviceKey": "meter-002"}, assetId=made["assetId"])
    assert answer["code"] == 11702
    assert enos.get(assetId=made["assetId"])["data"] == before


def test_new_device_key_is_required_and_checked() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    made = enos.device(enos.product())
    for body in ({}, {"newDeviceKey": "x"}, {"newDeviceKey": 1234}, {"newDeviceKey": "has space"}):
        answer = enos.call("devices", "replaceDevice", body, assetId=made["assetId"])
        assert answer["code"] == 99400 and "newDeviceKey" in answer["msg"], body


def test_unknown_device_is_11404() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    answer = enos.call("devices", "replaceDevice", {"newDeviceKey": "meter-009"}, assetId="nope1234")
    assert answer["code"] == 11404
