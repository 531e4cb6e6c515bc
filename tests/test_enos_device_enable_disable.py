"""EnableDevice / DisableDevice: status ``disable``; 11721 and 11723 for no-op transitions."""

from __future__ import annotations

from _enos import Enos

from iotfake import FakeCloud


def status(enos: Enos, asset_id: str) -> str:
    return enos.get(assetId=asset_id)["data"]["status"]


def test_disable_then_enable_returns_a_never_active_device_to_inactive() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    made = enos.device(enos.product())
    answer = enos.call("devices", "disable", assetId=made["assetId"])
    assert answer["code"] == 0 and answer["data"] is None
    assert status(enos, made["assetId"]) == "disable"
    assert enos.call("devices", "enable", assetId=made["assetId"])["code"] == 0
    assert status(enos, made["assetId"]) == "inactive"


def test_enabling_an_enabled_device_is_11721() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    made = enos.device(enos.product())
    answer = enos.call("devices", "enable", assetId=made["assetId"])
    assert answer["code"] == 11721 and answer["data"] is None
    assert status(enos, made["assetId"]) == "inactive"


def test_disabling_a_disabled_device_is_11723() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    pk = enos.product()
    enos.device(pk, deviceKey="meter-001")
    keys = {"productKey": pk, "deviceKey": "meter-001"}
    assert enos.call("devices", "disable", **keys)["code"] == 0
    assert enos.call("devices", "disable", **keys)["code"] == 11723


def test_a_device_that_was_ever_active_comes_back_offline() -> None:
    cloud = FakeCloud(seed=1)
    cloud.seed(
        {
            "enos": {
                "orgs": [
                    {
                        "orgId": "o1",
                        "products": [{"productKey": "pk000001"}],
                        "devices": [
                            {
                                "productKey": "pk000001",
                                "deviceKey": "meter-001",
                                "assetId": "asset001",
                                "status": "online",
                                "activeTime": 1700000000000,
                            }
                        ],
                    }
                ]
            }
        }
    )
    enos = Enos.wsgi(cloud)
    assert enos.call("devices", "disable", assetId="asset001")["code"] == 0
    assert enos.call("devices", "enable", assetId="asset001")["code"] == 0
    device = enos.get(assetId="asset001")["data"]
    assert device["status"] == "offline" and device["activeTime"] == 1700000000000


def test_unknown_device_is_11404() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    assert enos.call("devices", "enable", assetId="nope1234")["code"] == 11404
    assert enos.call("devices", "disable", assetId="nope1234")["code"] == 11404
