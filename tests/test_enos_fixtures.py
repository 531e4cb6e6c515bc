"""The ``enos`` section of fixtures documents: loading, validation with paths, all-or-nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import requests
from _enos import Enos
from werkzeug.test import Client

from iotfake import DocumentError, FakeCloud

FIXTURES = Path(__file__).parent.parent / "fixtures"
TWO_ORGS = FIXTURES / "two_orgs.json"
FLEET = FIXTURES / "enos_meter_fleet.json"


def test_cloud_load_two_orgs() -> None:
    cloud = FakeCloud(seed=1).load(TWO_ORGS)
    enos = Enos.wsgi(cloud, org="o15475450989191")
    device = enos.get(assetId="Inv00001")["data"]
    assert device["deviceKey"] == "inverter-001" and device["status"] == "online"
    assert device["deviceName"]["i18nValue"]["zh_CN"] == "逆变器 1"
    assert device["productName"] == {"defaultValue": "Inverter", "i18nValue": {}}
    assert device["modelId"] == "inverter_model" and device["activeTime"] == 1700000100000
    second = enos.get(productKey="InvPrd01", deviceKey="inverter-002")["data"]
    assert second["deviceName"] == {"defaultValue": "Inverter 2", "i18nValue": {}}
    assert second["timezone"] == "Asia/Shanghai"
    product = enos.call("products", "get", org="o15475450989192", productKey="MtrPrd01")["data"]
    assert product["dataFormat"] == "Custom" and product["biDirectionalAuth"] is True
    assert cloud.registry.tenant("enos", "o15475450989192").product("MtrPrd01").quota == 10


def test_seeded_quota_and_models_hold() -> None:
    cloud = FakeCloud(seed=1).load(TWO_ORGS)
    enos = Enos.wsgi(cloud, org="o15475450989192")
    codes = [enos.create("MtrPrd01")["code"] for _ in range(10)]
    assert codes == [0] * 9 + [11739]  # one of the ten was seeded
    other = Enos.wsgi(cloud, org="o15475450989191")
    from _enos import PRODUCT

    assert other.call("products", "create", {**PRODUCT, "modelId": "turbine"})["code"] == 11699


def test_meter_fleet_and_the_admin_seed_endpoint() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    response = client.post("/_iotfake/seed", data=FLEET.read_bytes(), content_type="application/json")
    assert response.status_code == 200 and response.json == {"status": "seeded"}
    enos = Enos.wsgi(cloud, org="o_meter_fleet")
    assert enos.search()["pagination"]["totalSize"] == 20
    assert cloud.registry.tenant("enos", "o_meter_fleet").product("FeedGw01").quota is None


def test_admin_seed_over_http_reports_the_bad_path() -> None:
    cloud = FakeCloud(seed=1)
    document = json.loads(FLEET.read_text())
    document["enos"]["orgs"][0]["products"][1]["quota"] = "lots"
    with cloud.serve() as server:
        response = requests.post(f"{server.url}/_iotfake/seed", json=document, timeout=10)
    assert response.status_code == 400
    assert response.json()["path"] == "enos.orgs[0].products[1].quota"
    assert cloud.registry.find_tenant("enos", "o_meter_fleet") is None


def base() -> dict:
    return json.loads(TWO_ORGS.read_text())


def broken(change) -> dict:
    document = base()
    change(document["enos"]["orgs"])
    return document


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda o: o[0].update(orgId=5), "enos.orgs[0].orgId"),
        (lambda o: o[0].update(orgId=""), "enos.orgs[0].orgId"),
        (lambda o: o[0].update(colour="red"), "enos.orgs[0].colour"),
        (lambda o: o[1]["apps"][0].update(appSecret=None), "enos.orgs[1].apps[0].appSecret"),
        (lambda o: o[0].update(models="meter"), "enos.orgs[0].models"),
        (lambda o: o[0]["models"].append(3), "enos.orgs[0].models[2]"),
        (lambda o: o[1]["products"][0].update(quota="ten"), "enos.orgs[1].products[0].quota"),
        (lambda o: o[1]["products"][0].update(quota=-1), "enos.orgs[1].products[0].quota"),
        (lambda o: o[1]["products"][0].update(quota=True), "enos.orgs[1].products[0].quota"),
        (lambda o: o[1]["products"][0].update(productType="Sensor"), "enos.orgs[1].products[0].productType"),
        (lambda o: o[1]["products"][0].update(productName=[]), "enos.orgs[1].products[0].productName"),
        (lambda o: o[1]["products"][0].update(productTags={"k": 1}), "enos.orgs[1].products[0].productTags"),
        (
            lambda o: o[1]["products"].append({"productKey": "MtrPrd01"}),
            "enos.orgs[1].products[1].productKey",
        ),
        (lambda o: o[1]["products"].append({}), "enos.orgs[1].products[1].productKey"),
        (lambda o: o[1]["devices"][0].update(productKey="Nope"), "enos.orgs[1].devices[0].productKey"),
        (lambda o: o[1]["devices"][0].update(deviceKey="no"), "enos.orgs[1].devices[0].deviceKey"),
        (lambda o: o[1]["devices"][0].update(timezone="+99:00"), "enos.orgs[1].devices[0].timezone"),
        (lambda o: o[1]["devices"][0].update(status="sleeping"), "enos.orgs[1].devices[0].status"),
        (lambda o: o[1]["devices"][0].update(createTime="yesterday"), "enos.orgs[1].devices[0].createTime"),
        (
            lambda o: o[1]["devices"][0].update(deviceTags={"bad key": "v"}),
            "enos.orgs[1].devices[0].deviceTags",
        ),
        (lambda o: o[1]["devices"][0].update(assetId=""), "enos.orgs[1].devices[0].assetId"),
        (lambda o: o[1]["devices"].append(dict(o[1]["devices"][0])), "enos.orgs[1].devices[1].deviceKey"),
        (
            lambda o: o[0]["devices"].append({"productKey": "InvPrd01", "assetId": "Inv00001"}),
            "enos.orgs[0].devices[2].assetId",
        ),
        (
            lambda o: o[1]["apps"].append({"appKey": o[0]["apps"][0]["appKey"], "appSecret": "other"}),
            "enos.orgs[1].apps[1].appSecret",
        ),
    ],
)
def test_bad_documents_name_the_path_and_change_nothing(change, path: str) -> None:
    cloud = FakeCloud(seed=1)
    cloud.load(FLEET)
    before = cloud.snapshot()
    with pytest.raises(DocumentError) as caught:
        cloud.seed(broken(change))
    assert caught.value.path == path, caught.value
    assert cloud.snapshot() == before


def test_quota_overflow_in_a_document_is_rejected_whole() -> None:
    document = {
        "enos": {
            "orgs": [
                {
                    "orgId": "o1",
                    "products": [{"productKey": "p1", "quota": 1}],
                    "devices": [
                        {"productKey": "p1", "deviceKey": "dev-1"},
                        {"productKey": "p1", "deviceKey": "dev-2"},
                    ],
                }
            ]
        }
    }
    cloud = FakeCloud(seed=1)
    with pytest.raises(DocumentError) as caught:
        cloud.seed(document)
    assert caught.value.path == "enos.orgs[0].devices[1]" and "quota" in caught.value.message
    assert cloud.registry.find_tenant("enos", "o1") is None


def test_section_shape_errors() -> None:
    for document, path in (
        ({"enos": []}, "enos"),
        ({"enos": {"orgs": {}}}, "enos.orgs"),
        ({"enos": {"tenants": []}}, "enos.tenants"),
        ({"enos": {"orgs": ["o1"]}}, "enos.orgs[0]"),
    ):
        with pytest.raises(DocumentError) as caught:
            FakeCloud().seed(copy.deepcopy(document))
        assert caught.value.path == path


def test_devices_without_keys_get_generated_ones_and_seeds_survive_a_snapshot() -> None:
    cloud = FakeCloud(seed=1)
    cloud.seed(
        {
            "enos": {
                "orgs": [
                    {"orgId": "o1", "products": [{"productKey": "p1"}], "devices": [{"productKey": "p1"}]}
                ]
            }
        }
    )
    restored = FakeCloud(seed=1)
    restored.restore(json.loads(cloud.state_json()))
    enos = Enos.wsgi(restored)
    (device,) = enos.search()["data"]
    assert device["productKey"] == "p1" and len(device["deviceKey"]) == 10
    assert device["timezone"] == "+08:00"
