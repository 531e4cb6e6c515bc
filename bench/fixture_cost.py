"""What the pytest fixtures cost per test: setup plus teardown.

    python bench/fixture_cost.py [--tests 500]

Writes throwaway test modules to a temporary folder and runs each in this process with pytest,
timing every test's setup and teardown phases. Tests that use no fixture, interleaved with the
others, measure pytest's own per-test overhead, which is subtracted. The first test of each
session is reported apart: it starts what the fixture shares (the server, boto3's models).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import timeit
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = ["iotfake", "iotfake_server", "iotfake_enos", "iotfake_boto3"]


class Timings:
    """A pytest plugin that keeps each test's setup + teardown time: wall clock and this thread's CPU.

    The CPU time is what the fixtures themselves spend; on a shared machine the wall clock also
    counts time spent waiting for a core.
    """

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.order: list[str] = []

    def _timed(self, item: pytest.Item) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            if item.nodeid not in self.wall:
                self.order.append(item.nodeid)
                self.wall[item.nodeid] = self.cpu[item.nodeid] = 0.0
            self.wall[item.nodeid] += time.perf_counter() - wall
            self.cpu[item.nodeid] += time.thread_time() - cpu

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        return (yield from self._timed(item))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Iterator[None]:
        return (yield from self._timed(item))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            raise SystemExit(f"benchmark test failed: {report.nodeid}\n{report.longreprtext}")


def run(fixture: str, tests: int, folder: Path, tag: str = "") -> Timings | None:
    """One pytest session: ``tests`` tests using ``fixture`` interleaved with as many using none.

    Interleaving gives both the same process state (heap size, caches); a session per fixture keeps
    one fixture's garbage (boto3 clients are heavy) out of another's numbers. ``tag`` names the
    module apart when the same fixture runs again (one session per round, in one process).
    """
    body = [
        f"def test_{kind}__{i}({arg}):\n    pass\n"
        for i in range(tests)
        for kind, arg in ((fixture, fixture), ("nothing", ""))
    ]
    module = folder / f"test_{fixture}{'_' + tag if tag else ''}.py"
    module.write_text("\n".join(body))
    timings = Timings()
    args = ["-qq", "-p", "no:cacheprovider", "-p", "no:randomly", "--no-header"]
    code = pytest.main(
        [str(module), *args, "-W", "ignore::pytest.PytestAssertRewriteWarning"], plugins=[timings]
    )
    return timings if code == 0 else None


def row(fixture: str, timings: Timings, seconds: dict[str, float]) -> str:
    samples: dict[str, list[float]] = {"nothing": [], fixture: []}
    for nodeid in timings.order:
        samples[nodeid.split("::test_")[1].split("__")[0]].append(seconds[nodeid])
    baseline = statistics.median(samples["nothing"])
    first, *rest = samples[fixture]  # the first test starts what the fixture shares (the server, boto3)
    extra = sorted(s - baseline for s in rest)
    p95 = extra[int(len(extra) * 0.95)]
    numbers = [statistics.median(extra), statistics.mean(extra), p95]
    return (
        f"  {fixture:<15}"
        + "".join(f" {n * 1e6:>7.0f}us" for n in numbers)
        + f" {(first - baseline) * 1e3:>8.1f}ms {baseline * 1e6:>7.0f}us"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tests", type=int, default=500, help="tests per fixture (default 500)")
    args = parser.parse_args()

    from iotfake import FakeCloud

    loops = 2000
    construct = min(timeit.repeat(lambda: FakeCloud(seed=1234567), number=loops, repeat=5))
    print(f"FakeCloud(seed=...) construction: {construct / loops * 1e6:.1f} us (best of 5 x {loops})")

    results: dict[str, Timings] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fixture in FIXTURES:
            timings = run(fixture, args.tests, Path(tmp))
            if timings is None:
                return 1
            results[fixture] = timings
    header = f"  {'fixture':<15} {'median':>9} {'mean':>9} {'p95':>9} {'1st test':>10} {'pytest':>9}"
    for title, attribute in (("CPU time of the test's thread", "cpu"), ("wall clock", "wall")):
        print(f"\n{title}: setup+teardown per test, minus pytest's own (last column, median)")
        print(header)
        for fixture, timings in results.items():
            print(row(fixture, timings, getattr(timings, attribute)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
