"""The scale curve: memory per device and per-operation latency from 1,000 to 1,000,000 EnOS devices.

    python -m bench scale [--max 100000] [--samples 1000]
    python -m bench scale --max 1000000      # the full curve; takes a few minutes

One org, one product without quota. At each decade the org is filled, in bulk, through the EnOS
provider's own create path (validation, ids, registry; no HTTP), to ``decade - samples`` devices;
then ``samples`` creates go through the WSGI app (a prepared environ, as a server would hand it
over) and bring the count to the decade exactly. Then, still through the app: GetDevice by
assetId of random devices, a first page of SearchDevice without a filter and with
``productKey = '…'`` (both read only the page), and a few searches whose expression has to scan
every device (``deviceName like …``), reported apart because they grow with the org by design.

Each timed call on the big org is paired with the same call on a reference org of 1,000 devices
kept alongside (its creates are removed again, untimed), call for call: the machine's speed drifts
by tens of percent over the minutes a full curve takes, so "latency at 1,000,000 relative to 1,000"
is the ratio of those interleaved medians, not of rows measured minutes apart. Each ratio comes
with a 95% interval, resampled from its paired calls (``common.bootstrap_interval``).

RSS is the process's resident set after ``gc.collect()``; per device is the growth over the
empty cloud (the reference org included) divided by the device count. Writes
``bench/results/scale.{md,json,png}``.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
from collections.abc import Callable
from typing import Any

from iotfake.providers.enos import devices

from . import common
from .enos import CREATE, HEADERS, ORG, PRODUCT_KEY, seeded_cloud
from .wsgi import prepare

SEARCH = f"/connect-service/v2.1/devices?action=search&orgId={ORG}"
GET = f"/connect-service/v2.1/devices?action=get&orgId={ORG}&assetId="
SCAN_SAMPLES = 5
REFERENCE_DEVICES = 1000
#: the operations timed on both orgs: (name in reports, key in results)
PAIRED = (
    ("create", "create_ms"),
    ("get", "get_ms"),
    ("search page", "search_page_ms"),
    ("search productKey page", "search_product_page_ms"),
)


def decades(most: int) -> list[int]:
    points, n = [], 1000
    while n <= most:
        points.append(n)
        n *= 10
    return points


def body(number: int) -> dict[str, Any]:
    """What CreateDevice requires, each device with its own name; the fake makes key, id, secret.

    Through a JSON round trip, as off the wire: every string is a fresh object, as it is for a
    request (Python literals would be shared and hide what a device really costs)."""
    return json.loads(
        json.dumps(
            {
                "productKey": PRODUCT_KEY,
                "timezone": "+08:00",
                "deviceName": {"defaultValue": f"meter {number:07d}"},
            }
        )
    )


def timed(calls: list[Callable[[], Any]]) -> list[float]:
    """Milliseconds for each call."""
    out = []
    for call in calls:
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def paired(
    calls: list[Callable[[], Any]], reference: list[Callable[[], Any]]
) -> tuple[list[float], list[float]]:
    """Milliseconds for each call and for its reference twin, timed one after the other."""
    ours, theirs = [], []
    for call, twin in zip(calls, reference, strict=True):
        ours += timed([call])
        theirs += timed([twin])
    return ours, theirs


def latency(samples: list[float]) -> dict[str, float]:
    return {"median": common.percentile(samples, 0.5), "p99": common.percentile(samples, 0.99)}


def ok(call: Callable[[Any], tuple[str, bytes]], app: Any) -> Callable[[], None]:
    def run() -> None:
        status, payload = call(app)
        assert status.startswith("200") and payload.startswith(b'{"code":0'), payload[:200]

    return run


def warm_up(count: int) -> None:
    """Load every module and cache the measured calls touch, on a cloud thrown away after, so
    that the empty cloud's RSS is a fair baseline."""
    cloud = seeded_cloud()
    app = cloud.wsgi_app
    for number in range(count):
        ok(prepare("POST", CREATE, body(number), HEADERS), app)()
    asset_id = next(iter(cloud.registry.tenant("enos", ORG).devices))
    ok(prepare("GET", GET + asset_id, None, HEADERS), app)()
    ok(prepare("POST", SEARCH, {"expression": "deviceName like 'm%'"}, HEADERS), app)()
    del cloud, app
    gc.collect()


def fill(provider: Any, org: Any, start: int, stop: int) -> None:
    """Devices ``start`` to ``stop`` through the provider's create path (no HTTP)."""
    for number in range(start, stop):
        devices.create_one(provider, org, body(number))


class Org:
    """One org of a seeded cloud, with the calls the curve times on it."""

    def __init__(self, seed: int) -> None:
        self.cloud = seeded_cloud(seed)
        self.app, self.provider = self.cloud.wsgi_app, self.cloud.providers["enos"]
        self.org = self.cloud.registry.tenant("enos", ORG)

    def creates(self, start: int, count: int) -> list[Callable[[], None]]:
        return [ok(prepare("POST", CREATE, body(start + i), HEADERS), self.app) for i in range(count)]

    def gets(self, pick: random.Random, count: int) -> list[Callable[[], None]]:
        ids = list(self.org.devices)
        return [ok(prepare("GET", GET + pick.choice(ids), None, HEADERS), self.app) for _ in range(count)]

    def search(self, body: dict[str, Any]) -> Callable[[], None]:
        return ok(prepare("POST", SEARCH, body, HEADERS), self.app)

    def remove_all_but(self, keep: set[str]) -> None:
        for device in [d for asset_id, d in self.org.devices.items() if asset_id not in keep]:
            self.org.remove_device(device)


def measure(most: int, samples: int, seed: int = 7) -> list[dict[str, Any]]:
    warm_up(samples)
    big, reference = Org(seed=1), Org(seed=2)
    fill(reference.provider, reference.org, 0, REFERENCE_DEVICES)
    reference_ids = set(reference.org.devices)
    pick = random.Random(seed)
    gc.collect()
    empty = common.rss_bytes()
    points = []
    first_samples: dict[str, list[float]] = {}
    made = 0
    for decade in decades(most):
        bulk_started, before = time.perf_counter(), made
        fill(big.provider, big.org, made, decade - samples)
        made = max(made, decade - samples)
        bulk = time.perf_counter() - bulk_started
        create_ms, create_ref = paired(big.creates(made, samples), reference.creates(10**8 + made, samples))
        made += samples
        assert len(big.org.devices) == decade
        reference.remove_all_but(reference_ids)  # back to its 1,000 devices, untimed
        gc.collect()
        rss = common.rss_bytes()
        first_page = {"pagination": {"pageNo": 1, "pageSize": 10}}
        by_product = {**first_page, "expression": f"productKey = '{PRODUCT_KEY}'"}
        scan = {**first_page, "expression": "deviceName like 'meter 00000%'"}
        get_ms, get_ref = paired(big.gets(pick, samples), reference.gets(pick, samples))
        page_ms, page_ref = paired(
            [big.search(first_page)] * samples, [reference.search(first_page)] * samples
        )
        product_ms, product_ref = paired(
            [big.search(by_product)] * samples, [reference.search(by_product)] * samples
        )
        point = {
            "devices": decade,
            "bulk_creates_per_second": round((made - samples - before) / bulk)
            if made - samples > before
            else None,
            "create_ms": latency(create_ms),
            "get_ms": latency(get_ms),
            "search_page_ms": latency(page_ms),
            "search_product_page_ms": latency(product_ms),
            "search_scan_ms": latency(timed([big.search(scan)] * SCAN_SAMPLES)),
            "reference": {
                "devices": REFERENCE_DEVICES,
                "create_ms": latency(create_ref),
                "get_ms": latency(get_ref),
                "search_page_ms": latency(page_ref),
                "search_product_page_ms": latency(product_ref),
            },
        }
        samples_now = {
            "create_ms": (create_ms, create_ref),
            "get_ms": (get_ms, get_ref),
            "search_page_ms": (page_ms, page_ref),
            "search_product_page_ms": (product_ms, product_ref),
        }
        point["interval"] = {key: common.bootstrap_interval(*pair) for key, pair in samples_now.items()}
        if not first_samples:
            first_samples = {key: ours for key, (ours, _) in samples_now.items()}
        else:  # against the first decade's own calls, minutes apart: unpaired
            point["growth_interval"] = {
                key: common.bootstrap_interval(ours, first_samples[key], paired=False)
                for key, (ours, _) in samples_now.items()
            }
        point["rss_mib"] = round(rss / 2**20, 1)
        point["bytes_per_device"] = round((rss - empty) / decade)
        points.append(point)
        print(_row(point), flush=True)
    return points


def relative(point: dict[str, Any]) -> dict[str, float]:
    """Median latency on the big org over the reference org's, measured alongside."""
    return {name: point[key]["median"] / point["reference"][key]["median"] for name, key in PAIRED}


def relative_shown(point: dict[str, Any]) -> dict[str, str]:
    """:func:`relative` with each ratio's 95% interval (resampled from the paired calls)."""
    bounds = point.get("interval", {})
    return {
        name: common.interval(value, bounds.get(key))
        for (name, key), value in zip(PAIRED, relative(point).values(), strict=True)
    }


COLUMNS = [
    "devices",
    "RSS MiB",
    "bytes/device",
    "create ms (median / p99)",
    "get ms",
    "search page 1 ms",
    "search productKey page 1 ms",
    "scan search ms (like)",
]


def _pair(value: dict[str, float]) -> str:
    return f"{value['median']:.3f} / {value['p99']:.3f}"


def _row(point: dict[str, Any]) -> list[str]:
    return [
        f"{point['devices']:,}",
        f"{point['rss_mib']:,.0f}",
        f"{point['bytes_per_device']:,}",
        _pair(point["create_ms"]),
        _pair(point["get_ms"]),
        _pair(point["search_page_ms"]),
        _pair(point["search_product_page_ms"]),
        f"{point['search_scan_ms']['median']:.1f}",
    ]


def report(data: dict[str, Any]) -> str:
    points = data["points"]
    first, last = points[0], points[-1]
    lines = [
        "# Scale curve: EnOS devices in one org",
        "",
        f"Latencies through the WSGI app (prepared environ), {data['samples']:,} samples per operation "
        f"(scan search: {SCAN_SAMPLES}); median / p99. Regenerate: `python -m bench scale --max "
        f"{last['devices']}`.",
        "",
        common.table(COLUMNS, [_row(p) for p in points]),
        "",
        "![scale curve](scale.png)",
    ]
    if "reference" in last:
        lines += [
            "",
            f"## Relative to a {last['reference']['devices']:,}-device org timed alongside",
            "",
            "Each call on the big org was followed by the same call on the reference org; median over "
            "median (the machine's drift over the run cancels out):",
            "",
            common.table(
                ["devices", *(name for name, _ in PAIRED)],
                [[f"{p['devices']:,}", *relative_shown(p).values()] for p in points],
            ),
            "",
            f"Median latency at {last['devices']:,} devices relative to {last['reference']['devices']:,} "
            "(target: within 1.5x): "
            + ", ".join(f"{name} {shown}" for name, shown in relative_shown(last).items())
            + ".",
        ]
    if len(points) > 1:
        bounds = last.get("growth_interval", {})
        growth = {
            name: common.interval(last[key]["median"] / first[key]["median"], bounds.get(key))
            for name, key in PAIRED
        }
        lines += [
            f"Against the {first['devices']:,}-device row above, measured minutes earlier on a machine "
            "whose speed drifts (the interval covers the timing noise, not the drift): "
            + ", ".join(f"{name} {shown}" for name, shown in growth.items())
            + ".",
            f"Scan searches grow with the org by design: {last['search_scan_ms']['median']:.0f} ms at "
            f"{last['devices']:,} devices.",
        ]
    return "\n".join(lines)


def plot(data: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = data["points"]
    sizes = [p["devices"] for p in points]
    paired_points = [p for p in points if "reference" in p]
    figure, panels = plt.subplots(1, 3 if paired_points else 2, figsize=(16 if paired_points else 11, 4.2))
    memory, speed = panels[0], panels[1]
    memory.plot(sizes, [p["rss_mib"] for p in points], "o-", label="process RSS (MiB)")
    memory.axhline(1024, color="grey", linestyle=":", label="1 GiB")
    memory.set_xscale("log")
    memory.set_yscale("log")
    memory.set_xlabel("devices")
    memory.set_title("memory")
    memory.legend()
    for name, key in (
        ("create", "create_ms"),
        ("get", "get_ms"),
        ("search page 1", "search_page_ms"),
        ("search productKey page 1", "search_product_page_ms"),
    ):
        speed.plot(sizes, [p[key]["median"] for p in points], "o-", label=f"{name} (median)")
        speed.plot(sizes, [p[key]["p99"] for p in points], ":", color=speed.lines[-1].get_color())
    speed.set_xscale("log")
    speed.set_yscale("log")
    speed.set_xlabel("devices")
    speed.set_ylabel("ms (dotted: p99)")
    speed.set_title("latency through the WSGI app")
    speed.legend(fontsize="small")
    if paired_points:
        ratio = panels[2]
        for name, _ in PAIRED:
            ratio.plot(
                [p["devices"] for p in paired_points],
                [relative(p)[name] for p in paired_points],
                "o-",
                label=name,
            )
        ratio.axhline(1.5, color="grey", linestyle=":", label="target 1.5x")
        ratio.set_xscale("log")
        ratio.set_ylim(0, 2)
        ratio.set_xlabel("devices")
        ratio.set_title(
            f"median vs a {paired_points[0]['reference']['devices']:,}-device org, timed alongside"
        )
        ratio.legend(fontsize="small")
    figure.tight_layout()
    common.RESULTS.mkdir(exist_ok=True)
    figure.savefig(common.RESULTS / "scale.png", dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--max", type=int, default=100_000, help="largest decade (1000000 for the full curve)"
    )
    parser.add_argument("--samples", type=int, default=1000, help="timed calls per operation and decade")
    args = parser.parse_args(argv)
    if args.max < 1000 or args.samples > 1000:
        parser.error("--max is at least 1000 and --samples at most 1000")
    print(json.dumps(COLUMNS))
    data = {"samples": args.samples, "points": measure(args.max, args.samples)}
    text = report(data)
    common.write("scale", data, text)
    plot(data)
    print(text)
    return data
