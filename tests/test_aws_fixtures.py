"""The ``aws`` section of fixtures documents: accounts, keys, types, things, groups, policies."""

from __future__ import annotations

import json

import pytest
from aws_helpers import POLICY

from iotfake import FakeCloud
from iotfake.documents import DocumentError

DOCUMENT = {
    "aws": {
        "accounts": [
            {
                "accountId": "123456789012",
                "region": "us-east-1",
                "accessKeys": [{"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": "s"}],
                "thingTypes": [
                    {"thingTypeName": "meter", "thingTypeProperties": {"searchableAttributes": ["serial"]}},
                    {"thingTypeName": "legacy", "deprecated": True},
                ],
                "things": [
                    {"thingName": "m1", "thingTypeName": "meter", "attributes": {"serial": "1"}},
                    {"thingName": "loose"},
                ],
                "thingGroups": [{"thingGroupName": "site-a", "things": ["m1"]}],
                "policies": [{"policyName": "device", "policyDocument": POLICY}],
                "maxThings": 10,
            }
        ]
    }
}


def test_a_document_seeds_what_the_api_then_serves(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed(DOCUMENT)
    assert [t["thingName"] for t in iot.list_things()["things"]] == ["loose", "m1"]
    assert iot.describe_thing(thingName="m1")["attributes"] == {"serial": "1"}
    assert iot.describe_thing_type(thingTypeName="legacy")["thingTypeMetadata"]["deprecated"] is True
    assert iot.list_things_in_thing_group(thingGroupName="site-a")["things"] == ["m1"]
    assert json.loads(iot.get_policy(policyName="device")["policyDocument"]) == POLICY
    assert aws_cloud.registry.tenant("aws", "123456789012/us-east-1").quota == 10


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"accountId": "12345"}, "aws.accounts[0].accountId"),
        ({"region": "mars-1"}, "aws.accounts[0].region"),
        ({"maxThings": -1}, "aws.accounts[0].maxThings"),
        ({"keyAlgorithm": "DSA"}, "aws.accounts[0].keyAlgorithm"),
        (
            {"accessKeys": [{"accessKeyId": "short", "secretAccessKey": "s"}]},
            "aws.accounts[0].accessKeys[0].accessKeyId",
        ),
        (
            {"things": [{"thingName": "ok"}, {"thingName": "ok2"}, {"thingName": "bad name"}]},
            "aws.accounts[0].things[2].thingName",
        ),
        (
            {"things": [{"thingName": "t", "attributes": {"k": "bad value!"}}]},
            "aws.accounts[0].things[0].attributes.k",
        ),
        (
            {"things": [{"thingName": "t", "thingTypeName": "ghost"}]},
            "aws.accounts[0].things[0].thingTypeName",
        ),
        (
            {"thingGroups": [{"thingGroupName": "g", "parentGroupName": "ghost"}]},
            "aws.accounts[0].thingGroups[0]",
        ),
        ({"things": [{"thingName": "t", "colour": "red"}]}, "aws.accounts[0].things[0].colour"),
        ({"thingTypes": [{"thingTypeName": "a b"}]}, "aws.accounts[0].thingTypes[0].thingTypeName"),
        ({"policies": [{"policyName": "p", "policyDocument": "{}"}]}, "aws.accounts[0].policies[0]"),
        (
            {"thingGroups": [{"thingGroupName": "g", "things": ["ghost"]}]},
            "aws.accounts[0].thingGroups[0].things[0]",
        ),
        ({"favourite": 1}, "aws.accounts[0].favourite"),
    ],
)
def test_errors_name_the_path_and_load_nothing(aws_cloud: FakeCloud, iot, change: dict, path: str) -> None:
    account = {**DOCUMENT["aws"]["accounts"][0], **change}
    before = aws_cloud.state_json()
    with pytest.raises(DocumentError) as caught:
        aws_cloud.seed({"aws": {"accounts": [account]}})
    assert caught.value.path == path, caught.value
    assert aws_cloud.state_json() == before


def test_a_key_belongs_to_one_account(aws_cloud: FakeCloud, iot) -> None:
    key = {"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": "s"}
    with pytest.raises(DocumentError) as caught:
        aws_cloud.seed(
            {
                "aws": {
                    "accounts": [
                        {"accountId": "111111111111", "accessKeys": [key]},
                        {"accountId": "222222222222", "accessKeys": [key]},
                    ]
                }
            }
        )
    assert caught.value.path == "aws.accounts[1].accessKeys[0].accessKeyId"


def test_state_round_trips_through_a_snapshot(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed(DOCUMENT)
    cert = iot.create_keys_and_certificate(setAsActive=True)
    iot.attach_thing_principal(thingName="m1", principal=cert["certificateArn"])
    iot.attach_policy(policyName="device", target=cert["certificateArn"])
    snapshot = json.loads(aws_cloud.state_json())
    copy = FakeCloud(seed=7)
    copy.restore(snapshot)
    assert copy.state_json() == aws_cloud.state_json()
    aws_cloud.reset()
    aws_cloud.restore(snapshot)
    assert iot.list_thing_principals(thingName="m1")["principals"] == [cert["certificateArn"]]
    assert [
        p["policyName"] for p in iot.list_attached_policies(target=cert["certificateArn"])["policies"]
    ] == ["device"]
    assert iot.describe_thing(thingName="m1")["thingTypeName"] == "meter"


def test_the_shipped_example_loads(aws_cloud: FakeCloud, iot) -> None:
    from pathlib import Path

    aws_cloud.load(Path(__file__).resolve().parents[1] / "fixtures/aws_account.json")
    assert iot.list_things_in_thing_group(thingGroupName="berlin")["things"] == ["gateway-01", "meter-001"]


def test_the_readme_example_loads(aws_cloud: FakeCloud, iot) -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## AWS IoT", 1)[1].split("\n## ", 1)[0]
    example = section.split("```json", 1)[1].split("```", 1)[0]
    aws_cloud.seed(json.loads(example))
    assert iot.list_things_in_thing_group(thingGroupName="berlin")["things"] == ["meter-001"]


def test_a_failed_document_leaves_an_existing_account_as_it_was(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed(DOCUMENT)
    before = aws_cloud.state_json()
    extra_key = {"accessKeyId": "AKIAANOTHERKEY000001", "secretAccessKey": "s"}
    with pytest.raises(DocumentError):
        aws_cloud.seed(
            {
                "aws": {
                    "accounts": [
                        {"accessKeys": [extra_key], "maxThings": 99, "things": [{"thingName": "bad name"}]}
                    ]
                }
            }
        )
    assert aws_cloud.state_json() == before
