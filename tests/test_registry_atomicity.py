"""Registry rules under concurrency: never a device over quota, never a key held twice."""

from __future__ import annotations

import threading

import pytest

from iotfake.clock import Clock
from iotfake.ids import Ids
from iotfake.registry import Device, Product, Registry
from iotfake.registry.errors import KeyCollision, QuotaExceeded


def build(device_id: str, key: str) -> Device:
    return Device(id=device_id, key=key, product=None)


def hammer(worker, threads: int = 8) -> None:
    barrier = threading.Barrier(threads)

    def run(n: int) -> None:
        barrier.wait()
        worker(n)

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


@pytest.fixture
def registry() -> Registry:
    return Registry(Clock(), Ids(seed=5))


def test_quota_holds_under_eight_threads(registry: Registry) -> None:
    org = registry.tenant("enos", "o1")
    org.add_product(Product(key="p1", quota=137))
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for i in range(50):
            try:
                org.add_device(key=f"d-{n}-{i}", product="p1", build=build)
                result = "ok"
            except QuotaExceeded:
                result = "quota"
            with lock:
                outcomes.append(result)

    hammer(worker)
    assert outcomes.count("ok") == 137
    assert len(org.products["p1"].devices) == len(org.devices) == len(org.keys) == 137


def test_one_key_one_device_under_eight_threads(registry: Registry) -> None:
    org = registry.tenant("aws", "123456789012/us-east-1")
    wins: list[int] = []

    def worker(n: int) -> None:
        for i in range(100):
            try:
                org.add_device(key=f"shared-{i}", product=None, build=build)
                wins.append(i)
            except KeyCollision:
                pass

    hammer(worker)
    assert sorted(wins) == list(range(100))
    assert len(org.devices) == 100


def test_snapshot_restore_round_trips(registry: Registry) -> None:
    org = registry.tenant("enos", "o1")
    org.add_product(Product(key="p1", quota=10, attributes={"modelId": "m"}))
    org.add_device(key="k1", product="p1", build=build)
    org.table("apps")["a1"] = {"appKey": "a1", "appSecret": "s"}
    registry.tokens.issue(provider="enos", tenant="o1", subject="a1", ttl=7200)
    snapshot = registry.snapshot()
    other = Registry(Clock(), Ids(seed=5))
    other.restore(snapshot)
    assert other.snapshot() == snapshot
    restored = other.tenant("enos", "o1")
    assert restored.products["p1"].devices["k1"] is restored.keys["k1"]


def test_version_bumps_and_conflicts(registry: Registry) -> None:
    org = registry.tenant("aws", "acct/region")
    device = org.add_device(key="t", product=None, build=build)
    org.update_device(device, {"attributes": {"a": "1"}}, expected_version=1)
    assert device.version == 2
    from iotfake.registry.errors import VersionConflict

    with pytest.raises(VersionConflict):
        org.update_device(device, {"attributes": {}}, expected_version=1)
    assert device.attributes == {"a": "1"}


def test_room_is_the_tightest_limit_and_skips_uncounted_devices(registry: Registry) -> None:
    org = registry.tenant("scriptr", "acme")
    assert org.room() is None
    org.add_product(Product(key="p1", quota=5))
    org.add_device(key="system", product=None, build=build, counted=False)
    org.quota = 3
    org.add_device(key="d1", product="p1", build=build)
    room = org.room("p1")
    assert (room.holder, room.limit, room.held, room.free) == ("tenant acme", 3, 1, 2)
    org.quota = None
    room = org.room("p1")
    assert (room.holder, room.limit, room.held, room.free) == ("product p1", 5, 1, 4)
