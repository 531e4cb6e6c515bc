"""Under 8 client threads against a live server, rules fire exactly as often as they say."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from enos_calls import live_create, live_product
from freezegun import freeze_time

from iotfake import FakeCloud
from iotfake.server import Server

THREADS = 8
PER_THREAD = 25
TOTAL = THREADS * PER_THREAD


def hammer(url: str, pk: str) -> Counter[int]:
    def worker(_: int) -> list[int]:
        with requests.Session() as session:
            return [live_create(session, url, pk).json()["code"] for _ in range(PER_THREAD)]

    with ThreadPoolExecutor(THREADS) as pool:
        return Counter(code for codes in pool.map(worker, range(THREADS)) for code in codes)


def test_times_is_exact_under_concurrency(cloud: FakeCloud, server: Server) -> None:
    pk = live_product(server.url)
    rule = cloud.faults.add(id="flaky", provider="enos", operation="CreateDevice", error="11714", times=37)
    assert hammer(server.url, pk) == Counter({0: TOTAL - 37, 11714: 37})
    assert (rule.matched, rule.fired) == (TOTAL, 37)
    assert len(cloud.registry.tenant("enos", "o1").devices) == TOTAL - 37
    cloud.journal.assert_fault_fired("flaky", times=37)
    cloud.journal.assert_called(operation="CreateDevice", times=TOTAL)


def test_after_and_every_are_exact_under_concurrency(cloud: FakeCloud, server: Server) -> None:
    pk = live_product(server.url)
    cloud.faults.add(provider="enos", operation="CreateDevice", error="11739", after=20, every=9)
    assert hammer(server.url, pk)[11739] == (TOTAL - 20) // 9


def test_a_seeded_probability_fires_the_same_number_of_times_under_concurrency(server: Server) -> None:
    def fired(cloud: FakeCloud, url: str) -> int:
        pk = live_product(url)
        cloud.faults.add(provider="enos", operation="CreateDevice", error="11714", probability=0.3, seed=11)
        return hammer(url, pk)[11714]

    first = fired(server.cloud, server.url)
    other = FakeCloud(seed=1)
    with other.serve() as second:
        assert fired(other, second.url) == first
    assert 0 < first < TOTAL


def test_a_throttle_admits_exactly_its_burst_under_concurrency(cloud: FakeCloud, server: Server) -> None:
    pk = live_product(server.url)
    with freeze_time("2030-01-01 00:00:00"):
        cloud.faults.add(provider="enos", operation="CreateDevice", throttle={"rate": 10, "burst": 50})
        assert hammer(server.url, pk) == Counter({0: 50, 429: TOTAL - 50})
