"""What namespaces cost: memory per idle namespace, and the router's cost on the default path.

    python -m bench namespaces [--count 1000] [--calls 20000] [--rounds 5]

A shared ``iotfake serve`` may hold a namespace per CI shard or test process, most of them idle;
and every request now passes the namespace router before its cloud. This measures the resident
memory that ``count`` namespaces add once each has answered one request (the state a finished
test run leaves), over a second batch of ``count`` so that one-time costs are left out, and the
time per request through ``cloud.namespaces`` against ``cloud.wsgi_app`` (the same health call,
interleaved rounds). Writes ``bench/results/namespaces.{json,md}``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from typing import Any

from werkzeug.test import EnvironBuilder

from iotfake import FakeCloud

from . import common


def _noop(status: str, headers: list, exc_info: Any = None) -> None:
    return None


def memory(count: int) -> dict[str, Any]:
    """What ``count`` more namespaces hold once each answered a request, measured over a second
    batch of ``count``: the first batch also pays what happens once per process (modules a first
    namespace imports, allocator arenas), which would be spread over every namespace."""
    cloud = FakeCloud(seed=1)
    router = cloud.namespaces
    environ = EnvironBuilder(path="/_iotfake/health").get_environ()

    def batch(prefix: str) -> tuple[int, float]:
        gc.collect()
        before = common.rss_bytes()
        started = time.perf_counter()
        for i in range(count):
            env = dict(environ, HTTP_X_IOTFAKE_NAMESPACE=f"{prefix}-{i}")
            b"".join(router(env, _noop))
        elapsed = time.perf_counter() - started
        gc.collect()
        return common.rss_bytes() - before, elapsed

    first, first_elapsed = batch("first")
    grown, elapsed = batch("ns")
    return {
        "count": count,
        "bytes": grown,
        "bytes_each": grown / count,
        "first_use_us": elapsed / count * 1e6,
        "first_batch_bytes": first,
        "first_batch_use_us": first_elapsed / count * 1e6,
    }


def router_cost(calls: int, rounds: int) -> dict[str, Any]:
    cloud = FakeCloud(seed=1)
    environ = EnvironBuilder(path="/_iotfake/health").get_environ()

    def timed(app: Any) -> float:
        started = time.perf_counter()
        for _ in range(calls):
            b"".join(app(dict(environ), _noop))
        return (time.perf_counter() - started) / calls * 1e6

    direct, routed = [], []
    for _ in range(rounds):
        direct.append(timed(cloud.wsgi_app))
        routed.append(timed(cloud.namespaces))
    return {
        "calls": calls,
        "direct_us": statistics.median(direct),
        "routed_us": statistics.median(routed),
        "direct_rounds": direct,
        "routed_rounds": routed,
    }


def report(data: dict[str, Any]) -> str:
    mem, cost = data["memory"], data["router"]
    extra = cost["routed_us"] - cost["direct_us"]
    return "\n".join(
        [
            "# Namespaces",
            "",
            f"- {mem['count']:,} namespaces, each after one request: {mem['bytes'] / 2**20:.1f} MiB resident "
            f"({mem['bytes_each'] / 1024:.1f} KiB each); first use {mem['first_use_us']:.0f} µs each. "
            "Measured over a second batch: the first one, which also pays what a process does once "
            f"(imports, allocator arenas), took {mem.get('first_batch_bytes', 0) / 2**20:.1f} MiB and "
            f"{mem.get('first_batch_use_us', 0):.0f} µs each.",
            f"- The router on the default path: {cost['routed_us']:.1f} µs per health call against "
            f"{cost['direct_us']:.1f} µs direct ({extra:+.1f} µs; rounds "
            f"{min(cost['routed_rounds']):.1f}-{max(cost['routed_rounds']):.1f} vs "
            f"{min(cost['direct_rounds']):.1f}-{max(cost['direct_rounds']):.1f}).",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench namespaces", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    data = {"memory": memory(args.count), "router": router_cost(args.calls, args.rounds)}
    text = report(data)
    print(text)
    common.write("namespaces", data, text)
