"""Quotas are one rule in the registry: the product's, then the tenant's, whoever adds or moves a device.

The tenant quota is every provider's account-wide limit (AWS maxThings, scriptr maxDevices);
records every account has (scriptr's built-in ``scriptr`` device) are added uncounted.
"""

from __future__ import annotations

import pytest

from iotfake import FakeCloud
from iotfake.clock import Clock
from iotfake.ids import Ids
from iotfake.registry import Device, Product, Registry
from iotfake.registry.errors import QuotaExceeded


def build(device_id: str, key: str) -> Device:
    return Device(id=device_id, key=key, product=None)


def test_the_scriptr_device_limit_is_the_tenant_quota_without_the_builtin_device() -> None:
    cloud = FakeCloud(seed=1)
    account = cloud.scriptr("acme")
    tenant = cloud.registry.tenant("scriptr", "acme")
    tenant.quota = 1
    assert account.max_devices == 1
    assert (
        account.device.create({"id": "a", "name": "A", "password": "pw"})["metadata"]["status"] == "success"
    )
    refused = account.device.create({"id": "b", "name": "B", "password": "pw"})
    assert refused["metadata"]["errorCode"] == "DEVICE_LIMIT_EXCEEDED"
    account.max_devices = None
    assert tenant.quota is None


def test_uncounted_devices_survive_a_snapshot() -> None:
    cloud = FakeCloud(seed=1)
    cloud.seed({"scriptr": {"accounts": [{"name": "acme", "maxDevices": 1}]}})
    copy = FakeCloud.from_snapshot(cloud.snapshot())
    account = copy.scriptr("acme")
    assert (
        account.device.create({"id": "a", "name": "A", "password": "pw"})["metadata"]["status"] == "success"
    )
    assert account.device.create({"id": "b", "name": "B", "password": "pw"})["metadata"]["errorCode"] == (
        "DEVICE_LIMIT_EXCEEDED"
    )


def test_an_uncounted_device_still_meets_its_product_quota() -> None:
    registry = Registry(Clock(), Ids(seed=1))
    tenant = registry.tenant("enos", "o1")
    tenant.add_product(Product(key="p1", quota=0))
    with pytest.raises(QuotaExceeded):
        tenant.add_device(key="k1", product="p1", build=build, counted=False)


def test_moving_a_device_meets_the_same_product_quota_as_adding_one() -> None:
    registry = Registry(Clock(), Ids(seed=1))
    tenant = registry.tenant("aws", "123456789012/us-east-1")
    tenant.add_product(Product(key="full", quota=1))
    tenant.add_device(key="t1", product="full", build=build)
    loose = tenant.add_device(key="t2", product=None, build=build)
    with pytest.raises(QuotaExceeded) as added:
        tenant.add_device(key="t3", product="full", build=build)
    with pytest.raises(QuotaExceeded) as moved:
        tenant.update_device(loose, {}, product="full")
    assert moved.value.message == added.value.message == "product 'full' already holds its quota of 1 devices"
    assert (loose.product, loose.version) == (None, 1)


def test_check_room_answers_for_one_more_device() -> None:
    registry = Registry(Clock(), Ids(seed=1))
    tenant = registry.tenant("aws", "123456789012/us-east-1")
    tenant.quota = 1
    tenant.check_room()
    tenant.add_device(key="t1", product=None, build=build)
    with pytest.raises(QuotaExceeded) as caught:
        tenant.check_room()
    assert caught.value.limit == 1
