"""Token-bucket throttling on the fake's clock: exact under freeze_time, per tenant and operation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from enos_calls import create, get, make_product
from freezegun import freeze_time
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.faults import FAULT_HEADER


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    with freeze_time("2030-01-01 00:00:00"):
        yield FakeCloud(seed=1)


def statuses(client: Client, pk: str, n: int, org: str = "o1") -> list[int]:
    return [create(client, pk, org=org).status_code for _ in range(n)]


def test_burst_then_429_then_refill_as_the_clock_moves(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    cloud.faults.add(id="tps", provider="enos", operation="CreateDevice", throttle={"rate": 5, "burst": 3})
    assert statuses(client, pk, 4) == [200, 200, 200, 429]
    cloud.clock.advance(0.1)  # half a token
    assert statuses(client, pk, 1) == [429]
    cloud.clock.advance(0.1)  # one token
    assert statuses(client, pk, 2) == [200, 429]
    cloud.clock.advance(60)  # refills to the burst, no further
    assert statuses(client, pk, 4) == [200, 200, 200, 429]
    assert len(cloud.registry.tenant("enos", "o1").devices) == 7


def test_the_throttled_answer(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    cloud.faults.add(id="tps", provider="enos", operation="CreateDevice", throttle={"rate": 0.25, "burst": 1})
    create(client, pk)
    response = create(client, pk)
    assert response.status_code == 429
    assert response.json["code"] == 429 and response.json["msg"] == "too many requests"
    assert response.headers["Retry-After"] == "4"  # a token every 4 s
    assert response.headers[FAULT_HEADER] == "tps"
    entry = cloud.journal.last(operation="CreateDevice")
    assert (entry.status, entry.code, entry.rule, entry.action, entry.outcome) == (
        429,
        "429",
        "tps",
        "throttle",
        "fault",
    )


def test_freezegun_moves_the_buckets_too(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    cloud.faults.add(provider="enos", operation="CreateDevice", throttle=1)  # rate 1/s, burst 1
    with freeze_time("2030-01-01 00:00:00") as frozen:
        assert statuses(client, pk, 2) == [200, 429]
        frozen.tick(1)
        assert statuses(client, pk, 2) == [200, 429]


def test_each_tenant_and_operation_has_its_own_bucket(cloud: FakeCloud, client: Client) -> None:
    p1, p2 = make_product(client, "o1"), make_product(client, "o2")
    asset = create(client, p1).json["data"]["assetId"]
    cloud.faults.add(provider="enos", throttle={"rate": 1, "burst": 1})  # every operation
    assert statuses(client, p1, 2, org="o1") == [200, 429]
    assert statuses(client, p2, 2, org="o2") == [200, 429]
    assert [get(client, assetId=asset).status_code for _ in range(2)] == [200, 429]


def test_a_throttle_that_lets_a_call_through_does_not_fire(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    throttle = cloud.faults.add(provider="enos", operation="CreateDevice", throttle={"rate": 1, "burst": 2})
    error = cloud.faults.add(provider="enos", operation="CreateDevice", error="11714", times=1)
    codes = [create(client, pk).json["code"] for _ in range(3)]
    # first call passes the throttle and meets the error rule; the second succeeds; the third is throttled
    assert codes == [11714, 0, 429]
    assert (throttle.matched, throttle.fired, error.fired) == (3, 1, 1)


def test_times_bounds_the_throttled_answers(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    cloud.faults.add(provider="enos", operation="CreateDevice", throttle={"rate": 1, "burst": 1}, times=2)
    assert statuses(client, pk, 5) == [200, 429, 429, 200, 200]


def test_bucket_levels_survive_a_snapshot(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    cloud.faults.add(id="tps", provider="enos", operation="CreateDevice", throttle={"rate": 1, "burst": 2})
    assert statuses(client, pk, 1) == [200]
    copy = FakeCloud.from_snapshot(cloud.snapshot())
    assert statuses(Client(copy.wsgi_app), pk, 2) == [200, 429]
    assert copy.faults.get("tps").fired == 1


def test_per_tenant_one_bucket_serves_all_the_rules_operations(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    cloud.faults.add(
        id="org-wide", provider="enos", operation="*Device", throttle={"rate": 1, "burst": 3, "per": "tenant"}
    )
    key = create(client, pk).json["data"]["deviceKey"]
    assert get(client, productKey=pk, deviceKey=key).status_code == 200
    assert statuses(client, pk, 2) == [200, 429]  # the third token went to the get
    assert get(client, productKey=pk, deviceKey=key).status_code == 429
    assert statuses(client, pk, 1, org="o2") == [200]  # another org has a bucket of its own
    cloud.clock.advance(1)
    assert get(client, productKey=pk, deviceKey=key).status_code == 200
    assert cloud.faults.get("org-wide").to_dict()["action"] == {
        "throttle": {"rate": 1.0, "burst": 3.0, "per": "tenant"}
    }


def test_per_field_one_bucket_per_value(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    first, second = (create(client, pk).json["data"]["deviceKey"] for _ in range(2))
    per_device = {"rate": 1, "per": "deviceKey"}
    cloud.faults.add(id="hot", provider="enos", operation="GetDevice", throttle=per_device)
    assert [get(client, productKey=pk, deviceKey=first).status_code for _ in range(2)] == [200, 429]
    assert get(client, productKey=pk, deviceKey=second).status_code == 200  # another device, its own
    # a snapshot keeps each device's bucket where it was
    copy = FakeCloud.from_snapshot(cloud.snapshot())
    again = Client(copy.wsgi_app)
    assert get(again, productKey=pk, deviceKey=first).status_code == 429
    copy.clock.advance(1)
    assert get(again, productKey=pk, deviceKey=first).status_code == 200


def test_snapshots_from_before_per_keyed_buckets_still_load(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    cloud.faults.add(id="tps", provider="enos", operation="CreateDevice", throttle={"rate": 1, "burst": 2})
    assert statuses(client, pk, 2) == [200, 200]
    state = cloud.snapshot()
    rows = [row for rule in state["faults"]["rules"] for row in rule["state"]["buckets"]]
    assert [row["key"] for row in rows] == ["CreateDevice"]
    for row in rows:
        row["operation"] = row.pop("key")  # how older snapshots name a bucket
    copy = FakeCloud.from_snapshot(state)
    assert statuses(Client(copy.wsgi_app), pk, 1) == [429]


@pytest.mark.parametrize("per", ["", "two words", 3, None, "a" * 200])
def test_a_bad_per_is_refused_with_its_path(cloud: FakeCloud, per: object) -> None:
    from iotfake import DocumentError

    with pytest.raises(DocumentError, match=r"action\.throttle\.per.*\"tenant\"") as caught:
        cloud.faults.add(provider="enos", throttle={"rate": 1, "per": per})
    assert caught.value.path == "action.throttle.per"


def test_a_per_field_that_no_call_carries_is_refused(cloud: FakeCloud) -> None:
    from iotfake import DocumentError

    with pytest.raises(DocumentError, match="no enos GetDevice call carries a field 'devicekey'") as caught:
        cloud.faults.add(provider="enos", operation="GetDevice", throttle={"rate": 1, "per": "devicekey"})
    assert caught.value.path == "action.throttle.per"


def test_refilled_buckets_are_forgotten_without_changing_an_answer(cloud: FakeCloud) -> None:
    from iotfake.faults.throttle import PRUNE_AT, Buckets

    buckets = Buckets(rate=1, burst=2)
    assert buckets.take("t", "hot", 0.0) is None and buckets.take("t", "hot", 0.0) is None
    for i in range(PRUNE_AT + 10):  # a new key a second: each has refilled a second later
        assert buckets.take("t", f"k{i}", float(i)) is None
    # the new bucket that found PRUNE_AT there found all of them refilled, "hot" among them
    kept = {f"k{i}" for i in range(PRUNE_AT - 1, PRUNE_AT + 10)}
    assert {row["key"] for row in buckets.snapshot()} == kept
    now = float(PRUNE_AT + 10)
    # "hot" answers as a fresh (full) bucket would: two at once, then a second's wait
    assert buckets.take("t", "hot", now) is None and buckets.take("t", "hot", now) is None
    assert buckets.take("t", "hot", now) == pytest.approx(1.0)
    # one still draining is kept: one token left of its two
    last = f"k{PRUNE_AT + 9}"
    assert buckets.take("t", last, now - 1) is None and buckets.take("t", last, now - 1) == pytest.approx(1.0)
