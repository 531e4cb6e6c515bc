"""An access key belongs to one account, across every fixtures document loaded into a cloud.

A key seeded for one account and seeded again for another would make requests signed with it land
in whichever account a scan met first, and strict mode verify them against that account's secret.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config

from iotfake import FakeCloud
from iotfake.documents import DocumentError

KEY = {"accessKeyId": "AKIAOWNEDBYONE000001", "secretAccessKey": "first-secret"}


def _account(account_id: str, key: dict[str, str], region: str = "us-east-1") -> dict:
    return {"aws": {"accounts": [{"accountId": account_id, "region": region, "accessKeys": [key]}]}}


def _client(url: str, key: dict[str, str]):
    return boto3.client(
        "iot",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key["accessKeyId"],
        aws_secret_access_key=key["secretAccessKey"],
        config=Config(retries={"total_max_attempts": 1}),
    )


def test_a_later_document_cannot_give_a_key_to_another_account() -> None:
    cloud = FakeCloud(seed=1, auth="strict")
    cloud.seed(_account("111111111111", KEY))
    before = cloud.state_json()
    stolen = {**KEY, "secretAccessKey": "second-secret"}
    with pytest.raises(DocumentError) as caught:
        cloud.seed(_account("222222222222", stolen))
    assert caught.value.path == "aws.accounts[0].accessKeys[0].accessKeyId"
    assert "111111111111" in caught.value.message
    assert cloud.state_json() == before
    with cloud.serve() as server:
        created = _client(server.url, KEY).create_thing(thingName="t1")
        assert created["thingArn"] == "arn:aws:iot:us-east-1:111111111111:thing/t1"
        with pytest.raises(_client(server.url, stolen).exceptions.ClientError) as refused:
            _client(server.url, stolen).list_things()
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"


def test_the_same_key_and_secret_for_another_account_is_refused_too() -> None:
    cloud = FakeCloud(seed=1)
    cloud.seed(_account("111111111111", KEY))
    with pytest.raises(DocumentError) as caught:
        cloud.seed(_account("222222222222", KEY))
    assert caught.value.path == "aws.accounts[0].accessKeys[0].accessKeyId"


def test_the_owning_account_may_list_its_key_again_in_another_region() -> None:
    cloud = FakeCloud(seed=1, auth="strict")
    cloud.seed(_account("111111111111", KEY))
    cloud.seed(_account("111111111111", KEY, region="eu-west-1"))
    with cloud.serve() as server:
        iot = _client(server.url, KEY)
        assert iot.create_thing(thingName="t1")["thingArn"].startswith("arn:aws:iot:us-east-1:111111111111:")


def test_a_key_cannot_change_its_secret_in_a_later_document() -> None:
    cloud = FakeCloud(seed=1)
    cloud.seed(_account("111111111111", KEY))
    with pytest.raises(DocumentError) as caught:
        cloud.seed(_account("111111111111", {**KEY, "secretAccessKey": "rotated"}, region="eu-west-1"))
    assert caught.value.path == "aws.accounts[0].accessKeys[0].secretAccessKey"


def test_ownership_survives_a_snapshot_and_a_failed_load_claims_nothing() -> None:
    cloud = FakeCloud(seed=1, auth="strict")
    cloud.seed(_account("111111111111", KEY))
    copy = FakeCloud.from_snapshot(json.loads(cloud.state_json()))
    with pytest.raises(DocumentError):
        copy.seed(_account("222222222222", KEY))
    other = {"accessKeyId": "AKIAFREEDAGAIN000001", "secretAccessKey": "s"}
    broken = _account("333333333333", other)
    broken["aws"]["accounts"][0]["things"] = [{"thingName": "bad name"}]
    with pytest.raises(DocumentError):
        copy.seed(broken)
    copy.seed(_account("444444444444", other))  # the failed load claimed nothing
    with copy.serve() as server:
        arn = _client(server.url, other).create_thing(thingName="t1")["thingArn"]
        assert arn == "arn:aws:iot:us-east-1:444444444444:thing/t1"
        arn = _client(server.url, KEY).create_thing(thingName="t1")["thingArn"]
        assert arn == "arn:aws:iot:us-east-1:111111111111:thing/t1"
