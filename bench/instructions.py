"""What one in-process call costs the fake, counted rather than timed (issue: the cheapest fake
per call).

    python -m bench instructions [--pairs 300]

Timings of a few tens of microseconds move by a tenth from run to run on a shared machine, which
hides the change a single trim makes. Instructions do not move. Each row's create + get pair is
recorded once through its client (``percall``'s rows), then replayed straight into the fake's
in-process entry (``transports._exchange``) under valgrind's cachegrind, with simulated 32 KB L1
caches and an 8 MB last-level cache, twice: ``pairs`` and three times as many. The difference,
divided by the calls it adds, is one call's instructions and cache misses, without the start-up.
L1 instruction misses are the measure that tracked the in-situ share best (see the README): a
call whose code does not fit the L1 cache fetches it again, and between a client's calls from
further away still. Needs ``valgrind`` (``apt-get install valgrind``); about a minute a row.
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import common

ROWS = ("aws", "enos", "scriptr")
CACHES = ["--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"]


def record(path: Path) -> None:
    """Each row's pair as its client sends it, pickled for the replays."""
    from iotfake import FakeCloud

    from . import percall

    requests = {
        "aws": percall.recorded(percall._boto3, percall.aws_pair, FakeCloud(seed=1)).requests,
        "enos": percall.recorded(
            percall._requests, percall._enos_pair_of(percall._enos_cloud()[1]), percall._enos_cloud()[0]
        ).requests,
        "scriptr": percall.recorded(
            percall._requests,
            percall._scriptr_pair_of(percall._scriptr_cloud()[1]),
            percall._scriptr_cloud()[0],
        ).requests,
    }
    path.write_bytes(pickle.dumps(requests))


def replay(path: str, row: str, pairs: int) -> None:
    """Run under cachegrind: 200 warm-up pairs, then ``pairs`` counted ones."""
    from iotfake import FakeCloud

    from . import percall

    cloud = {
        "aws": lambda: FakeCloud(seed=1),
        "enos": lambda: percall._enos_cloud()[0],
        "scriptr": lambda: percall._scriptr_cloud()[0],
    }[row]()
    pair = percall.replayed(pickle.loads(Path(path).read_bytes())[row], cloud)
    for number in range(200 + pairs):
        pair(f"i{number}")


def counted(recording: Path, row: str, pairs: int, out: Path) -> dict[str, int]:
    """cachegrind's totals for one replay."""
    subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=yes",
            *CACHES,
            f"--cachegrind-out-file={out}",
            sys.executable,
            "-m",
            "bench.instructions",
            "--replay",
            str(recording),
            row,
            str(pairs),
        ],
        check=True,
        capture_output=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    events: list[str] = []
    for line in out.read_text().splitlines():
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith("summary:"):
            return dict(zip(events, map(int, line.split()[1:]), strict=True))
    raise RuntimeError(f"no summary in {out}")


def measure(pairs: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        recording = Path(tmp) / "pairs.pickle"
        record(recording)
        for row in ROWS:
            low = counted(recording, row, pairs, Path(tmp) / f"{row}.low")
            high = counted(recording, row, 3 * pairs, Path(tmp) / f"{row}.high")
            calls = 2 * (3 * pairs - pairs)
            per = {name: (high[name] - low[name]) / calls for name in high}
            out[row] = {
                "instructions": per["Ir"],
                "l1i_misses": per["I1mr"],
                "l1d_misses": per["D1mr"] + per["D1mw"],
                "ll_misses": per["ILmr"] + per["DLmr"] + per["DLmw"],
            }
    return out


def report(data: dict[str, dict[str, float]]) -> str:
    lines = [
        "| provider (replayed pair) | instructions / call | L1i misses / call | L1d misses / call "
        "| last-level misses / call |",
        "|---|---|---|---|---|",
    ]
    for row, e in data.items():
        lines.append(
            f"| {row} | {e['instructions'] / 1000:.0f}k | {e['l1i_misses']:,.0f} | {e['l1d_misses']:,.0f} "
            f"| {e['ll_misses']:,.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--replay"]:
        replay(argv[1], argv[2], int(argv[3]))
        return
    parser = argparse.ArgumentParser(
        prog="python -m bench instructions", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--pairs", type=int, default=300)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("bench instructions needs valgrind (apt-get install valgrind)")
    data = measure(args.pairs)
    text = report(data)
    print(text)
    common.RESULTS.mkdir(exist_ok=True)
    (common.RESULTS / "instructions.json").write_text(
        json.dumps({"machine": common.machine(), "pairs": args.pairs, "rows": data}, indent=2)
    )
    (common.RESULTS / "instructions.md").write_text(
        f"# One in-process call, counted\n\n`python -m bench instructions --pairs {args.pairs}`\n\n{text}\n"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
