"""Which calls mark the state dirty (and so get written to a --state file)."""

from __future__ import annotations

import threading

from enos_calls import create, get, make_product
from werkzeug.test import Client

from iotfake import FakeCloud, durable
from iotfake.durable import StateKeeper


def test_a_get_that_creates_the_default_account_is_a_change() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    seen = cloud.generation
    answer = client.get("/scriptr/device/query?auth_token=unknown-token")
    assert answer.status_code == 200
    assert cloud.registry.find_tenant("scriptr", "default") is not None  # made, with its owner token
    assert cloud.generation != seen


def test_reads_sent_as_post_are_not_changes() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    create(client, pk)
    seen = cloud.generation
    answer = client.post(
        "/connect-service/v2.1/devices?action=search&orgId=o1", json={}, headers={"apim-accesstoken": "t"}
    )
    assert answer.json["code"] == 0
    assert cloud.generation == seen


def test_a_refused_write_is_not_a_change() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    create(client, pk, deviceKey="meter-1")
    seen = cloud.generation
    assert create(client, pk, deviceKey="meter-1").json["code"] != 0  # the key is taken
    assert cloud.generation == seen


def test_changes_made_through_the_python_api_count() -> None:
    cloud = FakeCloud(seed=1)
    seen = cloud.generation
    cloud.seed({"enos": {"orgs": [{"orgId": "o1"}]}})
    assert cloud.generation != seen
    seen = cloud.generation
    cloud.scriptr("acme").max_devices = 3
    assert cloud.generation != seen
    seen = cloud.generation
    cloud.faults.add(provider="enos", operation="GetDevice", error="Internal", after=5)
    assert cloud.generation != seen


def test_a_rule_that_counts_a_call_without_firing_is_a_change() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    asset = create(client, pk).json["data"]["assetId"]
    rule = cloud.faults.add(provider="enos", operation="GetDevice", error="Internal", after=5)
    seen = cloud.generation
    get(client, assetId=asset)
    assert rule.matched == 1 and rule.fired == 0
    assert cloud.generation != seen


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


def test_a_change_made_while_a_save_runs_is_saved_by_the_next_one(tmp_path, monkeypatch) -> None:
    """The snapshot is taken before the file is written: a change acknowledged in between is not
    in that file, so the keeper must not count it as saved (a SIGKILL would lose it for good)."""
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    keeper = StateKeeper(cloud, tmp_path / "state.json")
    real_write = durable.write_atomic
    made: list[str] = []

    def write_while_a_client_creates_a_product(path, data: bytes) -> None:
        if not made:  # the first save: a request lands between the snapshot and the write
            worker = threading.Thread(target=lambda: made.append(make_product(client)))
            worker.start()
            worker.join()
        real_write(path, data)

    monkeypatch.setattr(durable, "write_atomic", write_while_a_client_creates_a_product)
    assert keeper.save() is True
    assert products_in(tmp_path / "state.json") == []  # the snapshot came first
    assert keeper.save() is True  # the change is still unsaved
    assert products_in(tmp_path / "state.json") == made
    assert keeper.save() is False


def products_in(path) -> list[str]:
    restored = FakeCloud(seed=1)
    StateKeeper(restored, path).load()
    tenant = restored.registry.find_tenant("enos", "o1")
    return [] if tenant is None else sorted(tenant.products)
