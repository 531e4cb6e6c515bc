"""Under 8 client threads against a live server, scriptr rules fire exactly as often as they say."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from _scriptr import ScriptrLive
from freezegun import freeze_time

THREADS = 8
PER_THREAD = 25
TOTAL = THREADS * PER_THREAD
E = "INTERNAL_ERROR"


def hammer(live: ScriptrLive) -> Counter[str]:
    """TOTAL device.creates of distinct ids from THREADS threads, each with its own session."""

    def worker(thread: int) -> list[str]:
        outcomes = []
        with requests.Session() as session:
            session.headers["Authorization"] = f"bearer {live.token}"
            for i in range(PER_THREAD):
                body = {"id": f"d{thread}-{i}", "name": "M", "password": "pw"}
                try:
                    response = session.post(f"{live.url}/scriptr/device/create", json=body, timeout=10)
                except requests.ConnectionError:
                    outcomes.append("closed")
                    continue
                envelope = response.json()["response"]
                metadata = envelope["result"]["metadata"] if "result" in envelope else envelope["metadata"]
                outcomes.append(metadata.get("errorCode", metadata["status"]))
        return outcomes

    with ThreadPoolExecutor(THREADS) as pool:
        return Counter(o for outcomes in pool.map(worker, range(THREADS)) for o in outcomes)


def devices(live: ScriptrLive) -> int:
    return len(live.cloud.registry.tenant("scriptr", "acme").keys) - 1  # the built-in device


def test_times_is_exact_under_concurrency(live: ScriptrLive) -> None:
    rule = live.cloud.faults.add(id="flaky", provider="scriptr", operation="device.create", error=E, times=37)
    assert hammer(live) == Counter({"success": TOTAL - 37, E: 37})
    assert (rule.matched, rule.fired) == (TOTAL, 37)
    assert devices(live) == TOTAL - 37
    live.cloud.journal.assert_fault_fired("flaky", times=37)
    live.cloud.journal.assert_called(operation="device.create", times=TOTAL)


def test_after_and_every_are_exact_under_concurrency(live: ScriptrLive) -> None:
    live.cloud.faults.add(
        provider="scriptr", operation="device.create", error="DUPLICATE_DEVICE", after=20, every=9
    )
    assert hammer(live)["DUPLICATE_DEVICE"] == (TOTAL - 20) // 9


def test_a_seeded_probability_fires_the_same_number_of_times_under_concurrency(live: ScriptrLive) -> None:
    def fired() -> int:
        live.cloud.reset()
        live.token = live.acme.token  # reset made the account anew
        live.cloud.faults.add(
            provider="scriptr", operation="device.create", error=E, probability=0.3, seed=11
        )
        return hammer(live)[E]

    first = fired()
    assert fired() == first
    assert 0 < first < TOTAL


def test_a_throttle_admits_exactly_its_burst_under_concurrency(live: ScriptrLive) -> None:
    with freeze_time("2030-01-01 00:00:00"):
        live.cloud.faults.add(
            provider="scriptr", operation="device.create", throttle={"rate": 10, "burst": 50}
        )
        assert hammer(live) == Counter({"success": 50, "TOO_MANY_REQUESTS": TOTAL - 50})
    assert devices(live) == 50


def test_drops_and_lost_responses_are_exact_under_concurrency(live: ScriptrLive) -> None:
    drop = live.cloud.faults.add(provider="scriptr", operation="device.create", drop=True, times=7)
    lost = live.cloud.faults.add(provider="scriptr", operation="device.create", lost_response=True, times=5)
    assert hammer(live) == Counter({"success": TOTAL - 12, "closed": 12})
    assert (drop.fired, lost.fired) == (7, 5)
    assert devices(live) == TOTAL - 7  # a lost response was committed; a drop never ran
