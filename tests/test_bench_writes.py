"""bench writes: every write succeeds on each fleet size, and the report has a row for each with
the largest fleet's cost over the smallest's."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bench import listings, writes


def test_every_write_answers_at_each_size_and_is_reported() -> None:
    data = listings.measure([60, 120], 3, writes.fleet)
    assert list(data) == list(writes.fleet(60))
    for row in data.values():
        assert set(row["ms"]) == {"60", "120"} and all(ms > 0 for ms in row["ms"].values())
    text = listings.report(data, [60, 120], writes.WHAT)
    assert text.count("\n| ") == len(data) and "one write (in process)" in text
    assert "120 / 60" in text and "(95% interval " in text


def test_the_writes_change_the_fleet_as_named_as_often_as_a_run_calls_them() -> None:
    """Every row succeeds for more calls than a fleet of 100 has things to spare for it (the
    delete and group rows pick from halves of one shuffle: a deleted thing never moves), and a
    write that fails is an error, not a time (EnOS and scriptr answer failures with HTTP 200)."""
    calls = writes.fleet(100)
    for call in calls.values():
        for _ in range(45):
            call()
    answer = calls["scriptr device.delete, a device picked at random"]().json()
    assert answer["response"]["result"]["metadata"]["status"] == "success", answer
    with pytest.raises(RuntimeError, match="the write failed"):
        writes._done(SimpleNamespace(text='{"code": 11404}'), False)
