"""bench percall's "least" contender: the floor's hook doing the least work any fake must do.

Its share over the floor is read as the part of a fake's share no design can remove, so it must
really do that work on every call: keep each created record by its name and find it again.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import percall
from bench.percall import least_work

ENOS = "http://iotfake/connect-service/v2.1/devices"


@pytest.mark.parametrize(
    ("create", "get"),
    [
        (  # EnOS: the name in the body, then in the query
            (
                "POST",
                "http://iotfake/connect-service/v2.1/devices?action=create&orgId=o1",
                b'{"deviceKey":"m1"}',
            ),
            ("GET", "http://iotfake/connect-service/v2.1/devices?action=get&orgId=o1&deviceKey=m1", b""),
        ),
        (  # AWS: the name in the path, an empty body
            ("POST", "http://iotfake/things/m1", b"{}"),
            ("GET", "http://iotfake/things/m1", None),
        ),
        (  # scriptr: the name in the body both times
            ("POST", "http://iotfake/scriptr/device/create", b'{"id":"m1","name":"m1"}'),
            ("POST", "http://iotfake/scriptr/device/get", b'{"id":"m1"}'),
        ),
    ],
)
def test_least_work_keeps_the_record_and_finds_it(create: tuple, get: tuple) -> None:
    kept: dict = {}
    least_work(kept, True, *create)
    assert list(kept) == ["m1"]
    assert orjson.loads(least_work(kept, False, *get)) == kept["m1"]


@pytest.mark.parametrize(
    ("client", "provider"),
    [
        (percall._boto3, "aws"),
        (percall._requests, "enos"),
        (percall._requests, "scriptr"),
        (percall._httpx, "enos"),
        (percall._httpx, "scriptr"),
    ],
)
def test_each_client_hands_the_least_contender_its_requests(
    client: Any, provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if provider == "aws":
        floor = percall.recorded(percall._boto3, percall.aws_pair, percall.FakeCloud(seed=1))
        pair_of = percall.aws_pair
    elif provider == "enos":
        cloud, product = percall._enos_cloud()
        floor = percall.recorded(client, percall._enos_pair_of(product), cloud)
        pair_of = percall._enos_pair_of(product)
    else:
        cloud, token = percall._scriptr_cloud()
        floor = percall.recorded(client, percall._scriptr_pair_of(token), cloud)
        pair_of = percall._scriptr_pair_of(token)
    found: list[Any] = []
    real = percall.least_work

    def spy(kept: dict, creating: bool, *request: Any) -> bytes:
        out = real(kept, creating, *request)
        if not creating:
            found.append(orjson.loads(out))
        return out

    monkeypatch.setattr(percall, "least_work", spy)
    least = floor.least()
    pair_of(client(least))("least-000001")
    pair_of(client(least))("least-000002")
    assert list(least.kept) == ["least-000001", "least-000002"]
    assert found == list(least.kept.values())  # each get found the record its create kept
    assert floor.kept is None  # the floor itself does no work
