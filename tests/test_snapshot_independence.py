"""A snapshot is a copy: nothing done to the cloud changes it, and nothing done to it changes the cloud.

Snapshots are rollback points (fixture loading, ``restore``) and the content of ``--state`` files,
so one that shares a nested dict with a live record silently drifts: restore then brings back a
state that never existed.
"""

from __future__ import annotations

from enos_calls import create, get, make_product
from werkzeug.test import Client

from iotfake import FakeCloud


def test_restore_brings_back_a_device_without_the_token_issued_after_the_snapshot() -> None:
    cloud = FakeCloud(seed=1)
    account = cloud.scriptr()
    account.device.create({"id": "d1", "name": "D1", "password": "pw"})
    before = cloud.snapshot()
    first = account.device.generateToken("d1")["result"]["token"]
    cloud.restore(before)
    assert "auth_token" not in account.device.get("d1")["result"]
    assert cloud.registry.tokens.find(first) is None
    again = account.device.generateToken("d1")
    assert again["metadata"]["status"] == "success", again
    token = again["result"]["token"]
    assert cloud.registry.tokens.find(token).subject == "d1"  # the device's own token, not the owner's


def test_a_cloud_built_from_a_snapshot_does_not_follow_the_original() -> None:
    a = FakeCloud(seed=1)
    a.scriptr().user.create({"id": "ann", "name": "Ann", "password": "pw"})
    a.scriptr().device.create({"id": "d1", "name": "D1", "password": "pw", "groups": ["g"]})
    b = FakeCloud.from_snapshot(a.snapshot())
    a.scriptr().user.update({"id": "ann", "name": "Annie"})
    a.scriptr().user.generateToken("ann")
    a.scriptr().device.generateToken("d1")
    user = b.scriptr().user.get("ann")["result"]
    assert (user["name"], user.get("tokens")) == ("Ann", None)
    assert "auth_token" not in b.scriptr().device.get("d1")["result"]


def test_editing_a_snapshot_leaves_the_cloud_alone() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    asset = create(
        client,
        pk,
        deviceName={"defaultValue": "meter", "i18nValue": {"zh_CN": "电表"}},  # kept as a dict
        deviceAttributes={"floor": 1},
        deviceTags={"team": "ops"},
        deviceDesc="north",
    ).json["data"]["assetId"]
    before = get(client, assetId=asset).json["data"]
    snapshot = cloud.snapshot()
    [tenant] = snapshot["registry"]["tenants"]
    [device] = tenant["devices"]
    device["attributes"]["floor"] = 99
    device["tags"]["team"] = "intruders"
    device["name"]["defaultValue"] = "renamed"
    device["extra"]["deviceDesc"] = "south"
    tenant["products"][0]["attributes"]["productDesc"] = "edited"
    assert get(client, assetId=asset).json["data"] == before
    assert cloud.snapshot() != snapshot


def test_editing_a_restored_snapshot_leaves_the_cloud_alone() -> None:
    cloud = FakeCloud(seed=1)
    cloud.scriptr().user.create({"id": "ann", "name": "Ann", "password": "pw"})
    cloud.scriptr().device.create({"id": "d1", "name": "D1", "password": "pw", "color": "red"})
    snapshot = cloud.snapshot()
    cloud.restore(snapshot)
    expected = cloud.snapshot()
    for tenant in snapshot["registry"]["tenants"]:
        for device in tenant["devices"]:
            if device["attributes"]:
                device["attributes"]["color"] = "blue"
            device["extra"]["lastModifiedBy"] = "intruder"
        for record in tenant["tables"].get("users", {}).values():
            record["name"] = "intruder"
    assert cloud.snapshot() == expected
    assert cloud.scriptr().user.get("ann")["result"]["name"] == "Ann"
    assert cloud.scriptr().device.get("d1")["result"]["color"] == "red"
