"""What a snapshot costs at scale: ``cloud.snapshot()``, ``cloud.state_json()``, ``cloud.restore()``.

    python bench/snapshot_cost.py [--devices 100000] [--rounds 5]

Builds one EnOS org with one product and N devices shaped like real ones (an i18n name, three
attributes, two tags, a timezone and description), made through the provider's own create path
without HTTP, then times each operation and prints the median wall-clock time of the rounds and
the least CPU time (on a shared machine the CPU time is the steadier figure). ``--state`` files
and ``GET /_iotfake/state`` pay ``state_json``; fixture loading pays ``snapshot`` once per
document (its rollback point).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from iotfake import FakeCloud
from iotfake.providers.enos.devices import create_one


def build(devices: int) -> FakeCloud:
    cloud = FakeCloud(seed=1)
    cloud.seed(
        {
            "enos": {
                "orgs": [
                    {"orgId": "o1", "products": [{"productKey": "p1", "productName": "Meter", "quota": None}]}
                ]
            }
        }
    )
    provider = cloud.providers["enos"]
    org = cloud.registry.tenant("enos", "o1")
    for i in range(devices):
        create_one(
            provider,
            org,
            {
                "productKey": "p1",
                "timezone": "+08:00",
                "deviceName": {"defaultValue": f"meter {i}", "i18nValue": {"en_US": f"meter {i}"}},
                "deviceDesc": "a meter",
                "deviceAttributes": {"site": "north", "floor": i % 10, "rated": 3.5},
                "deviceTags": {"team": "ops", "batch": str(i % 100)},
            },
        )
    return cloud


def measure(action: Callable[[], object], rounds: int) -> tuple[float, float]:
    """(median wall seconds, least CPU seconds) over ``rounds`` runs."""
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cloud = build(args.devices)
    snapshot = cloud.snapshot()
    for name, action in [
        ("snapshot", cloud.snapshot),
        ("state_json", cloud.state_json),
        ("restore", lambda: cloud.restore(snapshot)),
    ]:
        wall, cpu = measure(action, args.rounds)
        print(f"{name:>10}: {wall * 1000:8.1f} ms wall, {cpu * 1000:8.1f} ms CPU  ({args.devices} devices)")


if __name__ == "__main__":
    main()
