"""UpdateDevice: patch semantics, deviceTags replaced whole, attributes merged by key."""

from __future__ import annotations

import pytest
from _enos import Enos

from iotfake import FakeCloud


@pytest.fixture
def enos() -> Enos:
    return Enos.wsgi(FakeCloud(seed=1))


def test_update_patches_only_the_fields_given(enos: Enos) -> None:
    pk = enos.product()
    made = enos.device(
        pk,
        deviceKey="meter-001",
        deviceDesc="first",
        deviceAttributes={"phases": 1, "rated": 5},
        deviceTags={"site": "north", "floor": "2"},
    )
    answer = enos.call(
        "devices",
        "update",
        {"deviceAttributes": {"phases": 3}, "deviceTags": {"site": "south"}},
        assetId=made["assetId"],
    )
    assert answer["code"] == 0 and answer["msg"] == "OK" and answer["data"] is None
    device = enos.get(assetId=made["assetId"])["data"]
    assert device["deviceAttributes"] == {"phases": 3, "rated": 5}
    assert device["deviceTags"] == {"site": "south"}
    assert device["deviceDesc"] == "first"
    assert device["timezone"] == "+08:00"
    assert device["deviceName"] == {"defaultValue": "meter", "i18nValue": {}}


def test_update_by_product_key_and_device_key(enos: Enos) -> None:
    pk = enos.product()
    enos.device(pk, deviceKey="meter-001")
    body = {
        "timezone": "Asia/Shanghai",
        "deviceName": {"defaultValue": "Device Name", "i18nValue": {"en_US": "Device Name", "zh_CN": "设备"}},
        "deviceDesc": "Description Update Device",
    }
    assert enos.call("devices", "update", body, productKey=pk, deviceKey="meter-001")["code"] == 0
    device = enos.get(productKey=pk, deviceKey="meter-001")["data"]
    assert device["timezone"] == "Asia/Shanghai"
    assert device["deviceName"]["i18nValue"] == {"en_US": "Device Name", "zh_CN": "设备"}
    assert device["deviceDesc"] == "Description Update Device"


def test_empty_tags_clear_them_and_null_desc_clears_it(enos: Enos) -> None:
    pk = enos.product()
    made = enos.device(pk, deviceTags={"site": "north"}, deviceDesc="d")
    enos.call("devices", "update", {"deviceTags": {}, "deviceDesc": None}, assetId=made["assetId"])
    device = enos.get(assetId=made["assetId"])["data"]
    assert device["deviceTags"] == {} and device["deviceDesc"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"deviceName": "plain"}, "deviceName"),
        ({"deviceName": {"i18nValue": {}}}, "deviceName.defaultValue"),
        ({"deviceTags": {"bad key!": "v"}}, "deviceTags.bad key!"),
        ({"deviceTags": {"site": " edge "}}, "deviceTags.site"),
        ({"deviceAttributes": [1, 2]}, "deviceAttributes"),
        ({"deviceDesc": 7}, "deviceDesc"),
    ],
)
def test_bad_update_is_99400_and_changes_nothing(enos: Enos, body: dict, field: str) -> None:
    pk = enos.product()
    made = enos.device(pk, deviceTags={"site": "north"})
    before = enos.get(assetId=made["assetId"])["data"]
    answer = enos.call(
        "devices", "update", {"deviceTags": {"site": "south"}, **body}, assetId=made["assetId"]
    )
    assert answer["code"] == 99400 and answer["data"] is None
    assert f"Invalid Argument {field}:" in answer["msg"]
    assert enos.get(assetId=made["assetId"])["data"] == before


def test_update_of_an_unknown_device_is_11404(enos: Enos) -> None:
    pk = enos.product()
    assert enos.call("devices", "update", {}, assetId="nope1234")["code"] == 11404
    assert enos.call("devices", "update", {}, productKey=pk, deviceKey="nope")["code"] == 11404


def test_an_update_keeps_what_a_login_wrote_while_it_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    """UpdateDevice copied the device's extras, checked its body, then wrote the copy back: a
    login in between (``activeTime``, ``lastOnlineTime``, from the MQTT side) was lost, and an
    online device read as never activated. The login is played here while the body is checked."""
    from iotfake.providers.enos import validation

    cloud = FakeCloud(seed=1)
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-001")
    org = cloud.registry.tenant("enos", "o1")
    checked = validation.attributes

    def login_meanwhile(value):
        device = org.devices[made["assetId"]]
        with org.lock:
            org.update_device(device, {"status": "online", "extra": {**device.extra, "activeTime": 7}})
        return checked(value)

    monkeypatch.setattr(validation, "attributes", login_meanwhile)
    answer = enos.call("devices", "update", {"deviceAttributes": {"phases": 3}}, assetId=made["assetId"])
    assert answer["code"] == 0, answer
    got = enos.get(assetId=made["assetId"])["data"]
    assert (got["activeTime"], got["status"], got["deviceAttributes"]) == (7, "online", {"phases": 3})
