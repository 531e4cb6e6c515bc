"""bench operations: every row runs against the fake and its floor, and the report says which
operations are over the per-call goal."""

from __future__ import annotations

from bench import operations


def test_every_operation_runs_on_both_contenders_and_is_reported() -> None:
    data = operations.measure(things=20, calls=2, rounds=1)
    _, cert = operations.account(0)
    assert list(data) == list(operations.operations(cert))
    for entry in data.values():
        assert entry["floor_us"] > 0 and entry["iotfake_us"] > 0
        assert entry["share_rounds"][0] <= entry["share_us"] <= entry["share_rounds"][1]
    text = operations.report(data, 20)
    assert text.count("\n| ") == len(data)  # a row per operation after the header and its rule
    assert "On an account of 20 things," in text


def test_the_goal_line_names_the_operations_over_it() -> None:
    entry = {"floor_us": 300.0, "iotfake_us": 0.0, "share_rounds": [0.0, 0.0], "share_of_floor": 0.0}
    data = {"Fast": {**entry, "share_us": 80.0}, "Slow": {**entry, "share_us": 500.0}}
    assert operations.report(data, 5).endswith(
        "1 of 2 operations are within 120 µs of the fake's own share; over it: Slow."
    )
