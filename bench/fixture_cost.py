"""What the pytest fixtures cost per test: setup plus teardown.

    python bench/fixture_cost.py [--tests 500]

Writes throwaway test modules to a temporary folder and runs them in this process with pytest,
timing each test's setup and teardown phases. A module of tests that use no fixture measures
pytest's own per-test overhead, which is subtracted. The first test to use
``iotfake_server`` starts the process's server, so it is reported on its own.
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

FIXTURES = ["", "iotfake", "iotfake_server", "iotfake_enos", "iotfake_boto3"]


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


def write_modules(folder: Path, tests: int) -> None:
    for fixture in FIXTURES:
        name = fixture or "nothing"
        body = "\n".join(f"def test_{i}({fixture}):\n    pass\n" for i in range(tests))
        (folder / f"test_{name}.py").write_text(body)


def per_module(order: list[str], seconds: dict[str, float]) -> dict[str, list[float]]:
    modules: dict[str, list[float]] = {}
    for nodeid in order:
        modules.setdefault(nodeid.split("::")[0], []).append(seconds[nodeid])
    return modules


def table(title: str, modules: dict[str, list[float]]) -> None:
    baseline = statistics.median(modules["test_nothing.py"])
    print(f"\n{title}: pytest's own setup+teardown per test (no fixture) {baseline * 1e6:.0f} us (median)")
    print(f"  {'fixture':<16} {'median':>9} {'mean':>9} {'p95':>9}   (setup+teardown, minus pytest's own)")
    for fixture in FIXTURES[1:]:
        samples = modules[f"test_{fixture}.py"]
        if fixture != "iotfake":  # the first test that needs the server (or boto3) starts it
            first, samples = samples[0], samples[1:]
            print(f"  {'  first test':<16} {(first - baseline) * 1e3:>7.1f}ms")
        extra = sorted(s - baseline for s in samples)
        p95 = extra[int(len(extra) * 0.95)]
        print(
            f"  {fixture:<16} {statistics.median(extra) * 1e6:>7.0f}us {statistics.mean(extra) * 1e6:>7.0f}us"
            f" {p95 * 1e6:>7.0f}us"
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tests", type=int, default=500, help="tests per fixture (default 500)")
    args = parser.parse_args()

    from iotfake import FakeCloud

    loops = 2000
    construct = min(timeit.repeat(lambda: FakeCloud(seed="tests/test_x.py::test_y"), number=loops, repeat=5))
    print(f"FakeCloud(seed=...) construction: {construct / loops * 1e6:.1f} us (best of 5 x {loops})")

    timings = Timings()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_modules(folder, args.tests)
        code = pytest.main(
            [
                str(folder),
                "-qq",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:randomly",
                "--no-header",
                "-W",
                "ignore::pytest.PytestAssertRewriteWarning",
            ],
            plugins=[timings],
        )
        if code != 0:
            return int(code)
    table("CPU time (this thread)", per_module(timings.order, timings.cpu))
    table("wall clock", per_module(timings.order, timings.wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
