"""The ``--state`` background saver outlives errors: it reports each distinct one once and retries."""

from __future__ import annotations

import threading

import pytest

from iotfake import FakeCloud
from iotfake.durable import StateKeeper

WAIT = 30  # seconds; only reached when the saver is dead


class Flaky:
    """Stands in for ``cloud.state_json``: raises the given errors in turn, then answers."""

    def __init__(self, cloud: FakeCloud, errors: list[Exception]) -> None:
        self.real = cloud.state_json
        self.errors = errors
        self.calls = 0
        self.answered = threading.Event()

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        self.answered.set()
        return self.real()


def test_the_saver_keeps_running_after_errors_and_reports_each_once(tmp_path, capfd) -> None:
    cloud = FakeCloud(seed=1)
    keeper = StateKeeper(cloud, tmp_path / "state.json", interval=0.01)
    flaky = Flaky(
        cloud,
        [TypeError("Object of type date is not JSON serializable")] * 3
        + [ValueError("Out of range float values are not JSON compliant")] * 2
        + [OSError(28, "No space left on device")],
    )
    cloud.state_json = flaky  # type: ignore[method-assign]
    cloud.mark_dirty()
    keeper.start()
    try:
        assert flaky.answered.wait(WAIT), "the saver thread died"
    finally:
        keeper.stop()
    assert flaky.calls >= 7
    assert (tmp_path / "state.json").exists()
    reports = [line for line in capfd.readouterr().err.splitlines() if "cannot save state" in line]
    assert len(reports) == 3, reports
    assert "TypeError: Object of type date is not JSON serializable" in reports[0]
    assert "ValueError" in reports[1] and "No space left on device" in reports[2]


def test_a_save_on_stop_still_raises(tmp_path) -> None:
    cloud = FakeCloud(seed=1)
    keeper = StateKeeper(cloud, tmp_path / "state.json", interval=60)
    cloud.state_json = Flaky(cloud, [TypeError("not JSON")])  # type: ignore[method-assign]
    with pytest.raises(TypeError):
        keeper.stop()
