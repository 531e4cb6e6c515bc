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
import os
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
    pair = percall.replayed(pickle.loads(Path(path).read_bytes())[row], cloud, session=row != "aws")
    for number in range(200 + pairs):
        pair(f"replayed-{number}")  # a valid device key (4-64 characters) from the first


def in_situ(row: str, contender: str, pairs: int) -> None:
    """Run under cachegrind: one of ``percall``'s rows through its client, 50 warm-up pairs, then
    ``pairs`` counted ones."""
    from . import percall

    pair = percall.ROWS[row]()[contender]
    for number in range(50 + pairs):
        pair(f"bench-{number}")


def counted(recording: Path, row: str, pairs: int, out: Path, contender: str | None = None) -> dict[str, int]:
    """cachegrind's totals for one replay (``contender``: through the client, see ``in_situ``)."""
    what = ["--replay", str(recording), row] if contender is None else ["--in-situ", row, contender]
    # one string hash for every run: dict layouts, and so instruction counts, then repeat exactly
    env = {**os.environ, "PYTHONHASHSEED": "0"}
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
            *what,
            str(pairs),
        ],
        check=True,
        capture_output=True,
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
    )
    events: list[str] = []
    for line in out.read_text().splitlines():
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith("summary:"):
            return dict(zip(events, map(int, line.split()[1:]), strict=True))
    raise RuntimeError(f"no summary in {out}")


def _per_call(low: dict[str, int], high: dict[str, int], calls: int) -> dict[str, float]:
    per = {name: (high[name] - low[name]) / calls for name in high}
    return {
        "instructions": per["Ir"],
        "l1i_misses": per["I1mr"],
        "l1d_misses": per["D1mr"] + per["D1mw"],
        "ll_misses": per["ILmr"] + per["DLmr"] + per["DLmw"],
    }


def measure(pairs: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        recording = Path(tmp) / "pairs.pickle"
        record(recording)
        for row in ROWS:
            low = counted(recording, row, pairs, Path(tmp) / f"{row}.low")
            high = counted(recording, row, 3 * pairs, Path(tmp) / f"{row}.high")
            out[row] = _per_call(low, high, 2 * (3 * pairs - pairs))
    return out


#: the rows counted through their client (the httpx rows' floor is httpx's own MockTransport)
IN_SITU_ROWS = (
    "boto3 -> AWS",
    "requests -> EnOS",
    "requests -> scriptr",
    "httpx -> EnOS",
    "httpx -> scriptr",
)


def measure_in_situ(pairs: int, only: str = "") -> dict[str, dict[str, float]]:
    """The fake's share counted between its client's calls: each row's iotfake contender less
    its floor (``percall``'s), per call. Timed, that share moves by ±15 µs between runs; counted,
    it does not, and the L1 misses say how much of the fake the client pushed out of the caches."""
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for row in IN_SITU_ROWS:
            if only not in row:
                continue
            per = {}
            for contender in ("floor", "iotfake"):
                files = [Path(tmp) / f"{contender}.{n}" for n in (pairs, 3 * pairs)]
                low, high = (
                    counted(Path(), row, n, f, contender)
                    for n, f in zip((pairs, 3 * pairs), files, strict=True)
                )
                per[contender] = _per_call(low, high, 2 * (3 * pairs - pairs))
            out[row] = {name: per["iotfake"][name] - per["floor"][name] for name in per["iotfake"]}
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
    if argv[:1] == ["--in-situ"] and len(argv) == 4:  # the child run of ``measure_in_situ``
        in_situ(argv[1], argv[2], int(argv[3]))
        return
    parser = argparse.ArgumentParser(
        prog="python -m bench instructions", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument(
        "--in-situ", action="store_true", help="count the fake's share between its client's calls instead"
    )
    parser.add_argument("--only", default="", help="with --in-situ: the rows whose name holds this text")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("bench instructions needs valgrind (apt-get install valgrind)")
    if args.in_situ:
        situ = measure_in_situ(args.pairs, args.only)
        text = report(situ).replace("provider (replayed pair)", "transport -> provider (share)")
        print(text)
        if not args.only:
            common.RESULTS.mkdir(exist_ok=True)
            (common.RESULTS / "instructions_in_situ.json").write_text(
                json.dumps({"machine": common.machine(), "pairs": args.pairs, "rows": situ}, indent=2)
            )
            (common.RESULTS / "instructions_in_situ.md").write_text(
                "# The fake's share of a call between its client's calls, counted\n\n"
                f"`python -m bench instructions --in-situ --pairs {args.pairs}`\n\n{text}\n"
            )
        return
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
