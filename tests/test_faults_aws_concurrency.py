"""Under 8 boto3 threads against a live server, AWS rules fire exactly as often as they say."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError, ConnectionClosedError
from freezegun import freeze_time

from iotfake import FakeCloud

THREADS = 8
PER_THREAD = 20
TOTAL = THREADS * PER_THREAD
ACCOUNT = "123456789012/us-east-1"
E = "InternalFailureException"


def hammer(iot) -> Counter[str]:
    """TOTAL CreateThings of distinct names from THREADS threads: how each ended."""

    def worker(thread: int) -> list[str]:
        outcomes = []
        for i in range(PER_THREAD):
            try:
                iot.create_thing(thingName=f"t{thread}-{i}")
                outcomes.append("ok")
            except ClientError as exc:
                outcomes.append(exc.response["Error"]["Code"])
            except ConnectionClosedError:
                outcomes.append("closed")
        return outcomes

    with ThreadPoolExecutor(THREADS) as pool:
        return Counter(o for outcomes in pool.map(worker, range(THREADS)) for o in outcomes)


def things(cloud: FakeCloud) -> int:
    return len(cloud.registry.tenant("aws", ACCOUNT).devices)


def test_times_is_exact_under_concurrency(aws_cloud: FakeCloud, iot) -> None:
    rule = aws_cloud.faults.add(id="flaky", provider="aws", operation="CreateThing", error=E, times=37)
    assert hammer(iot) == Counter({"ok": TOTAL - 37, E: 37})
    assert (rule.matched, rule.fired) == (TOTAL, 37)
    assert things(aws_cloud) == TOTAL - 37
    aws_cloud.journal.assert_fault_fired("flaky", times=37)
    aws_cloud.journal.assert_called(operation="CreateThing", times=TOTAL)


def test_after_and_every_are_exact_under_concurrency(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.faults.add(provider="aws", operation="CreateThing", error=E, after=20, every=9)
    assert hammer(iot)[E] == (TOTAL - 20) // 9


def test_a_seeded_probability_fires_the_same_number_of_times_under_concurrency(
    aws_cloud: FakeCloud, iot
) -> None:
    def fired() -> int:
        aws_cloud.reset()
        aws_cloud.faults.add(provider="aws", operation="CreateThing", error=E, probability=0.3, seed=11)
        return hammer(iot)[E]

    first = fired()
    assert fired() == first
    assert 0 < first < TOTAL


def test_a_throttle_admits_exactly_its_burst_under_concurrency(aws_cloud: FakeCloud, iot) -> None:
    with freeze_time("2030-01-01 00:00:00"):
        aws_cloud.faults.add(provider="aws", operation="CreateThing", throttle={"rate": 10, "burst": 50})
        assert hammer(iot) == Counter({"ok": 50, "ThrottlingException": TOTAL - 50})
    assert things(aws_cloud) == 50


def test_drops_and_lost_responses_are_exact_under_concurrency(aws_cloud: FakeCloud, iot) -> None:
    drop = aws_cloud.faults.add(provider="aws", operation="CreateThing", drop=True, times=7)
    lost = aws_cloud.faults.add(provider="aws", operation="CreateThing", lost_response=True, times=5)
    assert hammer(iot) == Counter({"ok": TOTAL - 12, "closed": 12})
    assert (drop.fired, lost.fired) == (7, 5)
    assert things(aws_cloud) == TOTAL - 7  # a lost response was committed; a drop never ran
