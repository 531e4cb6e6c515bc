"""``python -m bench``: every benchmark, results in bench/results/ (README.md there sums them up).

python -m bench                         # all of them, the scale curve up to 100,000 devices
python -m bench all --scale-max 1000000 # what bench/results/ holds (a few minutes more)
python -m bench aws|enos|scale|state|locks|namespaces|percall|operations|listings|writes|instructions|
                mqtt|console|profile|compare
                                        # one of them; --help for its options
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from . import (
    aws,
    compare,
    console,
    enos,
    instructions,
    listings,
    locks,
    mqtt,
    namespaces,
    operations,
    percall,
    profile,
    scale,
    state_write,
    summary,
    writes,
)

SECTIONS = {
    "aws": aws.main,
    "enos": enos.main,
    "scale": scale.main,
    "profile": profile.main,
    "compare": compare.main,
    "state": state_write.main,
    "locks": locks.main,
    "namespaces": namespaces.main,
    "percall": percall.main,
    "operations": operations.main,
    "listings": listings.main,
    "writes": writes.main,
    "instructions": instructions.main,
    "mqtt": mqtt.main,
    "console": console.main,
}


def run_all(argv: list[str]) -> None:
    """Each benchmark in a process of its own: what one imports (moto, boto3) must not weigh on the
    next one's memory and garbage collections."""
    parser = argparse.ArgumentParser(
        prog="python -m bench all", description="every benchmark, one after another"
    )
    parser.add_argument(
        "--scale-max", type=int, default=100_000, help="largest scale decade (1000000: the full curve)"
    )
    args = parser.parse_args(argv)
    for section in (
        ["aws"],
        ["enos"],
        ["scale", "--max", str(args.scale_max)],
        ["state"],
        ["locks"],
        ["profile"],
    ):
        subprocess.run([sys.executable, "-m", "bench", *section], check=True)
    summary.write()


def main(argv: list[str]) -> None:
    if not argv or argv[0] == "all" or argv[0].startswith("-"):
        run_all(argv[1:] if argv and argv[0] == "all" else argv)
        return
    if argv[0] not in SECTIONS:
        sys.exit(f"unknown benchmark {argv[0]!r}: one of all, {', '.join(SECTIONS)}")
    SECTIONS[argv[0]](argv[1:])
    summary.write()


main(sys.argv[1:])
