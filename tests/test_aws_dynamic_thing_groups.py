"""Dynamic thing groups: members are what the fleet-index query matches when they are read."""

from __future__ import annotations

import json

import pytest
from aws_helpers import POLICY, conforms

QUERY = "attributes.floor:3"


@pytest.fixture
def indexed(iot):
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    for name, floor in (("lamp-1", "3"), ("lamp-2", "3"), ("lamp-3", "4")):
        iot.create_thing(thingName=name, attributePayload={"attributes": {"floor": floor}})
    return iot


def test_members_follow_the_query(indexed) -> None:
    iot = indexed
    made = conforms(
        "CreateDynamicThingGroup", iot.create_dynamic_thing_group(thingGroupName="floor3", queryString=QUERY)
    )
    assert (made["indexName"], made["queryString"], made["queryVersion"]) == (
        "AWS_Things",
        QUERY,
        "2017-09-30",
    )
    assert iot.list_things_in_thing_group(thingGroupName="floor3")["things"] == ["lamp-1", "lamp-2"]
    iot.update_thing(thingName="lamp-3", attributePayload={"attributes": {"floor": "3"}})
    assert iot.list_things_in_thing_group(thingGroupName="floor3")["things"] == ["lamp-1", "lamp-2", "lamp-3"]
    groups = iot.list_thing_groups_for_thing(thingName="lamp-3")["thingGroups"]
    assert [g["groupName"] for g in groups] == ["floor3"]
    described = iot.describe_thing_group(thingGroupName="floor3")
    assert (described["queryString"], described["status"], described["indexName"]) == (
        QUERY,
        "ACTIVE",
        "AWS_Things",
    )
    version = conforms(
        "UpdateDynamicThingGroup",
        iot.update_dynamic_thing_group(
            thingGroupName="floor3",
            thingGroupProperties={},
            queryString="attributes.floor:4",
            expectedVersion=1,
        ),
    )["version"]
    assert version == 2
    assert iot.list_things_in_thing_group(thingGroupName="floor3")["things"] == []
    with pytest.raises(iot.exceptions.VersionConflictException):
        iot.update_dynamic_thing_group(
            thingGroupName="floor3", thingGroupProperties={}, queryString=QUERY, expectedVersion=1
        )
    iot.delete_dynamic_thing_group(thingGroupName="floor3")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing_group(thingGroupName="floor3")
    iot.delete_dynamic_thing_group(thingGroupName="floor3")  # gone already: no error


def test_members_cannot_be_added_by_hand(indexed) -> None:
    iot = indexed
    iot.create_dynamic_thing_group(thingGroupName="floor3", queryString=QUERY)
    with pytest.raises(iot.exceptions.InvalidRequestException, match="dynamic thing group"):
        iot.add_thing_to_thing_group(thingGroupName="floor3", thingName="lamp-3")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="dynamic thing group"):
        iot.update_thing_groups_for_thing(thingName="lamp-3", thingGroupsToAdd=["floor3"])
    with pytest.raises(iot.exceptions.InvalidRequestException, match="cannot be a parent"):
        iot.create_thing_group(thingGroupName="child", parentGroupName="floor3")
    iot.create_thing_group(thingGroupName="static")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="static thing group"):
        iot.update_dynamic_thing_group(thingGroupName="static", thingGroupProperties={}, queryString=QUERY)
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.create_dynamic_thing_group(thingGroupName="static", queryString=QUERY)


def test_a_bad_query_or_no_index_is_refused(iot) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException, match="Fleet indexing of things is off"):
        iot.create_dynamic_thing_group(thingGroupName="g", queryString=QUERY)
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    with pytest.raises(iot.exceptions.InvalidQueryException):
        iot.create_dynamic_thing_group(thingGroupName="g", queryString="attributes.floor:(3")
    assert iot.list_thing_groups()["thingGroups"] == []


def test_a_job_on_a_dynamic_group_reaches_its_members(indexed) -> None:
    iot = indexed
    arn = iot.create_dynamic_thing_group(thingGroupName="floor3", queryString=QUERY)["thingGroupArn"]
    iot.create_job(jobId="j1", targets=[arn], document='{"op": "dim"}')
    executions = iot.list_job_executions_for_job(jobId="j1")["executionSummaries"]
    assert sorted(e["thingArn"].rsplit("/", 1)[1] for e in executions) == ["lamp-1", "lamp-2"]


def test_dynamic_groups_survive_a_snapshot(aws_cloud, indexed) -> None:
    iot = indexed
    iot.create_dynamic_thing_group(thingGroupName="floor3", queryString=QUERY)
    aws_cloud.restore(aws_cloud.snapshot())
    assert iot.list_things_in_thing_group(thingGroupName="floor3")["things"] == ["lamp-1", "lamp-2"]


def _paged(iot, **args) -> list[str]:
    things, token = [], None
    while True:
        page = iot.list_things_in_thing_group(maxResults=2, **args, **({"nextToken": token} if token else {}))
        things += page["things"]
        token = page.get("nextToken")
        if not token:
            return things


def test_pages_of_a_dynamic_or_recursive_listing_follow_every_write(indexed) -> None:
    """Their members are selected once and paged (``registry.selections``): any write, a
    rollback too, selects them again."""
    iot = indexed
    iot.create_dynamic_thing_group(thingGroupName="floor3", queryString=QUERY)
    iot.create_thing_group(thingGroupName="top")
    iot.create_thing_group(thingGroupName="below", parentGroupName="top")
    iot.add_thing_to_thing_group(thingGroupName="below", thingName="lamp-3")
    assert _paged(iot, thingGroupName="floor3") == ["lamp-1", "lamp-2"]
    assert _paged(iot, thingGroupName="top", recursive=True) == ["lamp-3"]
    for number in range(4, 8):
        iot.create_thing(thingName=f"lamp-{number}", attributePayload={"attributes": {"floor": "3"}})
        iot.add_thing_to_thing_group(thingGroupName="top", thingName=f"lamp-{number}")
    first = iot.list_things_in_thing_group(thingGroupName="floor3", maxResults=2)
    iot.update_thing(thingName="lamp-1", attributePayload={"attributes": {"floor": "9"}})
    token = first["nextToken"]
    after = iot.list_things_in_thing_group(thingGroupName="floor3", maxResults=2, nextToken=token)
    assert first["things"] + after["things"] == ["lamp-1", "lamp-2", "lamp-4", "lamp-5"]
    assert _paged(iot, thingGroupName="floor3") == ["lamp-2", "lamp-4", "lamp-5", "lamp-6", "lamp-7"]
    assert _paged(iot, thingGroupName="top", recursive=True) == [f"lamp-{n}" for n in range(3, 8)]
    iot.remove_thing_from_thing_group(thingGroupName="below", thingName="lamp-3")
    assert _paged(iot, thingGroupName="top", recursive=True) == [f"lamp-{n}" for n in range(4, 8)]


def test_a_static_create_does_not_pass_for_a_dynamic_group_of_that_name(indexed) -> None:
    """CreateThingGroup is idempotent for the same static group only: a dynamic group of that
    name is a different group, so the caller must not be told its static group exists."""
    iot = indexed
    made = iot.create_dynamic_thing_group(thingGroupName="floor3", queryString=QUERY)
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException, match="dynamic") as raised:
        iot.create_thing_group(thingGroupName="floor3")
    assert raised.value.response["resourceId"] == made["thingGroupId"]
    assert raised.value.response["resourceArn"] == made["thingGroupArn"]
    assert iot.describe_thing_group(thingGroupName="floor3")["queryString"] == QUERY


def test_a_policy_cannot_be_attached_to_a_dynamic_group(indexed) -> None:
    """The developer guide: "Dynamic thing groups can't have policies applied to them." A
    policy attached to one was accepted and listed."""
    iot = indexed
    arn = iot.create_dynamic_thing_group(thingGroupName="floor3", queryString=QUERY)["thingGroupArn"]
    iot.create_policy(policyName="p", policyDocument=json.dumps(POLICY))
    with pytest.raises(iot.exceptions.InvalidRequestException, match="dynamic thing group") as raised:
        iot.attach_policy(policyName="p", target=arn)
    assert "policies" in raised.value.response["Error"]["Message"]
    assert iot.list_attached_policies(target=arn)["policies"] == []
    assert iot.list_targets_for_policy(policyName="p")["targets"] == []


def test_update_merges_attributes_as_update_thing_group_does(indexed) -> None:
    """UpdateDynamicThingGroup laid the given properties over the old ones: ``merge: true`` lost
    the attributes it was meant to keep, and the ``merge`` flag was stored and described."""
    iot = indexed
    iot.create_dynamic_thing_group(
        thingGroupName="floor3",
        queryString=QUERY,
        thingGroupProperties={"thingGroupDescription": "d", "attributePayload": {"attributes": {"a": "1"}}},
    )
    merge = {"attributePayload": {"attributes": {"b": "2"}, "merge": True}}
    assert iot.update_dynamic_thing_group(thingGroupName="floor3", thingGroupProperties=merge)["version"] == 2
    assert iot.describe_thing_group(thingGroupName="floor3")["thingGroupProperties"] == {
        "thingGroupDescription": "d",
        "attributePayload": {"attributes": {"a": "1", "b": "2"}},
    }
    replace = {"attributePayload": {"attributes": {"c": "3"}}}
    iot.update_dynamic_thing_group(thingGroupName="floor3", thingGroupProperties=replace)
    properties = iot.describe_thing_group(thingGroupName="floor3")["thingGroupProperties"]
    assert properties["attributePayload"] == {"attributes": {"c": "3"}}
