"""``cloud.populate(...)``: the fixtures generator in one Python call; and the bundled 10k fleet."""

from __future__ import annotations

import pytest
from _enos import TOKEN as H
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.documents import DocumentError

PRODUCTS = {
    "enos": {
        "orgs": [
            {
                "orgId": "o1",
                "products": [
                    {
                        "productKey": "p1",
                        "productName": {"defaultValue": "Inverter", "i18nValue": {"zh_CN": "光伏逆变器"}},
                        "quota": 300,
                    }
                ],
            }
        ]
    }
}


def test_populate_enos_returns_the_keys_it_made() -> None:
    cloud = FakeCloud(seed=2).seed(PRODUCTS)
    keys = cloud.populate(provider="enos", org="o1", product="p1", devices=250)
    assert len(keys) == len(set(keys)) == 250
    client = Client(cloud.wsgi_app)
    answer = client.get(
        f"/connect-service/v2.1/devices?action=get&orgId=o1&productKey=p1&deviceKey={keys[0]}", headers=H
    ).json
    assert answer["code"] == 0
    name = answer["data"]["deviceName"]
    assert name["defaultValue"].split(" ")[-2] == "Inverter"
    assert "光伏逆变器" in name["i18nValue"]["zh_CN"]
    assert keys == FakeCloud(seed=2).seed(PRODUCTS).populate("enos", 250, org="o1", product="p1")


def test_populate_takes_the_generator_options_and_device_fields() -> None:
    cloud = FakeCloud(seed=2).seed(PRODUCTS)
    keys = cloud.populate(
        "enos",
        10,
        org="o1",
        product="p1",
        seed=5,
        kind="string inverter",
        country="JP",
        deviceTags={"fleet": "east"},
    )
    org = cloud.registry.tenant("enos", "o1")
    for key in keys:
        device = org.keys[key]
        assert (
            key.startswith("string-inverter-")
            and device.tags["fleet"] == "east"
            and device.tags["country"] == "JP"
        )
        assert device.extra["timezone"] == "Asia/Tokyo"


def test_populate_aws_and_scriptr(aws_cloud: FakeCloud, iot) -> None:
    things = aws_cloud.populate("aws", 20, account="123456789012", region="us-east-1")
    assert sorted(t["thingName"] for t in iot.list_things(maxResults=100)["things"]) == sorted(things)
    devices = aws_cloud.populate("scriptr", 5, account="acme")
    acme = aws_cloud.scriptr("acme")
    assert [acme.device.get(key)["metadata"]["status"] for key in devices] == ["success"] * 5
    assert "scriptr" not in devices


def test_populating_no_devices_adds_none(aws_cloud: FakeCloud) -> None:
    """0 is in the documented range (0 to 1,000,000); it divided the five years by zero."""
    cloud = FakeCloud(seed=2).seed(PRODUCTS)
    before = cloud.snapshot()["registry"]
    assert cloud.populate("enos", 0, org="o1", product="p1") == []
    assert cloud.snapshot()["registry"] == before
    assert aws_cloud.populate("aws", 0, account="123456789012", region="us-east-1") == []
    assert aws_cloud.populate("scriptr", 0, account="acme") == []


def test_populate_is_all_or_nothing_and_checks_its_arguments() -> None:
    cloud = FakeCloud(seed=2).seed(PRODUCTS)
    cloud.populate("enos", 290, org="o1", product="p1")
    before = cloud.state_json()
    with pytest.raises(DocumentError) as caught:
        cloud.populate("enos", 11, org="o1", product="p1")
    assert caught.value.path == "enos.orgs[0].devices[0].generate"
    with pytest.raises(DocumentError):
        cloud.populate("enos", 1, org="o1", product="p1", deviceTags={"bad key!": "x"})
    assert cloud.state_json() == before
    with pytest.raises(ValueError, match="provider"):
        cloud.populate("azure", 1)
    with pytest.raises(TypeError, match="org= and product="):
        cloud.populate("enos", 1, org="o1")


def test_the_bundled_10k_fleet_loads_by_name_with_one_place_left() -> None:
    cloud = FakeCloud(seed=1).load("meter_fleet_10k")
    org = cloud.registry.tenant("enos", "o_fleet_10k")
    assert len(org.product("Meter10k").devices) == 9999
    assert len(org.product("FeedGw10k").devices) == 100
    client = Client(cloud.wsgi_app)
    body = {"productKey": "Meter10k", "timezone": "+08:00", "deviceName": {"defaultValue": "last"}}
    create = "/connect-service/v2.1/devices?action=create&orgId=o_fleet_10k"
    assert client.post(create, json=body, headers=H).json["code"] == 0
    assert client.post(create, json=body, headers=H).json["code"] == 11739
    assert len(cloud.registry.tenant("aws", "123456789012/eu-central-1").devices) == 1000
    assert cloud.scriptr("fleet").device.query({"count": True})["result"]["count"] == 221
    other = FakeCloud(seed=99).load("meter_fleet_10k")  # generator seeds pin the data
    assert [d.to_dict() for d in other.registry.tenant("enos", "o_fleet_10k").devices.values()] == [
        d.to_dict() for d in org.devices.values()
    ][:-1]
