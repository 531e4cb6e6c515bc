"""Same seed, same calls, same clock: byte-identical answers (ids, keys, secrets, requestIds)."""

from __future__ import annotations

from _enos import Enos
from freezegun import freeze_time

from iotfake import FakeCloud


def session(seed: int) -> list[dict]:
    with freeze_time("2024-05-01 12:00:00"):
        enos = Enos.wsgi(FakeCloud(seed=seed))
        pk = enos.product()
        answers = [enos.create(pk) for _ in range(3)]
        answers.append(
            enos.call(
                "devices",
                "batchCreate",
                {
                    "deviceList": [
                        {"productKey": pk, "timezone": "+08:00", "deviceName": {"defaultValue": "b"}}
                    ]
                    * 2
                },
                version="v2.0",
            )
        )
        answers.append(
            enos.call(
                "devices",
                "replaceDevice",
                {"newDeviceKey": "meter-new"},
                assetId=answers[0]["data"]["assetId"],
            )
        )
        answers.append(enos.search(pagination={"pageSize": 50}))
        answers.append(enos.call("products", "search", {}))
        return answers


def test_same_seed_same_answers() -> None:
    assert session(42) == session(42)


def test_another_seed_other_values() -> None:
    first, other = session(42), session(43)
    assert first[0]["data"]["assetId"] != other[0]["data"]["assetId"]
    assert first[0]["requestId"] != other[0]["requestId"]


def test_reset_replays_the_sequence() -> None:
    with freeze_time("2024-05-01 12:00:00"):
        cloud = FakeCloud(seed=9)
        enos = Enos.wsgi(cloud)
        first = enos.create(enos.product())
        cloud.reset()
        assert enos.create(enos.product()) == first
