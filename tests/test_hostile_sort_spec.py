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


@pytest.mark.parametrize(
    "spec", ["  name  ", "name <DESC>", " name < string : DESC > ", "name<numeric:ASC> , id"]
)
def test_whitespace_around_the_parts_is_still_allowed(spec: str) -> None:
    client = Client(FakeCloud(seed=1).wsgi_app)
    answer = client.post("/scriptr/device/query", json={"sort": spec}, headers=TOKEN)
    assert answer.json["response"]["result"]["metadata"]["status"] == "success", answer.json
