"""Devices and users race for the same ids: exactly one wins each, whatever the interleaving."""

from __future__ import annotations

import threading

import requests

from iotfake import FakeCloud


def test_a_device_and_a_user_racing_for_each_id_never_both_win() -> None:
    acme = FakeCloud(seed=6).scriptr("acme")
    ids = [f"id-{n}" for n in range(40)]
    barrier = threading.Barrier(2)
    results: dict[str, list[str]] = {key: [] for key in ids}

    def devices() -> None:
        barrier.wait()
        for key in ids:
            results[key].append(
                acme.device.create({"id": key, "name": "d", "password": "pw"})["metadata"].get(
                    "errorCode", "device"
                )
            )

    def users() -> None:
        barrier.wait()
        for key in reversed(ids):
            results[key].append(
                acme.user.create({"id": key, "name": "u", "password": "pw"})["metadata"].get(
                    "errorCode", "user"
                )
            )

    threads = [threading.Thread(target=devices), threading.Thread(target=users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for key, outcome in results.items():
        assert sorted(outcome) in (["DUPLICATE_DEVICE", "device"], ["DUPLICATE_USER", "user"]), (key, outcome)


def test_the_same_over_http_from_many_clients(live) -> None:
    def create(module: str, key: str, out: list[str]) -> None:
        body = {"id": key, "name": "x", "password": "pw"}
        response = requests.post(
            f"{live.url}/scriptr/{module}/create",
            json=body,
            headers={"Authorization": f"bearer {live.token}"},
            timeout=10,
        )
        out.append(response.json()["response"]["result"]["metadata"].get("errorCode", module))

    out: list[str] = []
    threads = [threading.Thread(target=create, args=(m, "contested", out)) for m in ("device", "user") * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in out if o in ("device", "user")]
    assert len(winners) == 1
    loser_code = "DUPLICATE_DEVICE" if winners[0] == "device" else "DUPLICATE_USER"
    assert sorted(out) == sorted([winners[0], *[loser_code] * 7])
