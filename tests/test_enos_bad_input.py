"""Bad input anywhere: HTTP 200, the EnOS envelope, a message naming the field, state unchanged."""

from __future__ import annotations

import pytest
from _enos import PRODUCT, Enos

from iotfake import FakeCloud

OPTION = {"timezone": "+08:00", "deviceName": {"defaultValue": "m"}}


@pytest.fixture
def setup() -> tuple[FakeCloud, Enos, str, dict]:
    cloud = FakeCloud(seed=1)
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-001")
    return cloud, enos, pk, made


def assert_invalid(answer: dict, field: str) -> None:
    assert set(answer) == {"code", "msg", "requestId", "data"}
    assert answer["code"] == 99400 and answer["data"] is None
    assert answer["msg"].startswith(f"Invalid Argument {field}:"), answer["msg"]


CREATE_CASES = [
    ({**OPTION}, "productKey"),
    ({**OPTION, "productKey": 7}, "productKey"),
    ({"deviceName": {"defaultValue": "m"}, "productKey": "PK"}, "timezone"),
    ({**OPTION, "productKey": "PK", "timezone": "+25:00"}, "timezone"),
    ({**OPTION, "productKey": "PK", "timezone": 8}, "timezone"),
    ({"timezone": "+08:00", "productKey": "PK"}, "deviceName"),
    ({**OPTION, "productKey": "PK", "deviceName": {"defaultValue": " "}}, "deviceName.defaultValue"),
    (
        {**OPTION, "productKey": "PK", "deviceName": {"defaultValue": "m", "i18nValue": {"en_US": 1}}},
        "deviceName.i18nValue",
    ),
    (
        {**OPTION, "productKey": "PK", "deviceName": {"defaultValue": "m", "i18nValue": []}},
        "deviceName.i18nValue",
    ),
    ({**OPTION, "productKey": "PK", "deviceKey": "abc"}, "deviceKey"),
    ({**OPTION, "productKey": "PK", "deviceKey": "a" * 65}, "deviceKey"),
    ({**OPTION, "productKey": "PK", "deviceKey": "meter/001"}, "deviceKey"),
    ({**OPTION, "productKey": "PK", "deviceKey": 12345}, "deviceKey"),
    ({**OPTION, "productKey": "PK", "deviceDesc": ["x"]}, "deviceDesc"),
    ({**OPTION, "productKey": "PK", "deviceAttributes": "x"}, "deviceAttributes"),
    ({**OPTION, "productKey": "PK", "deviceTags": ["x"]}, "deviceTags"),
    ({**OPTION, "productKey": "PK", "deviceTags": {"k" * 51: "v"}}, "deviceTags." + "k" * 51),
    ({**OPTION, "productKey": "PK", "deviceTags": {"site": "v" * 201}}, "deviceTags.site"),
    ({**OPTION, "productKey": "PK", "deviceTags": {"site": 3}}, "deviceTags.site"),
    ({**OPTION, "productKey": "PK", "deviceTags": {f"k{i}": "v" for i in range(101)}}, "deviceTags"),
]


@pytest.mark.parametrize(("body", "field"), CREATE_CASES)
def test_create_device_rejects_bad_fields(setup, body: dict, field: str) -> None:
    cloud, enos, pk, _ = setup
    if body.get("productKey") == "PK":
        body = {**body, "productKey": pk}
    before = cloud.snapshot()["registry"]
    assert_invalid(enos.call("devices", "create", body), field)
    assert cloud.snapshot()["registry"] == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timezone": None}, "Invalid Argument timezone:timezone is missing"),
        ({"timezone": ""}, "Invalid Argument timezone:timezone is missing"),
        ({"timezone": 8}, "Invalid Argument timezone:timezone must be a string"),
        ({"deviceName": {}}, "Invalid Argument deviceName.defaultValue:deviceName.defaultValue is missing"),
        (
            {"deviceName": {"defaultValue": 5}},
            "Invalid Argument deviceName.defaultValue:deviceName.defaultValue must be a string",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_not_called_missing(setup, change: dict, message: str) -> None:
    """A timezone of 8 was answered "timezone is missing", which sends the caller looking for
    a field they did send."""
    _, enos, pk, made = setup
    body = {k: v for k, v in {**OPTION, "productKey": pk, **change}.items() if v is not None}
    assert enos.call("devices", "create", body)["msg"] == message
    update = enos.call("devices", "update", change, assetId=made["assetId"])
    if change.get("timezone") is None and "deviceName" not in change:
        return  # an update without a timezone (or with null) leaves it as it is
    assert update["msg"] == message


def test_iana_zones_and_offsets_are_accepted(setup) -> None:
    _, enos, pk, _ = setup
    for zone in ("+08:00", "-05:30", "+00:00", "America/Los_Angeles", "UTC"):
        assert enos.create(pk, timezone=zone)["code"] == 0, zone


@pytest.mark.parametrize(
    ("raw", "field"),
    [(b"{not json", "body"), (b"[1, 2]", "body"), (b'"text"', "body"), (b"\xff\xfe", "body")],
)
def test_malformed_bodies(setup, raw: bytes, field: str) -> None:
    cloud, enos, _, made = setup
    before = cloud.snapshot()["registry"]
    for resource, action, query in (
        ("devices", "create", {}),
        ("devices", "update", {"assetId": made["assetId"]}),
        ("devices", "replaceDevice", {"assetId": made["assetId"]}),
        ("devices", "search", {}),
        ("devices", "batchCreate", {}),
        ("products", "create", {}),
        ("products", "search", {}),
    ):
        assert_invalid(enos.call(resource, action, raw, **query), field)
    assert cloud.snapshot()["registry"] == before


def test_missing_and_unknown_actions(setup) -> None:
    _, enos, _, _ = setup
    assert_invalid(enos.call("devices", None, {}), "action")
    assert "action is missing" in enos.call("devices", None, {})["msg"]
    answer = enos.call("devices", "explode", {})
    assert_invalid(answer, "action")
    assert "action explode is not supported" in answer["msg"]
    assert_invalid(enos.call("products", "batchCreate", {}), "action")


def test_missing_org_id(setup) -> None:
    _, enos, pk, _ = setup
    for resource, action in (("devices", "create"), ("devices", "search"), ("products", "get")):
        answer = enos.call(resource, action, {}, org="", productKey=pk)
        assert_invalid(answer, "orgId")
        assert "orgId is missing" in answer["msg"]


def test_unknown_product_and_device(setup) -> None:
    _, enos, pk, made = setup
    answer = enos.create("NoSuchPk")
    assert answer["code"] == 11611 and "NoSuchPk" in answer["msg"] and answer["data"] is None
    assert enos.call("products", "get", productKey="NoSuchPk")["code"] == 11611
    assert enos.get(assetId="NoSuch01")["code"] == 11404
    assert enos.get(productKey=pk, deviceKey="nope-0001")["code"] == 11404
    assert enos.get(productKey="NoSuchPk", deviceKey="meter-001")["code"] == 11404
    assert enos.call("devices", "get", org="o2", assetId=made["assetId"])["code"] == 11404
    assert_invalid(enos.get(productKey=pk), "assetId")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"productName": None}, "productName"),
        ({"productName": "Meter"}, "productName"),
        ({"productType": "Sensor"}, "productType"),
        ({"productType": None}, "productType"),
        ({"dataFormat": "Xml"}, "dataFormat"),
        ({"modelId": ""}, "modelId"),
        ({"modelId": 5}, "modelId"),
        ({"biDirectionalAuth": None}, "biDirectionalAuth"),
        ({"biDirectionalAuth": "false"}, "biDirectionalAuth"),
        ({"dynamicActivateEnabled": 0}, "dynamicActivateEnabled"),
        ({"productTags": {"k": " v"}}, "productTags.k"),
        ({"productDesc": 1}, "productDesc"),
    ],
)
def test_create_product_rejects_bad_fields(setup, change: dict, field: str) -> None:
    cloud, enos, _, _ = setup
    before = cloud.snapshot()["registry"]
    body = {k: v for k, v in {**PRODUCT, **change}.items() if v is not None}
    assert_invalid(enos.call("products", "create", body), field)
    assert cloud.snapshot()["registry"] == before


def test_get_on_post_only_actions_is_still_judged_by_the_action(setup) -> None:
    _, enos, pk, _ = setup
    answer = enos.call("products", "get", method="POST", productKey=pk)
    assert answer["code"] == 0 and answer["data"]["productKey"] == pk


def test_calls_on_an_org_nobody_used_leave_no_trace(setup) -> None:
    cloud, enos, pk, made = setup
    before = cloud.snapshot()["registry"]
    assert enos.get(org="fresh", assetId=made["assetId"])["code"] == 11404
    assert enos.call("devices", "search", {}, org="fresh")["data"] == []
    assert enos.call("products", "search", {}, org="fresh")["data"] == []
    assert enos.create(pk, org="fresh")["code"] == 11611
    assert enos.call("products", "create", {"productName": "bad"}, org="fresh")["code"] == 99400
    assert enos.call("devices", "batchCreate", {"deviceList": [{"productKey": pk}]}, org="fresh")["code"] == 0
    assert cloud.snapshot()["registry"] == before
    assert cloud.registry.find_tenant("enos", "fresh") is None


def test_absurdly_nested_expressions_are_99400_not_a_crash(setup) -> None:
    _, enos, _, _ = setup
    answer = enos.search("(" * 5000 + "status = 'online'" + ")" * 5000)
    assert_invalid(answer, "expression")
    assert "nest deeper" in answer["msg"]
