"""The console's render time: the device list of a tenant holding 100,000 devices.

    python -m bench console [--devices 100000] [--rounds 7]

The console must stay usable on the fleets people load (a 100k-device fixture is one line of
``generate``). It copies the tenant's keys under the lock and sorts, searches and pages them
outside it (once per change of that tenant's key set: paging on is a slice, and so is turning
the pages of one search), and renders only 50 rows. Each figure
is the median over ``rounds`` full requests (werkzeug test client: routing, the admin guard,
Jinja2, the body) on one cloud; the home page and a page of another, small tenant are measured
alongside to show the fleet does not weigh on them. Writes ``bench/results/console.{json,md}``.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from typing import Any

from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.registry.models import Device

from . import common

BIG = "/_iotfake/console/tenant?provider=enos&tenant=big"
PAGES = {
    "home page": "/_iotfake/console",
    "device list, page 1 after a device was added (sorts the fleet)": BIG,
    "device list, page 1 after writes elsewhere (no sort)": BIG,
    "device list, page 1": BIG,
    "device list, page 1000": BIG + "&page=1000",
    "device list, a new search (one match)": BIG + "&q={key}",
    "device list, a new search (no match)": BIG + "&q=zzzz{round}",
    "device list, the next page of a search": BIG + "&q=a&page=2",
    "small tenant's page (10 devices)": "/_iotfake/console/tenant?provider=enos&tenant=small",
}


def fleet(devices: int) -> FakeCloud:
    cloud = FakeCloud(seed=1)
    cloud.seed(
        {
            "enos": {
                "orgs": [
                    {
                        "orgId": "big",
                        "products": [{"productKey": "p1", "quota": 2 * devices}],
                        "devices": [{"generate": devices, "productKey": "p1", "seed": 1}],
                    },
                    {
                        "orgId": "small",
                        "products": [{"productKey": "p2"}],
                        "devices": [{"generate": 10, "productKey": "p2", "seed": 2}],
                    },
                ]
            }
        }
    )
    return cloud


def measure(devices: int, rounds: int) -> dict[str, Any]:
    cloud = fleet(devices)
    client = Client(cloud.wsgi_app)
    big = cloud.registry.find_tenant("enos", "big")
    keys = list(itertools.islice(big.keys, rounds + 1))  # a different search each round
    out: dict[str, Any] = {"devices": devices, "rounds": rounds, "pages": {}}
    for title, path in PAGES.items():
        client.get(path.format(key=keys[0], round=0))  # warm: the rows below say what they time
        timings = []
        for number in range(rounds):
            if "device was added" in title:
                build = lambda id_, key: Device(id_, key, "p1")  # noqa: E731
                big.add_device(key=f"added-{number}", product="p1", build=build)
            elif "writes elsewhere" in title:
                cloud.changes.bump()  # another tenant's write, a token, the clock: not this fleet
            url = path.format(key=keys[number + 1], round=number + 1)
            started = time.perf_counter()
            answer = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, (url, answer.status_code)
        out["pages"][title] = {
            "path": path,
            "ms": statistics.median(timings),
            "rounds_ms": timings,
            "bytes": len(answer.data),
        }
    return out


def report(data: dict[str, Any]) -> str:
    rows = [
        [
            title,
            f"{page['ms']:.1f}",
            f"{min(page['rounds_ms']):.1f}-{max(page['rounds_ms']):.1f}",
            f"{page['bytes'] / 1024:.0f}",
        ]
        for title, page in data["pages"].items()
    ]
    return "\n".join(
        [
            "# Console render time",
            "",
            f"A tenant of {data['devices']:,} devices; median of {data['rounds']} full requests each "
            "(`python -m bench console`).",
            "",
            common.table(["page", "ms (median)", "range", "KiB"], rows),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench console", description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    data = measure(args.devices, args.rounds)
    text = report(data)
    print(text)
    common.write("console", data, text)
