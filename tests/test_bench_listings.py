"""bench listings: every listing answers on each fleet size, and the report has a row for each
with the largest fleet's cost over the smallest's."""

from __future__ import annotations

from bench import listings


def test_every_listing_answers_at_each_size_and_is_reported() -> None:
    data = listings.measure([60, 120], calls=3)
    assert list(data) == list(listings.fleet(60))
    for row in data.values():
        assert set(row["ms"]) == {"60", "120"} and all(ms > 0 for ms in row["ms"].values())
        low, high = row["interval"]
        assert low <= high and row["ratio"] > 0
    text = listings.report(data, [60, 120])
    assert text.count("\n| ") == len(data)
    assert "ms at 120" in text and "120 / 60" in text and "(95% interval " in text


def test_the_fleet_s_listings_return_pages() -> None:
    calls = listings.fleet(120)
    assert len(calls["ListThings, first page"]()["things"]) == listings.PAGE
    assert calls["SearchIndex, thingName:prefix*"]()["things"]  # the prefix names a few things
    assert len(calls["ListThings, a rare attribute: the first page"]()["things"]) == listings.PAGE
    assert len(calls["ListThings, a rare attribute: the next page"]()["things"]) == 10
    assert len(calls["SearchIndex, a rare site: the first page"]()["things"]) == listings.PAGE
    assert len(calls["SearchIndex, a rare site: the next page"]()["things"]) == 10
    pending = calls["GetPendingJobExecutions, a thing picked at random (a job of every thing)"]()
    assert sorted(job["jobId"] for job in pending["queuedJobs"]) == ["always", "rollout"]
    answer = calls["scriptr device.query, a page and the count"]().json()
    assert answer["response"]["result"]["result"]["count"] == 121  # and the built-in device
