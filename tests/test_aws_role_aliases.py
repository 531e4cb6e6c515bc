"""Role aliases through boto3: create/describe/update/delete, the duration range, paging in both
orders, snapshots and fixtures."""

from __future__ import annotations

import boto3
import pytest
from aws_helpers import conforms
from botocore.config import Config

from iotfake import FakeCloud

ROLE = "arn:aws:iam::123456789012:role/iot-creds"
ARN = "arn:aws:iot:us-east-1:123456789012:rolealias/"


def test_create_describe_update_delete(iot, aws_cloud: FakeCloud) -> None:
    made = conforms("CreateRoleAlias", iot.create_role_alias(roleAlias="cam", roleArn=ROLE))
    assert made["roleAlias"] == "cam"
    assert made["roleAliasArn"] == ARN + "cam"
    described = conforms("DescribeRoleAlias", iot.describe_role_alias(roleAlias="cam"))
    found = described["roleAliasDescription"]
    assert found["roleArn"] == ROLE
    assert found["owner"] == "123456789012"
    assert found["credentialDurationSeconds"] == 3600  # the documented default
    assert found["creationDate"] == found["lastModifiedDate"]
    aws_cloud.clock.advance(60)
    updated = conforms(
        "UpdateRoleAlias",
        iot.update_role_alias(roleAlias="cam", credentialDurationSeconds=900, roleArn=ROLE + "2"),
    )
    assert updated == {
        "roleAlias": "cam",
        "roleAliasArn": ARN + "cam",
        "ResponseMetadata": updated["ResponseMetadata"],
    }
    found = iot.describe_role_alias(roleAlias="cam")["roleAliasDescription"]
    assert (found["credentialDurationSeconds"], found["roleArn"]) == (900, ROLE + "2")
    assert 60 <= (found["lastModifiedDate"] - found["creationDate"]).total_seconds() < 61
    iot.delete_role_alias(roleAlias="cam")
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Role alias cam cannot be found"):
        iot.describe_role_alias(roleAlias="cam")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.delete_role_alias(roleAlias="cam")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.update_role_alias(roleAlias="cam", credentialDurationSeconds=900)


def lax(iot):
    """A client that sends what botocore would refuse, to see the fake's own answer."""
    return boto3.client(
        "iot",
        endpoint_url=iot.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="AKIAEXAMPLE000000000",
        aws_secret_access_key="x",
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )


def test_duplicates_bad_durations_and_bad_role_arns_are_refused(iot) -> None:
    iot.create_role_alias(roleAlias="a", roleArn=ROLE, credentialDurationSeconds=43200)
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.create_role_alias(roleAlias="a", roleArn=ROLE)
    for seconds in (899, 43201):
        with pytest.raises(iot.exceptions.InvalidRequestException, match="credentialDurationSeconds"):
            lax(iot).create_role_alias(roleAlias="b", roleArn=ROLE, credentialDurationSeconds=seconds)
    with pytest.raises(iot.exceptions.InvalidRequestException, match="not a valid IAM role ARN"):
        iot.create_role_alias(roleAlias="b", roleArn="arn:aws:iot:us-east-1:123456789012:thing/x")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="not a valid IAM role ARN"):
        iot.update_role_alias(roleAlias="a", roleArn="arn:aws:s3:::bucket-name-here")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="credentialDurationSeconds"):
        lax(iot).update_role_alias(roleAlias="a", credentialDurationSeconds=10)
    assert (
        iot.describe_role_alias(roleAlias="a")["roleAliasDescription"]["credentialDurationSeconds"] == 43200
    )
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_role_alias(roleAlias="b")


def test_listing_pages_newest_first_unless_ascending(iot, aws_cloud: FakeCloud) -> None:
    for i in range(5):
        iot.create_role_alias(roleAlias=f"r{i}", roleArn=ROLE)
        aws_cloud.clock.advance(1)
    first = conforms("ListRoleAliases", iot.list_role_aliases(pageSize=2))
    assert first["roleAliases"] == ["r4", "r3"]
    pages = iot.get_paginator("list_role_aliases").paginate(PaginationConfig={"PageSize": 2})
    assert [a for page in pages for a in page["roleAliases"]] == ["r4", "r3", "r2", "r1", "r0"]
    pages = iot.get_paginator("list_role_aliases").paginate(
        ascendingOrder=True, PaginationConfig={"PageSize": 3}
    )
    assert [a for page in pages for a in page["roleAliases"]] == ["r0", "r1", "r2", "r3", "r4"]


def test_role_aliases_survive_a_snapshot_and_seed_from_fixtures() -> None:
    cloud = FakeCloud(seed=5)
    cloud.seed(
        {
            "aws": {
                "accounts": [
                    {
                        "roleAliases": [
                            {"roleAlias": "cam", "roleArn": ROLE, "credentialDurationSeconds": 1200}
                        ]
                    }
                ]
            }
        }
    )
    copy = FakeCloud.from_snapshot(cloud.snapshot())
    for each in (cloud, copy):
        tenant = each.registry.tenant("aws", "123456789012/us-east-1")
        record = tenant.table("roleAliases")["cam"]
        assert (record["roleArn"], record["duration"]) == (ROLE, 1200)


def test_fixtures_refuse_an_alias_the_model_refuses() -> None:
    cloud = FakeCloud(seed=5)
    with pytest.raises(Exception, match="credentialDurationSeconds"):
        cloud.seed(
            {
                "aws": {
                    "accounts": [
                        {"roleAliases": [{"roleAlias": "x", "roleArn": ROLE, "credentialDurationSeconds": 5}]}
                    ]
                }
            }
        )


def test_a_fault_rule_names_the_role_alias(iot, aws_cloud: FakeCloud) -> None:
    aws_cloud.faults.add(provider="aws", operation="DescribeRoleAlias", error="NotFound")
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Role alias cam cannot be found"):
        iot.describe_role_alias(roleAlias="cam")
