"""BatchCreateDevice on v2.0 and v2.1: per-item results, successSize/totalSize, list limits."""

from __future__ import annotations

import pytest
from _enos import Enos

from iotfake import FakeCloud


def option(pk: str, **fields: object) -> dict:
    return {"productKey": pk, "timezone": "+08:00", "deviceName": {"defaultValue": "m"}, **fields}


@pytest.mark.parametrize("version", ["v2.0", "v2.1"])
def test_batch_answers_each_item_and_one_failure_does_not_stop_the_rest(version: str) -> None:
    cloud = FakeCloud(seed=1)
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    enos.device(pk, deviceKey="taken-01")
    items = [
        option(pk, deviceKey="meter-001"),
        option(pk, deviceKey="taken-01"),
        option(pk, timezone="nowhere"),
        "not an object",
        option("NoSuchPk"),
        option(pk),
    ]
    answer = enos.call("devices", "batchCreate", {"deviceList": items}, version=version)
    assert answer["code"] == 0 and answer["msg"] == "OK"
    assert answer["totalSize"] == 6 and answer["successSize"] == 2
    results = answer["data"]
    assert [r["code"] for r in results] == [0, 11702, 99400, 99400, 11611, 0]
    assert all(set(r) == {"code", "msg", "data"} for r in results)
    assert results[0]["data"]["deviceKey"] == "meter-001"
    assert set(results[0]["data"]) == {"assetId", "productKey", "deviceKey", "deviceSecret"}
    assert "deviceList[2].timezone" in results[2]["msg"]
    assert all(r["data"] is None for r in results[1:5])
    assert len(cloud.registry.tenant("enos", "o1").devices) == 3


def test_quota_cuts_a_batch_item_by_item() -> None:
    cloud = FakeCloud(seed=1)
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    cloud.registry.tenant("enos", "o1").product(pk).quota = 2
    answer = enos.call(
        "devices", "batchCreate", {"deviceList": [option(pk) for _ in range(4)]}, version="v2.0"
    )
    assert [r["code"] for r in answer["data"]] == [0, 0, 11739, 11739]
    assert answer["successSize"] == 2


def test_duplicate_keys_inside_one_batch() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    pk = enos.product()
    items = [option(pk, deviceKey="meter-001"), option(pk, deviceKey="meter-001")]
    answer = enos.call("devices", "batchCreate", {"deviceList": items}, version="v2.0")
    assert [r["code"] for r in answer["data"]] == [0, 11702]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({}, "deviceList is missing"),
        ({"deviceList": {"productKey": "x"}}, "must be a list"),
        ({"deviceList": []}, "must not be empty"),
        ({"deviceList": [{}] * 1001}, "more than 1000"),
    ],
)
def test_a_malformed_batch_is_99400_and_creates_nothing(body: dict, problem: str) -> None:
    cloud = FakeCloud(seed=1)
    enos = Enos.wsgi(cloud)
    enos.product()
    answer = enos.call("devices", "batchCreate", body, version="v2.0")
    assert answer["code"] == 99400 and problem in answer["msg"] and answer["data"] is None
    assert "successSize" not in answer
    assert not cloud.registry.tenant("enos", "o1").devices


def test_a_full_batch_of_1000_is_accepted() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    pk = enos.product()
    answer = enos.call("devices", "batchCreate", {"deviceList": [option(pk)] * 1000}, version="v2.0")
    assert answer["successSize"] == answer["totalSize"] == 1000
    assert len({r["data"]["deviceKey"] for r in answer["data"]}) == 1000


def test_other_actions_are_not_served_on_v2_0() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    answer = enos.call("devices", "create", {}, version="v2.0")
    assert answer["code"] == 99400 and "action create is not supported" in answer["msg"]
