"""Generated EnOS devices: ``{"generate": N, "productKey": ...}`` in ``enos.orgs[].devices``.

Realistic (names at real places, time zones of those places, serials, firmware, install dates),
deterministic, valid on the wire, within the product's quota, and all-or-nothing like any load.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from _enos import TOKEN as H
from faker.providers.geo import Provider as Geo
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.documents import DocumentError

PRODUCT = {"productKey": "SmMeter1", "productName": "Smart meter", "quota": 500, "createTime": 1}
PLACES = {
    (name, country, zone): (float(lat), float(lon)) for lat, lon, name, country, zone in Geo.land_coords
}


def document(count: int = 200, **generator) -> dict:
    item = {"generate": count, "productKey": "SmMeter1", **generator}
    return {"enos": {"orgs": [{"orgId": "o1", "products": [PRODUCT], "devices": [item]}]}}


def date_ms(*day: int) -> int:
    return int(datetime(*day, tzinfo=UTC).timestamp() * 1000)


def devices(cloud: FakeCloud) -> list[dict]:
    return [d.to_dict() for d in cloud.registry.tenant("enos", "o1").devices.values()]


def test_the_same_seed_gives_the_same_devices() -> None:
    first, second = FakeCloud(seed=4).seed(document()), FakeCloud(seed=4).seed(document())
    assert devices(first) == devices(second)
    assert len(devices(first)) == 200
    assert devices(FakeCloud(seed=5).seed(document())) != devices(first)


def test_a_generator_seed_pins_the_data_whatever_the_cloud_seed() -> None:
    pinned = document(50, seed="fleet-a")
    assert devices(FakeCloud(seed=1).seed(pinned)) == devices(FakeCloud(seed=2).seed(pinned))


def test_devices_are_realistic() -> None:
    cloud = FakeCloud(seed=4).seed(document())
    found = devices(cloud)
    assert len({d["key"] for d in found}) == len(found)
    assert len({d["tags"]["site"] for d in found}) > 10
    for device in found:
        name, tags, attrs, extra = device["name"], device["tags"], device["attributes"], device["extra"]
        lat, lon = PLACES[(tags["site"], tags["country"], extra["timezone"])]  # a real place, its zone
        ZoneInfo(extra["timezone"])
        assert abs(attrs["latitude"] - lat) <= 0.03 and abs(attrs["longitude"] - lon) <= 0.03
        assert re.fullmatch(rf"{re.escape(tags['site'])} Smart meter \d{{3}}", name["defaultValue"])
        assert name["i18nValue"]["en_US"] == name["defaultValue"]
        assert "智能电表" in name["i18nValue"]["zh_CN"]
        assert device["key"] == f"smart-meter-{attrs['serialNumber']}"
        assert re.fullmatch(r"[A-Z]{2,3}\d{10}", attrs["serialNumber"])
        assert re.fullmatch(r"\d+\.\d+\.\d+", attrs["firmwareVersion"])
        installed = date.fromisoformat(attrs["installDate"])
        assert date(2019, 12, 1) < installed < date(2025, 1, 1)
        assert attrs["manufacturer"] and attrs["model"].startswith(attrs["serialNumber"][:2])
        assert device["status"] in ("online", "offline", "inactive")
        if device["status"] == "inactive":
            assert "activeTime" not in extra
        else:
            assert device["created"] <= extra["activeTime"] < date_ms(2025, 1, 1)
            assert extra["activeTime"] <= min(extra["lastOnlineTime"], extra["lastOfflineTime"])
            latest = "lastOnlineTime" if device["status"] == "online" else "lastOfflineTime"
            assert extra[latest] == max(extra["lastOnlineTime"], extra["lastOfflineTime"])
    statuses = [d["status"] for d in found]
    assert statuses.count("online") > statuses.count("offline") > 0
    assert len({d["attributes"]["firmwareVersion"] for d in found}) <= 5


def test_every_generated_device_could_have_been_created_on_the_wire() -> None:
    generated = devices(FakeCloud(seed=4).seed(document(60)))
    cloud = FakeCloud(seed=9).seed({"enos": {"orgs": [{"orgId": "o1", "products": [PRODUCT]}]}})
    client = Client(cloud.wsgi_app)
    for device in generated:
        body = {
            "productKey": "SmMeter1",
            "deviceKey": device["key"],
            "deviceName": device["name"],
            "timezone": device["extra"]["timezone"],
            "deviceAttributes": device["attributes"],
            "deviceTags": device["tags"],
            "deviceDesc": device["extra"]["deviceDesc"],
        }
        answer = client.post(
            "/connect-service/v2.1/devices?action=create&orgId=o1", json=body, headers=H
        ).json
        assert answer["code"] == 0, (answer, body)
    assert re.fullmatch(r"[A-Za-z0-9]{8}", generated[0]["id"])
    assert re.fullmatch(r"[A-Za-z0-9]{20}", generated[0]["secret"])


def test_fixed_fields_go_into_every_device_objects_merged() -> None:
    cloud = FakeCloud(seed=4).seed(
        document(
            20,
            kind="meter",
            country="DE",
            timezone="+01:00",
            status="online",
            deviceTags={"fleet": "north"},
            deviceAttributes={"phases": 3},
        )
    )
    for device in devices(cloud):
        assert device["tags"]["fleet"] == "north" and device["tags"]["country"] == "DE"
        assert device["attributes"]["phases"] == 3 and "serialNumber" in device["attributes"]
        assert device["extra"]["timezone"] == "+01:00" and device["status"] == "online"
        assert device["key"].startswith("meter-") and " Meter " in device["name"]["defaultValue"]
        assert device["name"]["i18nValue"]["zh_CN"].split(" ")[-2] == "电表"


def test_generated_devices_are_searchable_like_any_other() -> None:
    cloud = FakeCloud(seed=4).seed(document(120, country="CN"))
    client = Client(cloud.wsgi_app)
    body = {"expression": "deviceTags.country = 'CN'", "pagination": {"pageNo": 1, "pageSize": 100}}
    answer = client.post("/connect-service/v2.1/devices?action=search&orgId=o1", json=body, headers=H).json
    assert answer["code"] == 0 and answer["pagination"]["totalSize"] == 120


def test_a_generator_past_the_quota_is_refused_and_changes_nothing() -> None:
    cloud = FakeCloud(seed=4).seed(document(450))
    before = cloud.state_json()
    more = {"enos": {"orgs": [{"orgId": "o1", "devices": [{"generate": 51, "productKey": "SmMeter1"}]}]}}
    with pytest.raises(DocumentError) as caught:
        cloud.seed(more)
    assert caught.value.path == "enos.orgs[0].devices[0].generate"
    assert "500" in caught.value.message and "450" in caught.value.message
    assert cloud.state_json() == before
    more["enos"]["orgs"][0]["devices"][0]["generate"] = 50
    cloud.seed(more)
    assert len(cloud.registry.tenant("enos", "o1").product("SmMeter1").devices) == 500


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"deviceTags": {"bad key!": "x"}}, "enos.orgs[0].devices[0].deviceTags"),
        ({"timezone": "Mars/Olympus"}, "enos.orgs[0].devices[0].timezone"),
        ({"deviceKey": "k-1"}, "enos.orgs[0].devices[0].deviceKey"),
        ({"assetId": "a1"}, "enos.orgs[0].devices[0].assetId"),
        ({"productKey": "nope"}, "enos.orgs[0].devices[0].productKey"),
        ({"generate": -1}, "enos.orgs[0].devices[0].generate"),
        ({"generate": True}, "enos.orgs[0].devices[0].generate"),
        ({"seed": 1.5}, "enos.orgs[0].devices[0].seed"),
        ({"kind": ""}, "enos.orgs[0].devices[0].kind"),
        ({"country": "XX"}, "enos.orgs[0].devices[0].country"),
        ({"color": "red"}, "enos.orgs[0].devices[0].color"),
    ],
)
def test_a_bad_generator_names_its_path_and_loads_nothing(change: dict, path: str) -> None:
    cloud = FakeCloud(seed=4)
    before = cloud.state_json()
    doc = document(30)
    doc["enos"]["orgs"][0]["devices"] = [
        {"productKey": "SmMeter1", "deviceKey": "hand-made-1"},
        {**doc["enos"]["orgs"][0]["devices"][0], **change},
    ]
    with pytest.raises(DocumentError) as caught:
        cloud.seed(doc)
    assert caught.value.path == path.replace("devices[0]", "devices[1]"), caught.value
    assert cloud.state_json() == before


def test_a_generator_avoids_keys_already_taken() -> None:
    cloud = FakeCloud(seed=4).seed(document(100, seed=3))
    cloud.seed(
        {
            "enos": {
                "orgs": [{"orgId": "o1", "devices": [{"generate": 100, "productKey": "SmMeter1", "seed": 3}]}]
            }
        }
    )
    assert len(cloud.registry.tenant("enos", "o1").devices) == 200
