"""How long generated fleets take to load: ``{"generate": N}`` through the fixtures machinery.

    python bench/generate_speed.py [--devices 100000] [--provider enos|aws|scriptr] [--runs 3]

Each run loads one generator into a fresh cloud (the document's product or account included) and
reports wall clock and this process's CPU time; on a shared machine the CPU time is the fairer
figure. The first run also pays for faker's start (building its pools, about 0.1 s).
"""

from __future__ import annotations

import argparse
import time

from iotfake import FakeCloud


def document(provider: str, devices: int) -> dict:
    generator = {"generate": devices, "seed": 7}
    if provider == "enos":
        product = {"productKey": "p1", "productName": "Smart meter", "quota": None}
        return {
            "enos": {
                "orgs": [
                    {"orgId": "o1", "products": [product], "devices": [{**generator, "productKey": "p1"}]}
                ]
            }
        }
    if provider == "aws":
        return {"aws": {"accounts": [{"things": [generator]}]}}
    return {"scriptr": {"accounts": [{"name": "acme", "devices": [generator]}]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--provider", choices=("enos", "aws", "scriptr"), default="enos")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    doc = document(args.provider, args.devices)
    for run in range(1, args.runs + 1):
        cloud = FakeCloud(seed=1)
        wall, cpu = time.perf_counter(), time.process_time()
        cloud.seed(doc)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rate = args.devices / wall if wall else float("inf")
        count = f"{args.devices:,} {args.provider} devices"
        print(f"run {run}: {count} in {wall:.2f} s wall, {cpu:.2f} s CPU ({rate:,.0f}/s)")


if __name__ == "__main__":
    main()
