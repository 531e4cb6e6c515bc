"""What one ``iotfake serve --state FILE`` write costs, at test-sized states.

    python -m bench state [--devices 1000 10000] [--rounds 9]

The README promises how much a SIGKILL can lose: the changes of the last ``--save-interval``
plus two writes. This times one write as the background saver makes it, ``StateKeeper.save``:
the snapshot as JSON (``cloud.state_json()``), a temp file in the same directory, fsync, rename
over the old file, fsync of the directory. The cloud holds one EnOS org with N devices shaped
like real ones (``bench/snapshot_cost.py``'s); the file goes to a temporary directory, so the
fsyncs cost what that filesystem charges. Writes ``bench/results/state_write.{json,md}``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from iotfake.durable import StateKeeper

from . import common
from .snapshot_cost import build


def measure(devices: int, rounds: int, folder: Path) -> dict[str, Any]:
    keeper = StateKeeper(build(devices), folder / f"state-{devices}.json")
    keeper.save(force=True)  # the first write also creates the file; not timed
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        keeper.save(force=True)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "devices": devices,
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "rounds_ms": times,
        "file_bytes": keeper.path.stat().st_size,
    }


def log_cost(calls: int, rounds: int, folder: Path) -> dict[str, Any]:
    """Microseconds per EnOS create in process: no ``--state``, and the write-ahead log under each
    fsync policy (the log's whole cost: change records, dispatch, encoding, the write, the fsync),
    interleaved rounds."""
    from werkzeug.test import Client

    from .enos import BODY, CREATE, HEADERS, seeded_cloud

    def run(fsync: str | None) -> float:
        cloud = seeded_cloud()
        keeper = None
        if fsync is not None:
            keeper = StateKeeper(cloud, folder / f"log-{fsync}.json", interval=3600, fsync=fsync)
            keeper.start()
        client = Client(cloud.wsgi_app)

        def send(body: dict[str, Any]) -> None:
            assert client.post(CREATE, json=body, headers=HEADERS).json["code"] == 0

        started = time.perf_counter()
        for i in range(calls):
            send({**BODY, "deviceKey": f"meter-{i:06d}"})
        each = (time.perf_counter() - started) / calls * 1e6
        if keeper is not None:
            keeper.stop()
            for path in folder.iterdir():
                path.unlink()
        return each

    policies: list[str | None] = [None, "no", "everysec", "always"]
    series: dict[str, list[float]] = {str(p): [] for p in policies}
    for _ in range(rounds):
        for policy in policies:
            series[str(policy)].append(run(policy))
    return {"calls": calls, "rounds": {k: v for k, v in series.items()},
            "median_us": {k: statistics.median(v) for k, v in series.items()}}  # fmt: skip


def report(data: dict[str, Any]) -> str:
    rows = [
        (
            f"{p['devices']:,}",
            f"{p['median_ms']:,.1f} ms",
            f"{p['min_ms']:,.1f}-{p['max_ms']:,.1f} ms",
            f"{p['file_bytes'] / 2**20:,.1f} MiB",
        )
        for p in data["points"]
    ]
    return "\n".join(
        [
            "# One `--state` write",
            "",
            f"`StateKeeper.save`: `state_json()`, temp file, fsync, rename, fsync of the directory; "
            f"{data['rounds']} writes per size after one untimed. Regenerate: `python -m bench state`.",
            "",
            common.table(["EnOS devices", "median", "fastest-slowest", "file"], rows),
            "",
            "## The write-ahead log, per EnOS create in process",
            "",
            common.table(
                ["--state / --fsync", "µs per create (median)", "rounds"],
                [
                    (
                        "no --state" if name == "None" else f"--fsync {name}",
                        f"{data['log']['median_us'][name]:.0f}",
                        f"{min(values):.0f}-{max(values):.0f}",
                    )
                    for name, values in data["log"]["rounds"].items()
                ],
            ),
        ]
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench state", description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--log-calls", type=int, default=2000, help="creates per write-ahead log round")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        points = [measure(n, args.rounds, Path(folder)) for n in args.devices]
    with tempfile.TemporaryDirectory() as folder:
        log = log_cost(args.log_calls, 5, Path(folder))
    data = {"rounds": args.rounds, "points": points, "log": log}
    text = report(data)
    common.write("state_write", data, text)
    print(text)
    return data
