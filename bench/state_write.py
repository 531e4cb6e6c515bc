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
        ]
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench state", description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        points = [measure(n, args.rounds, Path(folder)) for n in args.devices]
    data = {"rounds": args.rounds, "points": points}
    text = report(data)
    common.write("state_write", data, text)
    print(text)
    return data
