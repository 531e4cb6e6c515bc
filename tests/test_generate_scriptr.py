"""Generated scriptr devices: ``{"generate": N, ...}`` in ``scriptr.accounts[].devices``.

Ids in scriptr's id alphabet, names at real places, groups from the account's own groups, typed
custom fields (installDate a date, location a geospatial point); deterministic, under
``maxDevices``, all-or-nothing.
"""

from __future__ import annotations

import re

import pytest

from iotfake import FakeCloud
from iotfake.documents import DocumentError
from iotfake.generate import ascii_fold


def account(*devices: dict, **extra) -> dict:
    return {"scriptr": {"accounts": [{"name": "acme", "devices": list(devices), **extra}]}}


def generated(cloud: FakeCloud) -> list[dict]:
    tenant = cloud.registry.tenant("scriptr", "acme")
    return [d.to_dict() for d in tenant.devices.values() if d.key != "scriptr"]


def test_devices_read_back_over_http_with_their_typed_fields(live) -> None:
    live.cloud.seed(account({"generate": 30, "kind": "meter"}, groups=["north", "south"]))
    ids = [d["key"] for d in generated(live.cloud)]
    assert len(ids) == 30 and all(re.fullmatch(r"meter-[A-Z]{2,3}\d{10}", key) for key in ids)
    for key in ids[:10]:
        device = live.result("device/get", {"id": key, "options": {"includeFieldType": True}})["result"]
        assert device["groups"] in ("north", "south")
        assert re.fullmatch(r".+ Meter \d{3}", device["name"])
        assert device["meta.types"]["installDate"] == "date"
        assert device["meta.types"]["location"] == "geospatial"
        lat, lon = (float(part) for part in device["location"].split(","))
        assert -90 <= lat <= 90 and -180 <= lon <= 180
        assert device["serialNumber"] == key.removeprefix("meter-")
    found = live.result("device/query", {"query": 'groups = "north"', "count": True})
    assert 0 < found["result"]["count"] < 30


def test_every_generated_device_could_have_been_created_over_http(live) -> None:
    other = FakeCloud(seed=3).seed(account({"generate": 25}))
    for device in generated(other):
        body = {
            "id": device["key"],
            "name": device["name"],
            "password": "pw",
            "description": device["extra"]["description"],
            "groups": device["extra"]["groups"],
            **device["attributes"],
            "meta.types": device["extra"]["types"],
        }
        live.result("device/create", body)
    listed = live.result("device/query", {"count": True})["result"]["devices"]
    assert len([d for d in listed if d["id"] != "scriptr"]) == 25


def test_without_account_groups_each_device_is_grouped_by_its_site() -> None:
    devices = generated(FakeCloud(seed=3).seed(account({"generate": 40})))
    for device in devices:
        site = ascii_fold(device["attributes"]["site"])
        assert device["extra"]["groups"] == [re.sub(r"[^A-Za-z0-9 _-]", "", site).strip()]


def test_the_same_seed_gives_the_same_devices() -> None:
    def devices(seed: int) -> list[tuple]:
        return [
            (d["key"], d["name"], d["attributes"])
            for d in generated(FakeCloud(seed=seed).seed(account({"generate": 20})))
        ]

    assert devices(1) == devices(1)
    assert devices(1) != devices(2)


def test_generation_past_max_devices_is_refused_and_changes_nothing() -> None:
    cloud = FakeCloud(seed=3).seed(account({"id": "first", "name": "First"}, maxDevices=10))
    before = cloud.state_json()
    with pytest.raises(DocumentError) as caught:
        cloud.seed(account({"generate": 10}, maxDevices=10))
    assert caught.value.path == "scriptr.accounts[0].devices[0].generate"
    assert cloud.state_json() == before
    cloud.seed(account({"generate": 9}, maxDevices=10))
    assert len(generated(cloud)) == 10


@pytest.mark.parametrize(
    ("generator", "path"),
    [
        ({"generate": 3, "id": "x"}, "scriptr.accounts[0].devices[1].id"),
        ({"generate": 3, "token": "t"}, "scriptr.accounts[0].devices[1].token"),
        ({"generate": 3, "groups": ["nope"]}, "scriptr.accounts[0].devices[1].groups"),
        ({"generate": 3, "floor": {"nested": 1}}, "scriptr.accounts[0].devices[1].floor"),
    ],
)
def test_a_bad_generator_names_its_path_and_loads_nothing(generator: dict, path: str) -> None:
    cloud = FakeCloud(seed=3)
    before = cloud.state_json()
    with pytest.raises(DocumentError) as caught:
        cloud.seed(account({"id": "hand-made", "name": "Hand made"}, generator, groups=["ops"]))
    assert caught.value.path == path, caught.value
    assert cloud.state_json() == before
