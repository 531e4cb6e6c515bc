"""What every benchmark here shares: interleaved rounds, medians, percentiles, RSS, child servers.

The machine is small and shared, so absolute numbers drift from minute to minute. Two habits keep
the comparisons honest: contenders run interleaved (A, B, A, B, ...) so that a noisy minute hurts
both, and we report medians over rounds and the median of the per-round ratios, always with the
lowest and highest per-round ratio beside it (``spread``): one median says little on its own here.
"""

from __future__ import annotations

import io
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class RawBody(io.BytesIO):
    """A canned answer's body as botocore reads one (``AWSResponse`` streams its raw body)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


@dataclass
class Series:
    """Rates (operations per second) of one contender, one per round."""

    name: str
    rates: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.rates)


def interleaved(contenders: dict[str, Callable[[], float]], rounds: int) -> dict[str, Series]:
    """Run each contender once per round, alternating the order every round."""
    series = {name: Series(name) for name in contenders}
    names = list(contenders)
    for number in range(rounds):
        order = names if number % 2 == 0 else names[::-1]
        for name in order:
            series[name].rates.append(contenders[name]())
    return series


def ratio(faster: Series, slower: Series) -> float:
    """The median of the per-round ratios: each round's pair shared the machine's mood."""
    return statistics.median(round_ratios(faster, slower))


def round_ratios(faster: Series, slower: Series) -> list[float]:
    """Each round's ratio, in round order: their spread is how far one median can be trusted."""
    return [a / b for a, b in zip(faster.rates, slower.rates, strict=True)]


def spread(value: float, rounds: Sequence[float] | None, digits: int = 1) -> str:
    """``4.9x (rounds 1.9-8.0x)``: a ratio and the lowest and highest of its per-round values.

    Every ratio the benchmarks print goes through here, so none is shown without its spread, or
    without saying that its results file kept none (``rounds`` None)."""
    shown = f"{value:.{digits}f}x"
    if not rounds:
        return f"{shown} (spread not recorded)"
    if len(rounds) == 1:
        return shown + " (one round)"
    return f"{shown} (rounds {min(rounds):.{digits}f}-{max(rounds):.{digits}f}x)"


def bootstrap_interval(
    ours: Sequence[float],
    theirs: Sequence[float],
    *,
    paired: bool = True,
    resamples: int = 300,
    seed: int = 0,
) -> list[float]:
    """A 95% interval for median(ours) / median(theirs), by resampling the samples.

    For ratios of medians over many timed calls (the scale curve) there are no rounds to show;
    this says how far the ratio would move if the same calls were timed again. ``paired``: each
    call of ``ours`` was timed next to the same index of ``theirs``, so pairs are drawn together.
    """
    import random

    pick = random.Random(seed)
    values = []
    for _ in range(resamples):
        first = [pick.randrange(len(ours)) for _ in ours]
        second = first if paired else [pick.randrange(len(theirs)) for _ in theirs]
        values.append(
            statistics.median(ours[i] for i in first) / statistics.median(theirs[i] for i in second)
        )
    return [percentile(values, 0.025), percentile(values, 0.975)]


def interval(value: float, bounds: Sequence[float] | None, digits: int = 2) -> str:
    """``1.01x (95% interval 0.98-1.04x)``, or the value marked as having no recorded spread."""
    shown = f"{value:.{digits}f}x"
    if not bounds:
        return f"{shown} (spread not recorded)"
    return f"{shown} (95% interval {bounds[0]:.{digits}f}-{bounds[1]:.{digits}f}x)"


def rate(count: int, work: Callable[[], None]) -> float:
    """Operations per second by the wall clock."""
    return rates(count, work)[0]


def rates(count: int, work: Callable[[], None]) -> tuple[float, float]:
    """Operations per second by the wall clock and by this thread's CPU time.

    On a shared virtual machine the wall clock also counts the time the host gives to others;
    the CPU time is what the work itself cost, for work done entirely in this thread."""
    started, cpu = time.perf_counter(), time.thread_time()
    work()
    return count / (time.perf_counter() - started), count / (time.thread_time() - cpu)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- servers in child processes ---------------------------------------------------------------------
@dataclass
class Child:
    process: subprocess.Popen
    url: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu(self) -> float:
        return cpu_seconds(self.pid)


@contextmanager
def iotfake_server(*args: str) -> Iterator[Child]:
    """``iotfake serve --port 0`` in a child process; the URL comes from its ready line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "iotfake", "serve", "--port", "0", "--quiet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"listening on (http://\S+)", line)
        if found is None:
            raise RuntimeError(f"iotfake serve did not start: {line!r}")
        yield Child(process, found.group(1))
    finally:
        _stop(process)


@contextmanager
def moto_server() -> Iterator[Child]:
    """``moto_server`` on a free port, as moto's docs run it; ready once its API answers."""
    import requests

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/moto-api/data.json", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto_server did not start")
            time.sleep(0.1)
        yield Child(process, url)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- results ------------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "date": time.strftime("%Y-%m-%d"),
    }


def write(name: str, data: dict[str, Any], markdown: str) -> Path:
    """Keep one section's results: ``<name>.json`` (numbers) and ``<name>.md`` (the table)."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps({"machine": machine(), **data}, indent=2) + "\n")
    path = RESULTS / f"{name}.md"
    path.write_text(markdown.rstrip() + "\n")
    return path


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
