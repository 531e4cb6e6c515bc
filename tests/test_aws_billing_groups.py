"""Billing groups through boto3: the records, membership (one group per thing), versions, paging,
and the catalog's rules when a group or a thing is deleted."""

from __future__ import annotations

import pytest
from aws_helpers import conforms

from iotfake import FakeCloud

ARN = "arn:aws:iot:us-east-1:123456789012:billinggroup/"


def test_create_describe_update(iot) -> None:
    made = conforms(
        "CreateBillingGroup",
        iot.create_billing_group(
            billingGroupName="east", billingGroupProperties={"billingGroupDescription": "east coast"}
        ),
    )
    assert made["billingGroupArn"] == ARN + "east"
    described = conforms("DescribeBillingGroup", iot.describe_billing_group(billingGroupName="east"))
    assert described["billingGroupId"] == made["billingGroupId"]
    assert described["version"] == 1
    assert described["billingGroupProperties"] == {"billingGroupDescription": "east coast"}
    assert described["billingGroupMetadata"]["creationDate"].timestamp() > 0
    updated = iot.update_billing_group(
        billingGroupName="east", billingGroupProperties={"billingGroupDescription": "new"}, expectedVersion=1
    )
    assert updated["version"] == 2
    assert iot.describe_billing_group(billingGroupName="east")["billingGroupProperties"] == {
        "billingGroupDescription": "new"
    }


def test_create_is_idempotent_only_with_the_same_properties(iot) -> None:
    first = iot.create_billing_group(billingGroupName="g")
    assert iot.create_billing_group(billingGroupName="g")["billingGroupId"] == first["billingGroupId"]
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException) as raised:
        iot.create_billing_group(
            billingGroupName="g", billingGroupProperties={"billingGroupDescription": "x"}
        )
    assert raised.value.response["resourceId"] == first["billingGroupId"]


def test_missing_groups_and_stale_versions(iot) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Billing group nope cannot be found"):
        iot.describe_billing_group(billingGroupName="nope")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.update_billing_group(billingGroupName="nope", billingGroupProperties={})
    iot.create_billing_group(billingGroupName="g")
    with pytest.raises(iot.exceptions.VersionConflictException):
        iot.update_billing_group(billingGroupName="g", billingGroupProperties={}, expectedVersion=7)
    with pytest.raises(iot.exceptions.VersionConflictException):
        iot.delete_billing_group(billingGroupName="g", expectedVersion=7)
    assert iot.describe_billing_group(billingGroupName="g")["version"] == 1
    iot.delete_billing_group(billingGroupName="nope")  # no error: nothing to delete


def test_bad_names_get_the_models_validation(iot) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException, match="billingGroupName"):
        iot.create_billing_group(billingGroupName="bad name!")


def test_membership_is_one_group_per_thing(iot) -> None:
    iot.create_billing_group(billingGroupName="a")
    iot.create_billing_group(billingGroupName="b")
    iot.create_thing(thingName="t1")
    iot.add_thing_to_billing_group(billingGroupName="a", thingName="t1")
    assert iot.describe_thing(thingName="t1")["billingGroupName"] == "a"
    # a thing in another billing group moves (DescribeThing has room for one)
    iot.add_thing_to_billing_group(
        billingGroupArn=ARN + "b", thingArn=iot.describe_thing(thingName="t1")["thingArn"]
    )
    assert iot.describe_thing(thingName="t1")["billingGroupName"] == "b"
    assert iot.list_things_in_billing_group(billingGroupName="a")["things"] == []
    assert iot.list_things_in_billing_group(billingGroupName="b")["things"] == ["t1"]
    iot.remove_thing_from_billing_group(billingGroupName="b", thingName="t1")
    assert "billingGroupName" not in iot.describe_thing(thingName="t1")


def test_membership_needs_both_ends(iot) -> None:
    iot.create_billing_group(billingGroupName="a")
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Thing ghost"):
        iot.add_thing_to_billing_group(billingGroupName="a", thingName="ghost")
    iot.create_thing(thingName="t1")
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Billing group zz"):
        iot.add_thing_to_billing_group(billingGroupName="zz", thingName="t1")
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.add_thing_to_billing_group(thingName="t1")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="not a billing group ARN"):
        iot.add_thing_to_billing_group(
            billingGroupArn="arn:aws:iot:eu-west-1:1:billinggroup/a", thingName="t1"
        )


def test_create_thing_names_an_existing_billing_group(iot) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Billing group bg cannot be found"):
        iot.create_thing(thingName="t1", billingGroupName="bg")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing(thingName="t1")  # refused whole: no thing without its group
    iot.create_billing_group(billingGroupName="bg")
    iot.create_thing(thingName="t1", billingGroupName="bg")
    assert iot.create_thing(thingName="t1", billingGroupName="bg")  # idempotent, same configuration
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.create_thing(thingName="t1")  # another configuration: no billing group


def test_deleting_the_group_or_the_thing_ends_the_membership(iot) -> None:
    iot.create_billing_group(billingGroupName="bg")
    for name in ("t1", "t2"):
        iot.create_thing(thingName=name, billingGroupName="bg")
    iot.delete_thing(thingName="t1")
    assert iot.list_things_in_billing_group(billingGroupName="bg")["things"] == ["t2"]
    iot.delete_billing_group(billingGroupName="bg")
    assert "billingGroupName" not in iot.describe_thing(thingName="t2")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.list_things_in_billing_group(billingGroupName="bg")


def test_listings_page_with_boto3_paginators(iot) -> None:
    for i in range(7):
        iot.create_billing_group(billingGroupName=f"g{i}")
    iot.create_billing_group(billingGroupName="other")
    pages = iot.get_paginator("list_billing_groups").paginate(
        namePrefixFilter="g", PaginationConfig={"PageSize": 3}
    )
    names = [g["groupName"] for page in pages for g in page["billingGroups"]]
    assert names == [f"g{i}" for i in range(7)]
    for i in range(5):
        iot.create_thing(thingName=f"t{i}", billingGroupName="g0")
    pages = iot.get_paginator("list_things_in_billing_group").paginate(
        billingGroupName="g0", PaginationConfig={"PageSize": 2}
    )
    assert [t for page in pages for t in page["things"]] == [f"t{i}" for i in range(5)]


def test_a_fault_rule_names_the_billing_group(iot, aws_cloud: FakeCloud) -> None:
    aws_cloud.faults.add(provider="aws", operation="DescribeBillingGroup", error="NotFound")
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Billing group g1 cannot be found"):
        iot.describe_billing_group(billingGroupName="g1")


def test_billing_groups_survive_a_snapshot_and_seed_from_fixtures() -> None:
    cloud = FakeCloud(seed=5)
    cloud.seed(
        {
            "aws": {
                "accounts": [
                    {
                        "accountId": "123456789012",
                        "billingGroups": [
                            {
                                "billingGroupName": "bg",
                                "billingGroupProperties": {"billingGroupDescription": "d"},
                            }
                        ],
                        "things": [{"thingName": "t1", "billingGroupName": "bg"}],
                    }
                ]
            }
        }
    )
    copy = FakeCloud.from_snapshot(cloud.snapshot())
    for each in (cloud, copy):
        tenant = each.registry.tenant("aws", "123456789012/us-east-1")
        assert tenant.table("billingGroups")["bg"]["properties"] == {"billingGroupDescription": "d"}
        assert tenant.table("billingGroupMembers")["bg"] == ["t1"]


def test_a_version_1_state_with_billing_group_names_migrates_to_records() -> None:
    cloud = FakeCloud(seed=5)
    cloud.seed({"aws": {"accounts": [{"things": [{"thingName": "t1"}, {"thingName": "t2"}]}]}})
    old = cloud.snapshot()
    old["version"] = 1
    tenant = next(t for t in old["registry"]["tenants"] if t["provider"] == "aws")
    tenant["tables"].pop("billingGroups", None)
    for device in tenant["devices"]:
        device["extra"] = {"billingGroupName": "legacy"}
    restored = FakeCloud.from_snapshot(old)
    live = restored.registry.tenant("aws", "123456789012/us-east-1")
    assert live.table("billingGroups")["legacy"]["name"] == "legacy"
    assert live.table("billingGroupMembers")["legacy"] == ["t1", "t2"]
    assert all(d.extra is None for d in live.devices.values())
    assert restored.snapshot()["version"] == 2


def test_a_state_from_a_newer_iotfake_is_refused_saying_so() -> None:
    newer = FakeCloud().snapshot()
    newer["version"] = 99
    with pytest.raises(ValueError, match="unsupported state version 99: a newer iotfake wrote it"):
        FakeCloud().restore(newer)
