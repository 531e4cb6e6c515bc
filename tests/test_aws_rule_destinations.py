"""Topic rule destinations through boto3: HTTP destinations confirmed by token, VPC destinations,
status changes AWS allows and refuses, paging, snapshots."""

from __future__ import annotations

import pytest
from aws_helpers import conforms

from iotfake import FakeCloud

PREFIX = "arn:aws:iot:us-east-1:123456789012:ruledestination/"
VPC = {"subnetIds": ["subnet-1"], "vpcId": "vpc-1", "roleArn": "arn:aws:iam::123456789012:role/r"}


def http(iot, url: str = "https://example.com/hook") -> dict:
    made = iot.create_topic_rule_destination(
        destinationConfiguration={"httpUrlConfiguration": {"confirmationUrl": url}}
    )
    return conforms("CreateTopicRuleDestination", made)["topicRuleDestination"]


def token_of(destination: dict) -> str:
    return destination["statusReason"].rsplit(" ", 1)[1]


def test_an_http_destination_is_enabled_by_confirmation(iot) -> None:
    made = http(iot)
    assert made["arn"].startswith(PREFIX + "http/")
    assert made["status"] == "IN_PROGRESS"
    assert made["httpUrlProperties"] == {"confirmationUrl": "https://example.com/hook"}
    with pytest.raises(iot.exceptions.InvalidRequestException, match="before it is confirmed"):
        iot.update_topic_rule_destination(arn=made["arn"], status="ENABLED")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="token is not valid"):
        iot.confirm_topic_rule_destination(confirmationToken="wrong")
    iot.confirm_topic_rule_destination(confirmationToken=token_of(made))
    got = conforms("GetTopicRuleDestination", iot.get_topic_rule_destination(arn=made["arn"]))
    assert got["topicRuleDestination"]["status"] == "ENABLED"
    assert "statusReason" not in got["topicRuleDestination"]
    iot.update_topic_rule_destination(arn=made["arn"], status="DISABLED")
    iot.update_topic_rule_destination(arn=made["arn"], status="ENABLED")  # confirmed once: allowed
    iot.update_topic_rule_destination(arn=made["arn"], status="IN_PROGRESS")  # asks again
    again = iot.get_topic_rule_destination(arn=made["arn"])["topicRuleDestination"]
    assert again["status"] == "IN_PROGRESS"
    assert token_of(again) != token_of(made)
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.update_topic_rule_destination(arn=made["arn"], status="ERROR")
    iot.delete_topic_rule_destination(arn=made["arn"])
    with pytest.raises(iot.exceptions.UnauthorizedException):
        iot.get_topic_rule_destination(arn=made["arn"])


def test_refusals(iot) -> None:
    http(iot)
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        http(iot)
    with pytest.raises(iot.exceptions.InvalidRequestException, match="HTTPS"):
        http(iot, "http://example.com/plain")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="exactly one"):
        iot.create_topic_rule_destination(destinationConfiguration={})
    with pytest.raises(iot.exceptions.UnauthorizedException):
        iot.delete_topic_rule_destination(arn=PREFIX + "http/00000000-0000-0000-0000-000000000000")


def test_vpc_destinations_and_paging(iot, aws_cloud: FakeCloud) -> None:
    vpc = iot.create_topic_rule_destination(destinationConfiguration={"vpcConfiguration": VPC})[
        "topicRuleDestination"
    ]
    assert vpc["arn"].startswith(PREFIX + "vpc/")
    assert (vpc["status"], vpc["vpcProperties"]) == ("ENABLED", VPC)
    for i in range(4):
        aws_cloud.clock.advance(1)
        http(iot, f"https://example.com/{i}")
    listed = conforms("ListTopicRuleDestinations", iot.list_topic_rule_destinations())
    assert listed["destinationSummaries"][0]["vpcDestinationSummary"] == VPC
    pages = iot.get_paginator("list_topic_rule_destinations").paginate(PaginationConfig={"PageSize": 2})
    urls = [
        d.get("httpUrlSummary", {}).get("confirmationUrl") for p in pages for d in p["destinationSummaries"]
    ]
    assert urls == [None] + [f"https://example.com/{i}" for i in range(4)]


def test_destinations_survive_a_snapshot(iot, aws_cloud: FakeCloud) -> None:
    made = http(iot)
    copy = FakeCloud.from_snapshot(aws_cloud.snapshot())
    rows = copy.registry.tenant("aws", "123456789012/us-east-1").table("topicRuleDestinations")
    assert [r["status"] for r in rows.values()] == ["IN_PROGRESS"]
    assert made["arn"].endswith(next(iter(rows)))
