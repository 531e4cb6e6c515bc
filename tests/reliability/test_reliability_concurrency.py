"""Eight client threads hammering one live server: every state rule holds exactly, nothing answers
5xx, and the journal holds one entry per request, for EnOS, scriptr and AWS alike."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import requests
from _enos import PRODUCT
from botocore.config import Config
from botocore.exceptions import ClientError
from reliability_helpers import assert_consistent

from iotfake import FakeCloud

THREADS = 8
ENOS = {"apim-accesstoken": "t"}


def hammer(worker: Callable[[int], None]) -> None:
    """Run ``worker(n)`` on THREADS threads released together; re-raise the first failure."""
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            worker(n)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if failures:
        raise failures[0]


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.codes: Counter[Any] = Counter()
        self.keys: list[str] = []

    def note(self, status: int, code: Any, key: str | None = None) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.codes[code] += 1
            if key is not None:
                self.keys.append(key)


@pytest.mark.parametrize(("quota", "per_thread"), [(100, 25)])
def test_enos_creates_fill_the_quota_exactly(quota: int, per_thread: int) -> None:
    cloud = FakeCloud(seed=11)
    tally = Tally()
    with cloud.serve() as server:
        base = f"{server.url}/connect-service/v2.1"
        pk = requests.post(
            f"{base}/products?action=create&orgId=o1", json=PRODUCT, headers=ENOS, timeout=10
        ).json()["data"]
        cloud.registry.tenant("enos", "o1").product(pk).quota = quota
        cloud.journal.clear()

        def worker(n: int) -> None:
            with requests.Session() as session:
                for i in range(per_thread):
                    body = {"productKey": pk, "timezone": "+08:00", "deviceName": {"defaultValue": "m"}}
                    if i % 3 == 0:  # some keys chosen by the client, the rest generated
                        body["deviceKey"] = f"w{n}-{i:03d}"
                    answer = session.post(
                        f"{base}/devices?action=create&orgId=o1", json=body, headers=ENOS, timeout=30
                    )
                    payload = answer.json()
                    key = payload["data"]["deviceKey"] if payload["code"] == 0 else None
                    tally.note(answer.status_code, payload["code"], key)

        hammer(worker)

    attempts = THREADS * per_thread
    assert tally.statuses == {200: attempts}
    assert tally.codes == {0: quota, 11739: attempts - quota}
    assert len(set(tally.keys)) == quota
    org = cloud.registry.tenant("enos", "o1")
    assert set(org.keys) == set(tally.keys)
    calls = cloud.journal.calls(operation="CreateDevice")
    assert len(calls) == attempts
    assert Counter(c.outcome for c in calls) == {"ok": quota, "error": attempts - quota}
    assert_consistent(cloud)


def test_scriptr_ids_stay_unique_and_contested_ids_have_one_winner() -> None:
    cloud = FakeCloud(seed=12)
    acme = cloud.scriptr("acme")
    per_thread = 20
    tally = Tally()
    with cloud.serve() as server:
        cloud.journal.clear()

        def worker(n: int) -> None:
            with requests.Session() as session:
                session.headers["Authorization"] = f"bearer {acme.token}"
                for i in range(per_thread):
                    # even: an id every thread asks for; odd: a generated one
                    body = {"name": f"d{n}-{i}", "password": "pw"}
                    if i % 2 == 0:
                        body["id"] = f"shared-{i:02d}"
                    answer = session.post(f"{server.url}/scriptr/device/create", json=body, timeout=30)
                    result = answer.json()["response"]["result"]
                    code = result["metadata"].get("errorCode", "ok")
                    tally.note(
                        answer.status_code, code, result["result"]["device"]["id"] if code == "ok" else None
                    )

        hammer(worker)

    contested = per_thread // 2
    attempts = THREADS * per_thread
    assert tally.statuses == {200: attempts}
    assert tally.codes == {
        "ok": contested + THREADS * contested,
        "DUPLICATE_DEVICE": (THREADS - 1) * contested,
    }
    assert len(set(tally.keys)) == len(tally.keys)
    assert {k for k in tally.keys if k.startswith("shared-")} == {
        f"shared-{i:02d}" for i in range(0, per_thread, 2)
    }
    assert len(cloud.journal.calls(operation="device.create")) == attempts
    assert_consistent(cloud)


def test_scriptr_device_limit_holds_exactly() -> None:
    cloud = FakeCloud(seed=13)
    acme = cloud.scriptr("acme")
    acme.max_devices = 50
    tally = Tally()
    with cloud.serve() as server:

        def worker(n: int) -> None:
            with requests.Session() as session:
                session.headers["Authorization"] = f"bearer {acme.token}"
                for i in range(12):
                    answer = session.post(
                        f"{server.url}/scriptr/device/create",
                        json={"name": f"{n}-{i}", "password": "pw"},
                        timeout=30,
                    )
                    result = answer.json()["response"]["result"]
                    tally.note(answer.status_code, result["metadata"].get("errorCode", "ok"))

        hammer(worker)

    assert tally.statuses == {200: THREADS * 12}
    assert tally.codes == {"ok": 50, "DEVICE_LIMIT_EXCEEDED": THREADS * 12 - 50}
    assert_consistent(cloud)


def test_aws_create_thing_is_idempotent_under_concurrency() -> None:
    """Identical CreateThing calls all succeed with the same thing; a different configuration for
    a taken name is refused, whoever got there first."""
    cloud = FakeCloud(seed=14)
    names = [f"thing-{i}" for i in range(12)]
    tally = Tally()
    ids: dict[str, set[str]] = {name: set() for name in names}
    with cloud.serve() as server:
        cloud.journal.clear()

        def worker(n: int) -> None:
            client = boto3.client(
                "iot",
                endpoint_url=server.url,
                region_name="us-east-1",
                aws_access_key_id="AKIDCONCURRENT",
                aws_secret_access_key="secret",
                config=Config(retries={"total_max_attempts": 1}),
            )
            for name in names:
                same = {"attributes": {"site": "north"}}
                answer = client.create_thing(thingName=name, attributePayload=same)
                with tally.lock:
                    ids[name].add(answer["thingId"])
                tally.note(answer["ResponseMetadata"]["HTTPStatusCode"], "ok")
                try:  # the same name with other attributes
                    client.create_thing(thingName=name, attributePayload={"attributes": {"site": f"s{n}"}})
                    tally.note(200, "other-accepted")
                except ClientError as exc:
                    tally.note(
                        exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response["Error"]["Code"]
                    )

        hammer(worker)

    attempts = THREADS * len(names)
    assert tally.codes == {"ok": attempts, "ResourceAlreadyExistsException": attempts}
    assert tally.statuses == {200: attempts, 409: attempts}
    assert all(len(found) == 1 for found in ids.values()), ids
    account = cloud.registry.tenants("aws")[0]
    assert sorted(account.keys) == sorted(names)
    assert all(d.attributes == {"site": "north"} for d in account.devices.values())
    assert len(cloud.journal.calls(operation="CreateThing")) == 2 * attempts
    assert_consistent(cloud)
