"""The optional per-account device limit (``maxDevices``), answered DEVICE_LIMIT_EXCEEDED."""

from __future__ import annotations

import threading

from iotfake import FakeCloud


def seed_limit(cloud: FakeCloud, limit: int | None) -> None:
    cloud.seed({"scriptr": {"accounts": [{"name": "acme", "maxDevices": limit}]}})


def test_the_limit_counts_your_devices_not_the_builtin_one(live) -> None:
    seed_limit(live.cloud, 2)
    for key in ("a", "b"):
        assert (
            live.result("device/create", {"id": key, "name": "n", "password": "pw"})["metadata"]["status"]
            == "success"
        )
    answer = live.result("device/create", {"id": "c", "name": "n", "password": "pw"})
    assert answer == {
        "metadata": {
            "status": "failure",
            "statusCode": 400,
            "errorCode": "DEVICE_LIMIT_EXCEEDED",
            "errorDetail": "The account has reached its limit of 2 devices.",
        }
    }
    assert live.acme.device.get("c")["metadata"]["errorCode"] == "INVALID_IDENTIFIER"


def test_updates_and_saves_of_existing_devices_pass_at_the_limit(live) -> None:
    seed_limit(live.cloud, 1)
    live.acme.device.create({"id": "a", "name": "n", "password": "pw"})
    assert live.acme.device.update({"id": "a", "name": "x"})["metadata"]["status"] == "success"
    assert live.acme.device.save({"id": "a", "name": "y"})["metadata"]["status"] == "success"
    assert live.acme.device.save({"id": "b", "name": "y", "password": "pw"})["metadata"]["errorCode"] == (
        "DEVICE_LIMIT_EXCEEDED"
    )


def test_deleting_frees_room_and_users_do_not_count(live) -> None:
    seed_limit(live.cloud, 1)
    live.acme.device.create({"id": "a", "name": "n", "password": "pw"})
    assert (
        live.acme.user.create({"id": "ann", "name": "Ann", "password": "pw"})["metadata"]["status"]
        == "success"
    )
    live.acme.device.delete("a")
    assert (
        live.acme.device.create({"id": "b", "name": "n", "password": "pw"})["metadata"]["status"] == "success"
    )


def test_zero_allows_no_devices_and_none_lifts_the_limit() -> None:
    acme = FakeCloud(seed=4).scriptr("acme")
    acme.max_devices = 0
    assert (
        acme.device.create({"name": "n", "password": "pw"})["metadata"]["errorCode"]
        == "DEVICE_LIMIT_EXCEEDED"
    )
    acme.max_devices = None
    assert acme.device.create({"name": "n", "password": "pw"})["metadata"]["status"] == "success"
    assert acme.max_devices is None


def test_the_limit_holds_under_concurrent_creates() -> None:
    acme = FakeCloud(seed=4).scriptr("acme")
    acme.max_devices = 25
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(10):
            answer = acme.device.create({"id": f"w{n}-{i}", "name": "n", "password": "pw"})
            outcomes.append(answer["metadata"].get("errorCode", "ok"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 25
    assert outcomes.count("DEVICE_LIMIT_EXCEEDED") == 35
    assert acme.device.query({"count": True})["result"]["count"] == 26  # with the built-in device
