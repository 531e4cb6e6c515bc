"""DeleteDevice by assetId or productKey + deviceKey; the key and the quota slot come back."""

from __future__ import annotations

from _enos import Enos

from iotfake import FakeCloud


def test_delete_by_asset_id_frees_the_key_and_the_quota() -> None:
    cloud = FakeCloud(seed=1)
    enos = Enos.wsgi(cloud)
    pk = enos.product()
    cloud.registry.tenant("enos", "o1").product(pk).quota = 1
    made = enos.device(pk, deviceKey="meter-001")
    answer = enos.call("devices", "delete", assetId=made["assetId"])
    assert answer["code"] == 0 and answer["data"] is None
    assert enos.get(assetId=made["assetId"])["code"] == 11404
    assert enos.create(pk, deviceKey="meter-001")["code"] == 0


def test_delete_by_keys_and_twice() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    pk = enos.product()
    enos.device(pk, deviceKey="meter-001")
    assert enos.call("devices", "delete", productKey=pk, deviceKey="meter-001")["code"] == 0
    assert enos.call("devices", "delete", productKey=pk, deviceKey="meter-001")["code"] == 11404


def test_device_key_under_another_product_is_not_found() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    pk, other = enos.product(), enos.product()
    enos.device(pk, deviceKey="meter-001")
    assert enos.call("devices", "delete", productKey=other, deviceKey="meter-001")["code"] == 11404
    assert enos.get(productKey=pk, deviceKey="meter-001")["code"] == 0


def test_naming_no_device_is_99400() -> None:
    enos = Enos.wsgi(FakeCloud(seed=1))
    answer = enos.call("devices", "delete", deviceKey="meter-001")
    assert answer["code"] == 99400 and "assetId" in answer["msg"]
