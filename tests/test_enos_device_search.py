"""SearchDevice over the wire: every expression field, against the seeded meter fleet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _enos import Enos

from iotfake import FakeCloud

FLEET = Path(__file__).parent.parent / "fixtures" / "enos_meter_fleet.json"


@pytest.fixture(scope="module")
def enos() -> Enos:
    cloud = FakeCloud(seed=1)
    cloud.load(FLEET)
    return Enos.wsgi(cloud, org="o_meter_fleet")


def keys(answer: dict) -> list[str]:
    assert answer["code"] == 0, answer
    return [d["deviceKey"] for d in answer["data"]]


def numbers(answer: dict) -> list[int]:
    return sorted(int(k.split("-")[1]) for k in keys(answer))


def everything(enos: Enos, expression: str) -> dict:
    return enos.search(expression, pagination={"pageNo": 1, "pageSize": 200})


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("deviceKey = 'meter-003'", [3]),
        ("deviceKey in ('meter-003', 'meter-017', 'nope')", [3, 17]),
        ("assetId = 'Meter005'", [5]),
        ("assetId in ('Meter005', 'Meter006')", [5, 6]),
        ("productKey = 'SmMeter1' and deviceKey = 'meter-020'", [20]),
        ("productKey in ('FeedGw01')", []),
        ("modelId = 'smart_meter' and deviceTags.feeder = 'F4'", [16, 17, 18, 19, 20]),
        ("modelId in ('feeder_gateway')", []),
        ("productType = 'Device' and deviceTags.critical = 'yes'", [7, 14]),
        ("productType = 'Gateway'", []),
        ("status = 'disable'", [3, 7, 11, 15, 19]),
        ("status in ('online', 'offline') and deviceTags.feeder = 'F1'", [1, 2, 5]),
        ("exists(deviceTags.critical)", [7, 14]),
        ("not exists(deviceTags.critical) and deviceTags.feeder = 'F2'", [6, 8, 9, 10]),
        ("deviceTags.feeder in ('F1', 'F2') and deviceAttributes.phases = 3", [3, 6, 9]),
        ("deviceAttributes.phases = '3' and deviceTags.feeder = 'F1'", [3]),
        ("deviceAttributes.phases in (3) and deviceTags.feeder = 'F4'", [18]),
        ("exists(deviceAttributes.voltage)", []),
        ("deviceName like 'Meter 1_'", list(range(10, 20))),
        ("deviceName.default like 'meter 2%'", [2, 20]),
        ("deviceName.en_US like '%r 9'", [9]),
        ("deviceName.zh_CN like 'Meter 20'", [20]),
        ("deviceKey = 'meter-001' or deviceKey = 'meter-002' and status = 'disable'", [1]),
        ("(deviceKey = 'meter-001' or deviceKey = 'meter-002') and status = 'offline'", [2]),
    ],
)
def test_expression_fields(enos: Enos, expression: str, expected: list[int]) -> None:
    answer = everything(enos, expression)
    assert numbers(answer) == expected
    assert answer["pagination"]["totalSize"] == len(expected)


def test_results_are_newest_first(enos: Enos) -> None:
    answer = everything(enos, "deviceTags.feeder = 'F1'")
    assert keys(answer) == [f"meter-{i:03d}" for i in (5, 4, 3, 2, 1)]
    times = [d["createTime"] for d in answer["data"]]
    assert times == sorted(times, reverse=True)


def test_a_found_device_is_the_full_device_struct(enos: Enos) -> None:
    (device,) = everything(enos, "assetId = 'Meter002'")["data"]
    assert device == {
        "orgId": "o_meter_fleet",
        "assetId": "Meter002",
        "modelId": "smart_meter",
        "modelIdPath": "/smart_meter",
        "productKey": "SmMeter1",
        "productName": {"defaultValue": "Smart meter", "i18nValue": {}},
        "productType": "Device",
        "dataFormat": "Json",
        "deviceKey": "meter-002",
        "deviceName": {"defaultValue": "Meter 2", "i18nValue": {"en_US": "Meter 2"}},
        "deviceSecret": device["deviceSecret"],
        "deviceDesc": None,
        "timezone": "+01:00",
        "deviceAttributes": {"phases": 1},
        "deviceTags": {"feeder": "F1"},
        "createTime": 1700000002000,
        "status": "offline",
        "activeTime": 1700000000002,
        "lastOnlineTime": 0,
        "lastOfflineTime": 0,
        "measurepointLastUpdate": None,
        "eventLastUpdate": None,
        "attributeLastUpdate": None,
        "featureLastUpdate": None,
    }


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("deviceKey like 'meter%'", "deviceKey does not support the operator 'like'"),
        ("status = 'sleeping'", "status must be one of inactive, online, offline, disable"),
        ("productType = 'Sensor'", "productType must be one of Device, Gateway"),
        ("deviceSecret = 'x'", "unknown field 'deviceSecret'"),
        ("deviceName = 'Meter 1'", "deviceName does not support the operator '='"),
        ("deviceKey = 'meter-001' and", "expected a field name at the end"),
    ],
)
def test_bad_expressions_are_99400_naming_the_problem(enos: Enos, expression: str, problem: str) -> None:
    answer = enos.search(expression)
    assert answer["code"] == 99400 and answer["data"] is None
    assert answer["msg"].startswith("Invalid Argument expression:") and problem in answer["msg"]
    assert "pagination" not in answer


def test_expression_must_be_a_string(enos: Enos) -> None:
    answer = enos.call("devices", "search", {"expression": ["deviceKey = 'x'"]})
    assert answer["code"] == 99400 and "expression must be a string" in answer["msg"]


def test_search_in_an_org_with_no_devices(enos: Enos) -> None:
    answer = enos.call("devices", "search", {}, org="o_empty")
    assert answer["code"] == 0 and answer["data"] == []
    assert answer["pagination"] == {"sortedBy": None, "pageNo": 1, "pageSize": 10, "totalSize": 0}


@pytest.mark.parametrize(
    "pinned",
    [
        "deviceKey = 'meter-003'",
        "deviceKey = 'nope'",
        "assetId = 'Meter005'",
        "assetId = 'meter005'",
        "productKey = 'SmMeter1' and deviceKey = 'meter-020'",
        "productKey = 'FeedGw01' and deviceKey = 'meter-020'",
        "productKey = 'nope' and assetId = 'Meter005'",
        "deviceKey = 'meter-003' and status = 'disable'",
        "deviceKey = 'meter-004' and status = 'disable'",
        "status = 'disable' and assetId = 'Meter007' and deviceTags.critical = 'yes'",
    ],
)
def test_an_expression_naming_one_device_finds_what_a_search_of_every_device_finds(
    enos: Enos, pinned: str
) -> None:
    """``deviceKey = 'x'`` and ``assetId = 'x'`` look the device up; ``in ('x')`` (the same
    test) searches every device: the answers are the same."""
    searched = re.sub(r"(deviceKey|assetId) = ('[^']*')", r"\1 in (\2)", pinned)
    assert searched != pinned
    pinned_answer, searched_answer = everything(enos, pinned), everything(enos, searched)
    assert pinned_answer["code"] == 0 and pinned_answer["data"] == searched_answer["data"]
    assert pinned_answer["pagination"] == searched_answer["pagination"]
