"""How long SearchIndex takes over a fleet: boto3 against a live server, one page of 100.

    python bench/search_index.py [--things 10000] [--calls 5]

The fleet: ``--things`` things with two attributes, half of them with a classic shadow, indexing
REGISTRY_AND_SHADOW. SearchIndex evaluates the query over every thing at call time, reading only
the fields the query names (a free-text term reads them all), and stops at the page's end, so a
query that matches early is cheap and one that matches nothing scans the whole fleet.
"""

from __future__ import annotations

import argparse
import time

import boto3

from iotfake import FakeCloud

QUERIES = [
    "*",
    "thingName:t0*",
    "attributes.num:[10 TO 20] AND attributes.color:red",
    "attributes.color:red AND shadow.reported.temp>30",
    "thingName:nothing*",
    "nothing",
]


def fleet(things: int) -> FakeCloud:
    cloud = FakeCloud(seed=1)
    indexing = {"thingIndexingConfiguration": {"thingIndexingMode": "REGISTRY_AND_SHADOW"}}
    made = [
        {"thingName": f"t{i:07d}", "attributes": {"num": str(i % 100), "color": ("red", "blue")[i % 2]}}
        for i in range(things)
    ]
    cloud.seed({"aws": {"accounts": [{"indexingConfiguration": indexing, "things": made}]}})
    shadows = cloud.providers["aws"].account("123456789012", "us-east-1").table("shadows")
    for i in range(0, things, 2):
        state = {"reported": {"temp": i % 40, "mode": "eco"}, "desired": {"temp": 20}}
        shadows[f"t{i:07d}"] = {"": {"state": state, "metadata": {}, "version": 1, "timestamp": 0}}
    return cloud


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--things", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=5)
    args = parser.parse_args()
    cloud = fleet(args.things)
    with cloud.serve() as server:
        iot = boto3.client(
            "iot",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="bench",
        )
        for query in QUERIES:
            iot.search_index(queryString=query, maxResults=100)
            started = time.perf_counter()
            for _ in range(args.calls):
                page = iot.search_index(queryString=query, maxResults=100)
            each = (time.perf_counter() - started) / args.calls
            print(f"{query!r:55} {each * 1000:8.1f} ms/call  {len(page['things']):3} on the page")


if __name__ == "__main__":
    main()
