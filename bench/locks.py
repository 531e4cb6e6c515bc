"""How long the registry lock is held, and what rollback-able seeding costs, at scale.

    python -m bench locks [--devices 100000] [--rounds 5]

Every write waits for the one registry lock, so the longest hold is the longest any create in any
tenant can be kept waiting. This swaps the registry's lock for a timing one (same re-entrant
semantics) and reports, per operation, the longest single hold (outermost acquire to release)
over the rounds, on a cloud holding N EnOS devices (``snapshot_cost.build``) and N AWS things.
The target (issue 17): no hold over 50 ms at 100,000 devices, and seeding one product into such a
cloud in 5 ms or less (a fixtures document is all or nothing: its rollback must not cost the
whole state). Writes ``bench/results/locks.{json,md}``.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from iotfake import FakeCloud
from iotfake.transports import route_botocore

from . import common
from .snapshot_cost import build

TARGET_HOLD_MS = 50.0
TARGET_SEED_MS = 5.0


class TimingLock:
    """A re-entrant lock that times each outermost hold."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self._since = 0.0
        self.holds: list[float] = []

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        taken = self._lock.acquire(blocking, timeout)
        if taken:
            self._depth += 1
            if self._depth == 1:
                self._since = time.perf_counter()
        return taken

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.holds.append((time.perf_counter() - self._since) * 1000)
        self._lock.release()

    __enter__ = acquire

    def __exit__(self, *exc: object) -> None:
        self.release()


def timed_cloud(devices: int) -> tuple[FakeCloud, TimingLock]:
    """A cloud with N EnOS devices and N AWS things whose registry lock is a TimingLock."""
    lock = TimingLock()
    cloud = FakeCloud(seed=1)
    registry = cloud.registry
    registry.lock = registry.tokens.lock = registry.keys.lock = lock  # type: ignore[assignment]
    built = build(devices)
    cloud.restore(built.snapshot())
    cloud.populate("aws", devices)
    cloud.faults.reset()
    return cloud, lock


def iot_client(cloud: FakeCloud) -> Any:
    client = boto3.client(
        "iot",
        endpoint_url="http://iotfake",
        region_name="us-east-1",
        aws_access_key_id="AKIAEXAMPLE000000000",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )
    return route_botocore(client, cloud)


def operations(cloud: FakeCloud) -> dict[str, Callable[[int], object]]:
    iot = iot_client(cloud)
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    snapshot = cloud.snapshot()

    def seed_product(i: int) -> object:
        return cloud.seed(
            {
                "enos": {
                    "orgs": [{"orgId": "o1", "products": [{"productKey": f"bench{i}", "productName": "B"}]}]
                }
            }
        )

    return {
        "state_json": lambda i: cloud.state_json(),
        "snapshot": lambda i: cloud.snapshot(),
        "restore": lambda i: cloud.restore(snapshot),
        "seed one product": seed_product,
        "CreateThing": lambda i: iot.create_thing(thingName=f"bench-{i}"),
        "ListThings (first page)": lambda i: iot.list_things(maxResults=100),
        "ListThings (attribute filter)": lambda i: iot.list_things(attributeName="nope", attributeValue="x"),
        "SearchIndex (thingName:a*)": lambda i: iot.search_index(queryString="thingName:a*", maxResults=100),
        "DeleteThing": lambda i: iot.delete_thing(thingName=f"bench-{i}"),
    }


def measure(devices: int, rounds: int) -> dict[str, Any]:
    cloud, lock = timed_cloud(devices)
    rows = []
    for name, run in operations(cloud).items():
        holds: list[float] = []
        walls: list[float] = []
        for i in range(rounds):
            lock.holds.clear()
            started = time.perf_counter()
            run(i)
            walls.append((time.perf_counter() - started) * 1000)
            holds.append(max(lock.holds, default=0.0))
        rows.append(
            {
                "operation": name,
                "max_hold_ms": max(holds),
                "median_hold_ms": statistics.median(holds),
                "median_wall_ms": statistics.median(walls),
                "min_wall_ms": min(walls),
                "max_wall_ms": max(walls),
            }
        )
    return {"devices": devices, "rounds": rounds, "rows": rows}


def report(data: dict[str, Any]) -> str:
    lines = [
        "# Registry lock holds and seeding cost",
        "",
        f"{data['devices']:,} EnOS devices plus {data['devices']:,} AWS things, {data['rounds']} rounds "
        f"each; target: no hold over {TARGET_HOLD_MS:.0f} ms, seeding one product in "
        f"{TARGET_SEED_MS:.0f} ms or less.",
        "",
        "| operation | longest lock hold | median hold | wall time (median, min-max) |",
        "|---|---|---|---|",
    ]
    for row in data["rows"]:
        lines.append(
            f"| {row['operation']} | {row['max_hold_ms']:.1f} ms | {row['median_hold_ms']:.1f} ms | "
            f"{row['median_wall_ms']:.1f} ms ({row['min_wall_ms']:.1f}-{row['max_wall_ms']:.1f}) |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench locks", description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    data = measure(args.devices, args.rounds)
    text = report(data)
    print(text)
    common.write("locks", {**data, "machine": common.machine()}, text)
