"""Role aliases through boto3."""

from __future__ import annotations

import pytest
from aws_helpers import conforms

from iotfake import FakeCloud

ROLE = "arn:aws:iam::123456789012:role/device-role"


def test_create_describe_update_delete(iot) -> None:
    made = conforms("CreateRoleAlias", iot.create_role_alias(roleAlias="devices", roleArn=ROLE))
    assert made["roleAliasArn"] == "arn:aws:iot:us-east-1:123456789012:rolealias/devices"
    described = conforms("DescribeRoleAlias", iot.describe_role_alias(roleAlias="devices"))[
        "roleAliasDescription"
    ]
    assert (described["roleArn"], described["credentialDurationSeconds"], described["owner"]) == (
        ROLE,
        3600,
        "123456789012",
    )
    iot.update_role_alias(roleAlias="devices", credentialDurationSeconds=900)
    assert (
        iot.describe_role_alias(roleAlias="devices")["roleAliasDescription"]["credentialDurationSeconds"]
        == 900
    )
    iot.delete_role_alias(roleAlias="devices")
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Role alias devices cannot be found"):
        iot.describe_role_alias(roleAlias="devices")


def test_the_rules_aws_states(iot) -> None:
    iot.create_role_alias(roleAlias="a", roleArn=ROLE)
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.create_role_alias(roleAlias="a", roleArn=ROLE)
    with pytest.raises(iot.exceptions.InvalidRequestException, match="not an IAM role ARN"):
        iot.create_role_alias(roleAlias="b", roleArn="arn:aws:s3:::bucket-of-things")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.update_role_alias(roleAlias="zzz", credentialDurationSeconds=900)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.delete_role_alias(roleAlias="zzz")


def test_listing_pages_in_either_order(iot) -> None:
    for name in ("c", "a", "b"):
        iot.create_role_alias(roleAlias=name, roleArn=ROLE)
    pages = iot.get_paginator("list_role_aliases").paginate(PaginationConfig={"PageSize": 2})
    assert [n for page in pages for n in page["roleAliases"]] == ["a", "b", "c"]
    assert iot.list_role_aliases(ascendingOrder=False)["roleAliases"] == ["c", "b", "a"]


def test_fixtures_seed_role_aliases() -> None:
    cloud = FakeCloud(seed=1)
    cloud.seed({"aws": {"accounts": [{"roleAliases": [{"roleAlias": "r", "roleArn": ROLE}]}]}})
    assert cloud.registry.tenant("aws", "123456789012/us-east-1").table("roleAliases")["r"]["roleArn"] == ROLE
