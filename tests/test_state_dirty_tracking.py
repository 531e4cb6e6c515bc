"""Which calls mark the state dirty (and so get written to a --state file)."""

from __future__ import annotations

import pytest
from enos_calls import create, get, make_product
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.durable import StateKeeper, is_read_only


@pytest.mark.parametrize(
    ("method", "operation", "read_only"),
    [
        ("GET", "GetDevice", True),
        ("GET", "DescribeThing", True),
        ("GET", "ListThings", True),
        ("GET", "device.get", True),
        ("GET", "device.query", True),
        ("HEAD", "GetProduct", True),
        ("POST", "GetToken", False),  # issues a token
        ("POST", "SearchDevice", False),  # erring towards "changed" costs one spare write
        ("GET", "device.create", False),  # scriptr scripts answer GET too
        ("GET", "UnknownAction", False),
        ("GET", "Getaway", False),
    ],
)
def test_read_only_calls(method: str, operation: str, read_only: bool) -> None:
    assert is_read_only(method, operation) is read_only


def test_the_pipeline_and_the_admin_api_mark_changes() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    asset = create(client, pk).json["data"]["assetId"]
    seen = cloud.generation
    get(client, assetId=asset)
    client.get("/_iotfake/journal")
    assert cloud.generation == seen  # reads change nothing
    cloud.faults.add(provider="enos", operation="GetDevice", error="Internal", times=1)
    get(client, assetId=asset)
    assert cloud.generation > seen  # a fired rule moved its counters
    seen = cloud.generation
    client.post("/_iotfake/clock", json={"advance": 1})
    assert cloud.generation > seen
    seen = cloud.generation
    client.post("/_iotfake/clock", json={"advance": -1})  # refused: nothing changed
    assert cloud.generation == seen


def test_the_keeper_writes_only_when_something_changed(tmp_path) -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    keeper = StateKeeper(cloud, tmp_path / "state.json")
    assert keeper.load() is False
    assert keeper.save() is True  # never written yet
    assert keeper.save() is False
    make_product(client)
    assert keeper.save() is True
    assert keeper.save() is False
    assert keeper.save(force=True) is True
    restored = FakeCloud(seed=1)
    assert StateKeeper(restored, tmp_path / "state.json").load() is True
    assert restored.snapshot()["registry"] == cloud.snapshot()["registry"]
