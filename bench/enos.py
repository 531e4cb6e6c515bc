"""EnOS CreateDevice throughput: in process (the WSGI app itself, and werkzeug's Client) and over
loopback HTTP (``requests.Session`` against ``iotfake serve`` in a child process, and against
``cloud.serve()`` in this process).

    python -m bench enos [--count 3000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable
from typing import Any

import requests
from werkzeug.test import Client

from iotfake import FakeCloud

from . import common
from .wsgi import prepare

ORG = "o1"
PRODUCT_KEY = "BenchPrd"
HEADERS = {"apim-accesstoken": "bench", "Content-Type": "application/json"}
CREATE = f"/connect-service/v2.1/devices?action=create&orgId={ORG}"
BODY = {"productKey": PRODUCT_KEY, "timezone": "+08:00", "deviceName": {"defaultValue": "meter"}}
#: one org with one product of unlimited quota (the default quota is 10,000 devices)
FIXTURES: dict[str, Any] = {
    "enos": {
        "orgs": [
            {
                "orgId": ORG,
                "products": [
                    {
                        "productKey": PRODUCT_KEY,
                        "productName": "Meter",
                        "modelId": "meter",
                        "productType": "Device",
                        "dataFormat": "Json",
                        "quota": None,
                    }
                ],
            }
        ]
    }
}


#: untimed calls per contender before the rounds: one-time costs (the URL map compiled on the first
#: request, a server's first connection, a child process still starting) are not throughput
WARM_UP = 300


def seeded_cloud(seed: int = 1) -> FakeCloud:
    return FakeCloud(seed=seed).seed(FIXTURES)


def direct(count: int) -> Callable[[], float]:
    """The app called with a prepared environ: the fake's own cost per create."""
    app = seeded_cloud().wsgi_app
    call = prepare("POST", CREATE, BODY, HEADERS)
    for _ in range(WARM_UP):
        call(app)

    def work() -> None:
        for _ in range(count):
            status, body = call(app)
            assert status.startswith("200") and body.startswith(b'{"code":0'), body

    return _InProcess(count, work)


def werkzeug_client(count: int) -> Callable[[], float]:
    client = Client(seeded_cloud().wsgi_app)
    data = json.dumps(BODY).encode()
    for _ in range(WARM_UP):
        client.post(CREATE, data=data, headers=HEADERS)

    def work() -> None:
        for _ in range(count):
            assert client.post(CREATE, data=data, headers=HEADERS).json["code"] == 0

    return _InProcess(count, work)


class _InProcess:
    """A contender whose every round also records its CPU-time rate (``cpu_rates``)."""

    def __init__(self, count: int, work: Callable[[], None]) -> None:
        self.count, self.work = count, work
        self.cpu_rates: list[float] = []

    def __call__(self) -> float:
        wall, cpu = common.rates(self.count, self.work)
        self.cpu_rates.append(cpu)
        return wall


def session_against(url: str, count: int) -> Callable[[], float]:
    session = requests.Session()
    data = json.dumps(BODY).encode()
    for _ in range(WARM_UP // 10):
        session.post(url + CREATE, data=data, headers=HEADERS)

    def run() -> float:
        def work() -> None:
            for _ in range(count):
                assert session.post(url + CREATE, data=data, headers=HEADERS).json()["code"] == 0

        return common.rate(count, work)

    return run


def measure(count: int, http_count: int, rounds: int) -> dict[str, Any]:
    with common.iotfake_server() as child, seeded_cloud().serve() as thread_server:
        requests.post(f"{child.url}/_iotfake/seed", json=FIXTURES, timeout=10).raise_for_status()
        contenders = {
            "wsgi-direct": direct(count),
            "werkzeug-client": werkzeug_client(count),
            "http-subprocess": session_against(child.url, http_count),
            "http-thread": session_against(thread_server.url, http_count),
        }
        series = common.interleaved(contenders, rounds)
    cpu = {name: c.cpu_rates for name, c in contenders.items() if isinstance(c, _InProcess)}
    return {
        "count": count,
        "http_count": http_count,
        "rounds": rounds,
        "creates_per_second": {name: s.median for name, s in series.items()},
        "rounds_raw": {name: s.rates for name, s in series.items()},
        "cpu_creates_per_second": {name: statistics.median(r) for name, r in cpu.items()},
        "cpu_rounds_raw": cpu,
    }


LABELS = {
    "wsgi-direct": "in process, WSGI app called with a prepared environ",
    "werkzeug-client": "in process, werkzeug `Client`",
    "http-subprocess": "loopback HTTP, `requests.Session` -> `iotfake serve` (child process)",
    "http-thread": "loopback HTTP, `requests.Session` -> `cloud.serve()` (thread, same process)",
}


def report(data: dict[str, Any]) -> str:
    cpu = data.get("cpu_creates_per_second", {})
    rows = [
        (
            LABELS[name],
            f"{rate:,.0f}",
            f"{1e6 / rate:,.0f}",
            f"{cpu[name]:,.0f}" if name in cpu else "(client and server apart)",
            " / ".join(f"{r:,.0f}" for r in data["rounds_raw"][name]),
        )
        for name, rate in data["creates_per_second"].items()
    ]
    return "\n".join(
        [
            "# EnOS CreateDevice throughput",
            "",
            f"Median of {data['rounds']} interleaved rounds; {data['count']:,} creates per in-process round, "
            f"{data['http_count']:,} per HTTP round. Regenerate: `python -m bench enos`. The CPU-time "
            "rate counts only the time this thread ran: on this shared virtual machine the wall clock "
            "also counts the time the host gave to others, which moves from minute to minute.",
            "",
            common.table(["path", "creates/s", "µs per create", "creates/s by CPU time", "each round"], rows),
        ]
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench enos", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="creates per in-process round")
    parser.add_argument("--http-count", type=int, default=1000, help="creates per HTTP round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    data = measure(args.count, args.http_count, args.rounds)
    text = report(data)
    common.write("enos", data, text)
    print(text)
    return data
