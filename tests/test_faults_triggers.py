"""When a rule fires: match fields, operation patterns, times, after, every, probability, clock window."""

from __future__ import annotations

import pytest
from enos_calls import create, get, make_product
from freezegun import freeze_time
from werkzeug.test import Client

from iotfake import FakeCloud


@pytest.fixture
def pk(client: Client) -> str:
    return make_product(client)


def codes(client: Client, pk: str, n: int, org: str = "o1") -> list[int]:
    return [create(client, pk, org=org).json["code"] for _ in range(n)]


def test_times_fires_exactly_n_times(cloud: FakeCloud, client: Client, pk: str) -> None:
    rule = cloud.faults.add(provider="enos", operation="CreateDevice", error="11714", times=2)
    assert codes(client, pk, 4) == [11714, 11714, 0, 0]
    assert (rule.matched, rule.fired, rule.exhausted) == (4, 2, True)


def test_after_skips_the_first_matches(cloud: FakeCloud, client: Client, pk: str) -> None:
    cloud.faults.add(provider="enos", operation="CreateDevice", error="11739", after=2, times=2)
    assert codes(client, pk, 5) == [0, 0, 11739, 11739, 0]


def test_every_fires_on_each_nth_match(cloud: FakeCloud, client: Client, pk: str) -> None:
    cloud.faults.add(provider="enos", operation="CreateDevice", error="11714", every=3)
    assert codes(client, pk, 7) == [0, 0, 11714, 0, 0, 11714, 0]


def test_after_and_every_count_from_the_end_of_after(cloud: FakeCloud, client: Client, pk: str) -> None:
    cloud.faults.add(provider="enos", operation="CreateDevice", error="11714", after=1, every=2)
    assert codes(client, pk, 6) == [0, 0, 11714, 0, 11714, 0]


def test_without_a_trigger_a_rule_fires_every_time(cloud: FakeCloud, client: Client, pk: str) -> None:
    cloud.faults.add(provider="enos", operation="CreateDevice", error="Internal")
    assert codes(client, pk, 3) == [99500] * 3


def run_probability(seed: int | None, cloud_seed: int | None = 1, n: int = 40) -> list[int]:
    cloud = FakeCloud(seed=cloud_seed)
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    cloud.faults.add(provider="enos", operation="CreateDevice", error="11714", probability=0.5, seed=seed)
    return codes(client, pk, n)


def test_probability_is_repeatable_with_its_seed() -> None:
    first = run_probability(seed=42)
    assert first == run_probability(seed=42)
    assert 0 < first.count(11714) < 40
    assert first != run_probability(seed=43)


def test_probability_without_a_seed_follows_the_clouds_seed() -> None:
    assert run_probability(seed=None, cloud_seed=5) == run_probability(seed=None, cloud_seed=5)


def test_probability_edges(cloud: FakeCloud, client: Client, pk: str) -> None:
    never = cloud.faults.add(provider="enos", operation="CreateDevice", error="11714", probability=0)
    always = cloud.faults.add(provider="enos", operation="CreateDevice", error="11739", probability=1)
    assert codes(client, pk, 5) == [11739] * 5
    assert (never.matched, never.fired, always.fired) == (5, 0, 5)


def test_match_compares_request_fields(cloud: FakeCloud, client: Client) -> None:
    p1, p2 = make_product(client), make_product(client)
    cloud.faults.add(provider="enos", match={"orgId": "o1", "productKey": p2}, error="11739")
    assert create(client, p1).json["code"] == 0
    assert create(client, p2).json["code"] == 11739
    other_org = make_product(client, org="o2")
    assert create(client, other_org, org="o2").json["code"] == 0


def test_match_takes_a_list_of_values_and_the_tenant(cloud: FakeCloud, client: Client) -> None:
    products = {org: make_product(client, org=org) for org in ("o1", "o2", "o3")}
    cloud.faults.add(operation="CreateDevice", match={"tenant": ["o1", "o3"]}, error="Unavailable")
    answers = {org: create(client, pk, org=org).json["code"] for org, pk in products.items()}
    assert answers == {"o1": 99500, "o2": 0, "o3": 99500}


def test_match_on_a_field_the_call_lacks_never_fires(cloud: FakeCloud, client: Client, pk: str) -> None:
    cloud.faults.add(provider="enos", match={"deviceKey": "meter-1"}, error="11702")
    assert create(client, pk).json["code"] == 0  # a generated key: no deviceKey in the request
    assert create(client, pk, deviceKey="meter-1").json["code"] == 11702


def test_operation_patterns_and_wildcards(cloud: FakeCloud, client: Client, pk: str) -> None:
    created = create(client, pk, deviceKey="meter-1").json["data"]
    cloud.faults.add(provider="enos", operation="Get*", error="Internal")
    assert get(client, assetId=created["assetId"]).json["code"] == 99500
    assert create(client, pk).json["code"] == 0
    cloud.faults.clear()
    cloud.faults.add(error="Unavailable")  # provider and operation default to "*"
    assert create(client, pk).json["code"] == 99500
    assert get(client, assetId=created["assetId"]).status_code == 503


def test_rules_are_tried_in_order_and_the_first_that_fires_wins(
    cloud: FakeCloud, client: Client, pk: str
) -> None:
    first = cloud.faults.add(id="first", provider="enos", operation="CreateDevice", error="11714", times=1)
    second = cloud.faults.add(id="second", provider="enos", operation="CreateDevice", error="11739", times=1)
    assert codes(client, pk, 3) == [11714, 11739, 0]
    # the first call stopped at "first": "second" never saw it
    assert (first.matched, second.matched) == (3, 2)
    assert [e.rule for e in cloud.journal.calls(operation="CreateDevice")] == ["first", "second", None]


def test_the_clock_window_uses_the_fakes_clock(cloud: FakeCloud, client: Client, pk: str) -> None:
    with freeze_time("2030-01-01 00:00:00"):
        start = cloud.clock.time() + 60
        cloud.faults.add(
            provider="enos", operation="CreateDevice", error="11714", from_=start, until=start + 60
        )
        assert codes(client, pk, 1) == [0]
        cloud.clock.advance(60)
        assert codes(client, pk, 1) == [11714]
        cloud.clock.advance(59.5)
        assert codes(client, pk, 1) == [11714]
        cloud.clock.advance(0.5)  # until is exclusive
        assert codes(client, pk, 1) == [0]


def test_rules_for_other_providers_or_operations_do_not_count(
    cloud: FakeCloud, client: Client, pk: str
) -> None:
    rule = cloud.faults.add(provider="enos", operation="DeleteDevice", error="Internal", times=1)
    assert codes(client, pk, 2) == [0, 0]
    assert rule.matched == 0
