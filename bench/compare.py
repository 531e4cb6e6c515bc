"""Before and after: this checkout against an older revision, on the same machine in one run.

    python -m bench compare --base 2c01f48 [--rounds 6]

The base revision's ``src/`` is exported with ``git archive`` to a temporary folder; each
measurement runs in a fresh child process with ``PYTHONPATH`` pointing at one of the two trees,
alternating base and current round by round. Reports medians and base/current ratios of:

* CPU µs per EnOS CreateDevice, WSGI app called with a prepared environ;
* server CPU µs per EnOS CreateDevice over loopback HTTP (``iotfake serve`` in a child process);
* bytes of RSS per EnOS device, 100,000 devices created through the provider.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from . import common

ROOT = Path(__file__).resolve().parent.parent

IN_PROCESS = """
import json, time
from bench.enos import seeded_cloud, CREATE, BODY, HEADERS
from bench.wsgi import prepare
app = seeded_cloud().wsgi_app
call = prepare("POST", CREATE, BODY, HEADERS)
for _ in range(300):
    call(app)
started = time.process_time()
for _ in range({count}):
    call(app)
print(json.dumps((time.process_time() - started) / {count} * 1e6))
"""

OVER_HTTP = """
import json, requests
from bench import common
from bench.enos import FIXTURES, CREATE, BODY, HEADERS
with common.iotfake_server() as child:
    requests.post(child.url + "/_iotfake/seed", json=FIXTURES).raise_for_status()
    session, data = requests.Session(), json.dumps(BODY).encode()
    for _ in range(200):
        session.post(child.url + CREATE, data=data, headers=HEADERS)
    before = child.cpu()
    for _ in range({count}):
        session.post(child.url + CREATE, data=data, headers=HEADERS)
    print(json.dumps((child.cpu() - before) / {count} * 1e6))
"""

MEMORY = """
import gc, json
from bench import common
from bench.enos import seeded_cloud, ORG
from bench.scale import body, warm_up
from iotfake.providers.enos import devices
warm_up(100)
cloud = seeded_cloud()
provider, org = cloud.providers["enos"], cloud.registry.tenant("enos", ORG)
gc.collect()
empty = common.rss_bytes()
for number in range({count}):
    devices.create_one(provider, org, body(number))
gc.collect()
print(json.dumps((common.rss_bytes() - empty) / {count}))
"""

METRICS = {
    "enos_create_cpu_us": ("CPU µs per EnOS CreateDevice, in process", IN_PROCESS, 3000),
    "server_cpu_us": ("server CPU µs per EnOS CreateDevice over HTTP", OVER_HTTP, 1000),
    "bytes_per_device": ("bytes of RSS per EnOS device (100,000 devices)", MEMORY, 100_000),
}


def export(revision: str, folder: Path) -> Path:
    archive = folder / "src.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"], stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def measure(source: Path, script: str, count: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run(
        [sys.executable, "-c", script.format(count=count)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measurement failed with {source}:\n{done.stderr[-2000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


def run(base: str, rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        trees = {"base": export(base, Path(folder)), "current": ROOT / "src"}
        for key, (_, script, count) in METRICS.items():
            samples: dict[str, list[float]] = {"base": [], "current": []}
            for number in range(rounds if key != "bytes_per_device" else 1):
                for name in ("base", "current") if number % 2 == 0 else ("current", "base"):
                    samples[name].append(measure(trees[name], script, count))
            base_value, current = (statistics.median(samples[n]) for n in ("base", "current"))
            results[key] = {
                "base": base_value,
                "current": current,
                "ratio": base_value / current,
                "ratio_rounds": round_ratios(samples),
                "samples": samples,
            }
    return results


def round_ratios(samples: dict[str, list[float]]) -> list[float]:
    """base / current for each round: the two runs of a round came one after the other."""
    return [b / c for b, c in zip(samples["base"], samples["current"], strict=True)]


def report(base: str, rounds: int, results: dict[str, Any]) -> str:
    rows = [
        (
            label,
            f"{results[key]['base']:,.0f}",
            f"{results[key]['current']:,.0f}",
            common.spread(results[key]["ratio"], round_ratios(results[key]["samples"]), 2),
        )
        for key, (label, _, _) in METRICS.items()
    ]
    return "\n".join(
        [
            f"# Before and after: `{base}` against this checkout",
            "",
            f"Medians of {rounds} alternating child-process runs each (memory: one run each); the "
            "ratio is of the two medians, with the lowest and highest per-round ratio beside it. "
            f"Regenerate: `python -m bench compare --base {base}`.",
            "",
            common.table(["measure", "base", "current", "base / current"], rows),
        ]
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench compare", description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the git revision to compare against")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args(argv)
    results = run(args.base, args.rounds)
    text = report(args.base, args.rounds, results)
    common.write("compare", {"base": args.base, "rounds": args.rounds, "results": results}, text)
    print(text)
    return results
