"""A scriptr sort spec padded with whitespace is read (or refused) in linear time: a regex with
``\\s*`` on both sides of an optional part tries every split of the spaces between them."""

from __future__ import annotations

import time

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud

TOKEN = {"Authorization": "bearer owner-token"}


@pytest.mark.parametrize("spec", ["name" + " " * 200_000 + "!", "name" + " " * 200_000 + "<"])
def test_a_padded_bad_sort_spec_is_refused_fast(spec: str) -> None:
    client = Client(FakeCloud(seed=1).wsgi_app)
    started = time.monotonic()
    answer = client.post("/scriptr/device/query", json={"sort": spec}, headers=TOKEN)
    assert time.monotonic() - started < 5
    assert answer.json["response"]["result"]["metadata"]["errorCode"] == "INVALID_QUERY_REQUEST"


#: (id, name): string order of the names is 10, 100, 9; numeric order 9, 10, 100; z and b tie
DEVICES = [("a", "10"), ("z", "9"), ("b", "9"), ("c", "100")]


@pytest.mark.parametrize(
    ("spec", "order"),
    [
        ("  name  ", ["a", "c", "b"]),
        ("name <DESC>", ["b", "c", "a"]),
        (" name < string : DESC > ", ["b", "c", "a"]),
        ("name<numeric:ASC> , id", ["b", "z", "a", "c"]),  # the tie broken by id, not by age
    ],
)
def test_whitespace_around_the_parts_is_still_allowed(spec: str, order: list[str]) -> None:
    client = Client(FakeCloud(seed=1).wsgi_app)
    for device_id, name in DEVICES:
        made = client.post(
            "/scriptr/device/create",
            json={"id": device_id, "name": name, "password": "pw-12345"},
            headers=TOKEN,
        )
        assert made.json["response"]["result"]["metadata"]["status"] == "success", made.json
    ids = '", "'.join(order)
    answer = client.post(
        "/scriptr/device/query", json={"sort": spec, "query": f'id in ["{ids}"]'}, headers=TOKEN
    )
    result = answer.json["response"]["result"]
    assert result["metadata"]["status"] == "success", answer.json
    assert [device["id"] for device in result["result"]["devices"]] == order
