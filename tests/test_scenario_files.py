"""The scenario files in fixtures/: each loads every way there is, and each does what it says."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
import requests
from _enos import Enos
from enos_calls import create, make_product
from freezegun import freeze_time
from serve_process import run, serving
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.transports import route_botocore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FILES = sorted(FIXTURES.glob("*.json"))
NAMES = [path.stem for path in FILES]


def document(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def seeded(cloud: FakeCloud, doc: dict) -> None:
    """What a document promised is in the cloud, read back through each provider's own API: its
    fault rules in order and as written, every product, device, thing type, thing, group, policy
    and scriptr device it names, and as many generated devices as each generator asked for."""
    client = Client(cloud.wsgi_app)
    rules = client.get("/_iotfake/faults").json["rules"]
    assert [r["id"] for r in rules] == [rule["id"] for rule in doc.get("faults", [])]
    for rule, wanted in zip(rules, doc.get("faults", []), strict=True):
        assert {key: rule[key] for key in wanted} == wanted
        assert rule["description"]
    for org in doc.get("enos", {}).get("orgs", []):
        enos_seeded(Enos.wsgi(cloud, org=org["orgId"]), org)
    for account in doc.get("aws", {}).get("accounts", []):
        aws_seeded(cloud, account)
    for account in doc.get("scriptr", {}).get("accounts", []):
        scriptr_seeded(client, cloud.scriptr(account["name"]).token, account)


def default_name(name: str | dict) -> str:
    return name["defaultValue"] if isinstance(name, dict) else name


def devices_per_product(org: dict) -> dict[str, int]:
    """How many devices each product should hold: one per named device, ``generate`` per generator."""
    counts = dict.fromkeys((product["productKey"] for product in org.get("products", [])), 0)
    for device in org.get("devices", []):
        counts[device["productKey"]] = counts.get(device["productKey"], 0) + device.get("generate", 1)
    return counts


def enos_seeded(enos: Enos, org: dict) -> None:
    for product in org.get("products", []):
        answer = enos.call("products", "get", productKey=product["productKey"])
        assert answer["code"] == 0, answer
        assert answer["data"]["productName"]["defaultValue"] == default_name(product["productName"])
    devices = org.get("devices", [])
    for product_key, count in devices_per_product(org).items():
        found = enos.search(f"productKey = '{product_key}'", pagination={"pageNo": 1, "pageSize": 1})
        assert found["pagination"]["totalSize"] == count, product_key
    for device in devices:
        if "deviceKey" not in device:
            continue
        answer = enos.get(productKey=device["productKey"], deviceKey=device["deviceKey"])
        assert answer["code"] == 0, answer
        assert answer["data"]["deviceName"]["defaultValue"] == default_name(device["deviceName"])
        assert answer["data"]["assetId"] == device.get("assetId", answer["data"]["assetId"])


def aws_seeded(cloud: FakeCloud, account: dict) -> None:
    [key] = account.get("accessKeys") or [{"accessKeyId": "AKIAANYKEY0000000000", "secretAccessKey": "x"}]
    iot = route_botocore(
        boto3.client(
            "iot",
            endpoint_url="http://iotfake",
            region_name=account.get("region", "us-east-1"),
            aws_access_key_id=key["accessKeyId"],
            aws_secret_access_key=key["secretAccessKey"],
        ),
        cloud,
    )
    account_id = account.get("accountId", "123456789012")
    for thing_type in account.get("thingTypes", []):
        described = iot.describe_thing_type(thingTypeName=thing_type["thingTypeName"])
        assert f":{account_id}:thingtype/" in described["thingTypeArn"]
        for field, value in thing_type.get("thingTypeProperties", {}).items():
            assert described["thingTypeProperties"][field] == value
    things = account.get("things", [])
    for thing in things:
        if "thingName" in thing:
            described = iot.describe_thing(thingName=thing["thingName"])
            assert described["attributes"] == thing.get("attributes", {})
            assert described.get("thingTypeName") == thing.get("thingTypeName")
    listed = [t for page in iot.get_paginator("list_things").paginate() for t in page["things"]]
    assert len(listed) == sum(thing.get("generate", 1) for thing in things)
    for group in account.get("thingGroups", []):
        members = iot.list_things_in_thing_group(thingGroupName=group["thingGroupName"])["things"]
        assert sorted(members) == sorted(group.get("things", []))
    for policy in account.get("policies", []):
        got = iot.get_policy(policyName=policy["policyName"])
        assert json.loads(got["policyDocument"]) == policy["policyDocument"]


def scriptr_seeded(client: Client, token: str, account: dict) -> None:
    headers = {"Authorization": f"bearer {token}"}

    def call(function: str, body: dict) -> dict:
        answer = client.post(f"/scriptr/device/{function}", json=body, headers=headers).json
        result = answer["response"]["result"]
        assert result["metadata"]["status"] == "success", answer
        return result["result"]

    devices = account.get("devices", [])
    counted = call("query", {"count": True, "resultsPerPage": 1})["count"]
    assert counted == 1 + sum(device.get("generate", 1) for device in devices)  # and "scriptr"
    for device in devices:
        if "id" in device:
            assert call("get", {"id": device["id"]})["name"] == device["name"]


def test_the_scenarios_the_readme_names_exist() -> None:
    assert {
        "flaky_key_allocation",
        "product_nearly_full",
        "lost_create_response",
        "aws_throttled",
    } <= set(NAMES)


@pytest.mark.parametrize("path", FILES, ids=NAMES)
def test_every_fixtures_file_loads_with_cloud_load(path: Path) -> None:
    seeded(FakeCloud(seed=1).load(path), document(path))


@pytest.mark.parametrize("path", FILES, ids=NAMES)
def test_every_fixtures_file_loads_through_the_admin_api(path: Path) -> None:
    cloud = FakeCloud(seed=1)
    response = Client(cloud.wsgi_app).post("/_iotfake/seed", json=document(path))
    assert (response.status_code, response.json) == (200, {"status": "seeded"})
    seeded(cloud, document(path))


@pytest.mark.e2e
def test_iotfake_serve_loads_every_fixtures_file_at_once() -> None:
    args = [arg for path in FILES for arg in ("--fixtures", str(path))]
    with serving(*args) as served:
        state = requests.get(f"{served.url}/_iotfake/state", timeout=10).json()
    rules = [rule["id"] for rule in state["faults"]["rules"]]
    assert rules == [rule["id"] for path in FILES for rule in document(path).get("faults", [])]
    loaded = FakeCloud.from_snapshot(state)
    for path in FILES:
        for provider in set(document(path)) - {"faults"}:
            assert list(loaded.registry.tenants(provider)), (path.name, provider)


def test_product_nearly_full_is_a_real_quota_not_a_rule() -> None:
    cloud = FakeCloud(seed=1).load(FIXTURES / "product_nearly_full.json")
    assert cloud.faults.rules == []
    client = Client(cloud.wsgi_app)
    assert [create(client, "NearlyFull").json["code"] for _ in range(3)] == [0, 11739, 11739]
    assert len(cloud.registry.tenant("enos", "o1").devices) == 5
    # a new product in the same org has room of its own
    assert create(client, make_product(client)).json["code"] == 0
    assert [e.rule for e in cloud.journal.calls(operation="CreateDevice")] == [None] * 4
    full = cloud.journal.calls(operation="CreateDevice", outcome="error")
    assert [(e.code, e.params["productKey"]) for e in full] == [("11739", "NearlyFull")] * 2


def test_product_nearly_full_cuts_a_batch_at_the_quota() -> None:
    cloud = FakeCloud(seed=1).load(FIXTURES / "product_nearly_full.json")
    body = [
        {"productKey": "NearlyFull", "timezone": "+08:00", "deviceName": {"defaultValue": f"m{i}"}}
        for i in range(3)
    ]
    answer = (
        Client(cloud.wsgi_app)
        .post(
            "/connect-service/v2.0/devices?action=batchCreate&orgId=o1",
            json={"deviceList": body},
            headers={"apim-accesstoken": "t"},
        )
        .json
    )
    assert [item["code"] for item in answer["data"]] == [0, 11739, 11739]
    assert answer["successSize"] == 1


def test_lost_create_response_in_process() -> None:
    cloud = FakeCloud(seed=1).load(FIXTURES / "lost_create_response.json")
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    assert create(client, pk, deviceKey="meter-1").status_code == 503
    assert create(client, pk, deviceKey="meter-1").json["code"] == 11702
    assert len(cloud.registry.tenant("enos", "o1").devices) == 1


def test_aws_throttled_through_boto3(aws_cloud: FakeCloud, iot) -> None:
    with freeze_time("2030-01-01 00:00:00"):
        aws_cloud.load(FIXTURES / "aws_throttled.json")
        iot.create_thing(thingName="t1")
        iot.create_thing(thingName="t2")
        with pytest.raises(iot.exceptions.ThrottlingException) as caught:
            iot.create_thing(thingName="t3")
        headers = caught.value.response["ResponseMetadata"]["HTTPHeaders"]
        assert headers["x-amz-retry-after"] == "500"  # 2 per second
        aws_cloud.clock.advance(0.5)
        iot.create_thing(thingName="t3")
    template = json.dumps(
        {"Resources": {"thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": "t4"}}}}
    )
    for _ in range(2):  # a client that does not retry meets both throttled RegisterThings
        with pytest.raises(iot.exceptions.ThrottlingException):
            iot.register_thing(templateBody=template)
    assert iot.register_thing(templateBody=template)["resourceArns"]["thing"].endswith(":thing/t4")
    aws_cloud.journal.assert_fault_fired("aws-throttled-create-thing", times=1)
    aws_cloud.journal.assert_fault_fired("aws-throttled-register-thing", times=2)


@pytest.mark.e2e
def test_serve_loads_scenario_files_and_throttle_profiles(tmp_path: Path) -> None:
    profile = tmp_path / "slow.json"
    rule = {"id": "slow", "provider": "enos", "action": {"throttle": {"rate": 1, "burst": 100}}}
    profile.write_text(json.dumps({"rules": [rule]}))
    fixtures = FIXTURES / "lost_create_response.json"
    with serving(
        "--fixtures", str(fixtures), "--throttle-profile", str(profile), "--throttle-profile", "aws-defaults"
    ) as served:
        rules = requests.get(f"{served.url}/_iotfake/faults", timeout=10).json()["rules"]
    ids = [r["id"] for r in rules]
    assert ids[:2] == ["lost-create-response", "slow"]
    assert ids[2:] == [r.id for r in FakeCloud().faults.apply_profile("aws-defaults")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--throttle-profile", "aws-default"],
            "unknown throttle profile 'aws-default' (built in: aws-defaults)",
        ),
        (["--fixtures", "no/such/file.json"], "cannot load fixtures no/such/file.json"),
    ],
)
@pytest.mark.e2e
def test_serve_refuses_bad_profiles_and_fixtures(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
