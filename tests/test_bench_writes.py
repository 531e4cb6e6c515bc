"""bench writes: every write succeeds on each fleet size, and the report has a row for each with
the largest fleet's cost over the smallest's."""

from __future__ import annotations

from bench import listings, writes


def test_every_write_answers_at_each_size_and_is_reported() -> None:
    data = listings.measure([60, 120], 3, writes.fleet)
    assert list(data) == list(writes.fleet(60))
    for row in data.values():
        assert set(row["ms"]) == {"60", "120"} and all(ms > 0 for ms in row["ms"].values())
    text = listings.report(data, [60, 120], writes.WHAT)
    assert text.count("\n| ") == len(data) and "one write (in process)" in text
    assert "120 / 60" in text and "(95% interval " in text


def test_the_writes_change_the_fleet_as_named() -> None:
    calls = writes.fleet(40)
    before = calls["EnOS DeleteDevice, a device picked at random"]().json()
    assert before["code"] == 0, before
    answer = calls["scriptr device.delete, a device picked at random"]().json()
    assert answer["response"]["metadata"]["status"] == "success", answer
    calls["DeleteThing, a thing of the group picked at random"]()
    calls["Remove and AddThingToThingGroup, a group of every thing"]()
    calls["CreateThing, then DeleteThing of it"]()
