"""A device name without translations is kept as its default string, and reads as a StringI18n.

The stored form is internal (``providers/enos/stored_names.py``): clients, searches, snapshots
and fixtures must see what they saw when every name was a pair of dicts.
"""

from __future__ import annotations

from enos_calls import create, get, make_product
from werkzeug.test import Client

from iotfake import FakeCloud

SEARCH = "/connect-service/v2.1/devices?action=search&orgId=o1"
H = {"apim-accesstoken": "t"}


def test_untranslated_name_reads_back_as_a_stringi18n() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    asset = create(client, pk, deviceName={"defaultValue": "meter 1"}).json["data"]["assetId"]
    assert get(client, assetId=asset).json["data"]["deviceName"] == {
        "defaultValue": "meter 1",
        "i18nValue": {},
    }
    [device] = cloud.registry.tenant("enos", "o1").devices.values()
    assert device.name == "meter 1"


def test_translated_names_keep_every_locale() -> None:
    client = Client(FakeCloud(seed=1).wsgi_app)
    pk = make_product(client)
    name = {"defaultValue": "meter", "i18nValue": {"zh_CN": "电表", "en_US": "Meter"}}
    asset = create(client, pk, deviceName=name).json["data"]["assetId"]
    assert get(client, assetId=asset).json["data"]["deviceName"] == name


def test_update_between_the_two_forms() -> None:
    client = Client(FakeCloud(seed=1).wsgi_app)
    pk = make_product(client)
    asset = create(client, pk).json["data"]["assetId"]
    url = f"/connect-service/v2.1/devices?action=update&orgId=o1&assetId={asset}"
    translated = {"defaultValue": "a", "i18nValue": {"zh_CN": "甲"}}
    assert client.post(url, json={"deviceName": translated}, headers=H).json["code"] == 0
    assert get(client, assetId=asset).json["data"]["deviceName"] == translated
    assert client.post(url, json={"deviceName": {"defaultValue": "b"}}, headers=H).json["code"] == 0
    assert get(client, assetId=asset).json["data"]["deviceName"] == {"defaultValue": "b", "i18nValue": {}}


def test_search_matches_both_forms_in_every_locale_field() -> None:
    client = Client(FakeCloud(seed=1).wsgi_app)
    pk = make_product(client)
    create(client, pk, deviceKey="plain1", deviceName={"defaultValue": "north meter"})
    create(
        client,
        pk,
        deviceKey="i18n01",
        deviceName={"defaultValue": "north pump", "i18nValue": {"zh_CN": "北泵"}},
    )

    def keys(expression: str) -> set[str]:
        body = client.post(SEARCH, json={"expression": expression}, headers=H).json
        return {d["deviceKey"] for d in body["data"]}

    assert keys("deviceName like 'north%'") == {"plain1", "i18n01"}
    assert keys("deviceName.default like '%meter'") == {"plain1"}
    assert keys("deviceName.zh_CN like '北%'") == {"i18n01"}
    assert keys("deviceName.zh_CN like 'north m%'") == {"plain1"}  # falls back to the default


def test_snapshots_with_either_form_restore() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    asset = create(client, pk, deviceName={"defaultValue": "m"}).json["data"]["assetId"]
    snapshot = cloud.snapshot()
    [tenant] = snapshot["registry"]["tenants"]
    [device] = tenant["devices"]
    device["name"] = {"defaultValue": "m", "i18nValue": {}}  # as snapshots before this change held it
    other = FakeCloud.from_snapshot(snapshot)
    assert get(Client(other.wsgi_app), assetId=asset).json["data"]["deviceName"] == {
        "defaultValue": "m",
        "i18nValue": {},
    }
