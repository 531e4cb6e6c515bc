"""Thing groups: hierarchy, membership rules, listings."""

from __future__ import annotations

import pytest
from aws_helpers import conforms


def test_create_describe_with_parent(iot) -> None:
    root = conforms("CreateThingGroup", iot.create_thing_group(thingGroupName="root"))
    assert root["thingGroupArn"] == "arn:aws:iot:us-east-1:123456789012:thinggroup/root"
    iot.create_thing_group(
        thingGroupName="child",
        parentGroupName="root",
        thingGroupProperties={
            "thingGroupDescription": "kids",
            "attributePayload": {"attributes": {"a": "1"}},
        },
    )
    child = conforms("DescribeThingGroup", iot.describe_thing_group(thingGroupName="child"))
    assert child["version"] == 1
    assert child["thingGroupProperties"]["thingGroupDescription"] == "kids"
    assert child["thingGroupMetadata"]["parentGroupName"] == "root"
    assert child["thingGroupMetadata"]["rootToParentThingGroups"] == [
        {"groupName": "root", "groupArn": root["thingGroupArn"]}
    ]


def test_create_is_idempotent_and_parents_must_exist(iot) -> None:
    first = iot.create_thing_group(thingGroupName="g")
    assert iot.create_thing_group(thingGroupName="g")["thingGroupId"] == first["thingGroupId"]
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.create_thing_group(thingGroupName="g", thingGroupProperties={"thingGroupDescription": "other"})
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.create_thing_group(thingGroupName="orphan", parentGroupName="ghost")


def test_list_groups_by_parent_prefix_and_recursion(iot) -> None:
    iot.create_thing_group(thingGroupName="a")
    iot.create_thing_group(thingGroupName="a1", parentGroupName="a")
    iot.create_thing_group(thingGroupName="a11", parentGroupName="a1")
    iot.create_thing_group(thingGroupName="b")

    def listed(**kwargs) -> list[str]:
        return [
            g["groupName"]
            for g in conforms("ListThingGroups", iot.list_thing_groups(**kwargs))["thingGroups"]
        ]

    assert listed() == ["a", "a1", "a11", "b"]
    # AWS lists every descendant for parentGroup alone (the API reference gives recursive no
    # default; the real answer is quoted in getmoto/moto#2961); recursive=false: children only
    assert listed(parentGroup="a") == ["a1", "a11"]
    assert listed(parentGroup="a", recursive=True) == ["a1", "a11"]
    assert listed(parentGroup="a", recursive=False) == ["a1"]
    assert listed(recursive=False) == ["a", "b"]
    assert listed(namePrefixFilter="a1") == ["a1", "a11"]


def test_membership_by_name_or_arn_and_recursive_listing(iot) -> None:
    iot.create_thing_group(thingGroupName="a")
    child = iot.create_thing_group(thingGroupName="a1", parentGroupName="a")
    t1 = iot.create_thing(thingName="t1")
    iot.create_thing(thingName="t2")
    iot.add_thing_to_thing_group(thingGroupName="a", thingName="t2")
    iot.add_thing_to_thing_group(thingGroupArn=child["thingGroupArn"], thingArn=t1["thingArn"])
    assert iot.list_things_in_thing_group(thingGroupName="a")["things"] == ["t2"]
    assert iot.list_things_in_thing_group(thingGroupName="a", recursive=True)["things"] == ["t1", "t2"]
    groups = conforms("ListThingGroupsForThing", iot.list_thing_groups_for_thing(thingName="t1"))
    assert groups["thingGroups"] == [{"groupName": "a1", "groupArn": child["thingGroupArn"]}]
    iot.remove_thing_from_thing_group(thingGroupName="a1", thingName="t1")
    assert iot.list_things_in_thing_group(thingGroupName="a1")["things"] == []


def test_membership_needs_existing_thing_and_group(iot) -> None:
    iot.create_thing_group(thingGroupName="g")
    iot.create_thing(thingName="t1")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.add_thing_to_thing_group(thingGroupName="g", thingName="ghost")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.add_thing_to_thing_group(thingGroupName="ghost", thingName="t1")
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.add_thing_to_thing_group(thingName="t1")


def test_one_group_per_hierarchy_and_ten_groups_per_thing(iot) -> None:
    iot.create_thing(thingName="t1")
    iot.create_thing_group(thingGroupName="root")
    iot.create_thing_group(thingGroupName="leaf", parentGroupName="root")
    iot.add_thing_to_thing_group(thingGroupName="root", thingName="t1")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.add_thing_to_thing_group(thingGroupName="leaf", thingName="t1")
    assert "same hierarchy" in caught.value.response["Error"]["Message"]
    for i in range(9):
        iot.create_thing_group(thingGroupName=f"g{i}")
        iot.add_thing_to_thing_group(thingGroupName=f"g{i}", thingName="t1")
    iot.create_thing_group(thingGroupName="eleventh")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.add_thing_to_thing_group(thingGroupName="eleventh", thingName="t1")
    assert "more than 10 thing groups" in caught.value.response["Error"]["Message"]


def test_delete_group(iot) -> None:
    iot.create_thing_group(thingGroupName="root")
    iot.create_thing_group(thingGroupName="leaf", parentGroupName="root")
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.delete_thing_group(thingGroupName="root")
    with pytest.raises(iot.exceptions.VersionConflictException):
        iot.delete_thing_group(thingGroupName="leaf", expectedVersion=2)
    iot.delete_thing_group(thingGroupName="leaf", expectedVersion=1)
    iot.delete_thing_group(thingGroupName="root")
    iot.delete_thing_group(thingGroupName="never-was")
    assert iot.list_thing_groups()["thingGroups"] == []


def test_a_hierarchy_is_at_most_seven_deep(iot) -> None:
    """AWS's thing group quotas: a hierarchy is at most 7 groups deep; an eighth level was made."""
    iot.create_thing_group(thingGroupName="l1")
    for level in range(2, 8):
        iot.create_thing_group(thingGroupName=f"l{level}", parentGroupName=f"l{level - 1}")
    assert (
        len(iot.describe_thing_group(thingGroupName="l7")["thingGroupMetadata"]["rootToParentThingGroups"])
        == 6
    )
    with pytest.raises(iot.exceptions.InvalidRequestException, match="7 levels") as raised:
        iot.create_thing_group(thingGroupName="l8", parentGroupName="l7")
    assert "l8" in raised.value.response["Error"]["Message"]
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing_group(thingGroupName="l8")
    iot.create_thing_group(thingGroupName="l7b", parentGroupName="l6")  # a sibling still fits


def test_a_group_has_at_most_a_hundred_direct_children(iot) -> None:
    """AWS's thing group quotas: at most 100 direct child groups (grandchildren do not count)."""
    iot.create_thing_group(thingGroupName="p")
    for i in range(100):
        iot.create_thing_group(thingGroupName=f"c{i:03}", parentGroupName="p")
    iot.create_thing_group(thingGroupName="grandchild", parentGroupName="c000")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="100 child groups"):
        iot.create_thing_group(thingGroupName="c100", parentGroupName="p")
    assert iot.create_thing_group(thingGroupName="c000", parentGroupName="p")["thingGroupName"] == "c000"
    iot.delete_thing_group(thingGroupName="c099")
    iot.create_thing_group(thingGroupName="c100", parentGroupName="p")


def _attributes(count: int, prefix: str = "a") -> dict:
    return {"attributePayload": {"attributes": {f"{prefix}{i:02}": "v" for i in range(count)}}}


def test_a_group_holds_at_most_fifty_attributes(iot) -> None:
    """The developer guide's thing group limits: at most 50 attributes (not adjustable); a
    group was made, and merged up, with any number."""
    with pytest.raises(iot.exceptions.InvalidRequestException, match="at most 50 attributes"):
        iot.create_thing_group(thingGroupName="g", thingGroupProperties=_attributes(51))
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing_group(thingGroupName="g")
    iot.create_thing_group(thingGroupName="g", thingGroupProperties=_attributes(50))
    more = {"attributePayload": {"attributes": {"extra": "v"}, "merge": True}}
    with pytest.raises(iot.exceptions.InvalidRequestException, match="at most 50 attributes"):
        iot.update_thing_group(thingGroupName="g", thingGroupProperties=more)
    described = iot.describe_thing_group(thingGroupName="g")
    assert described["version"] == 1
    assert len(described["thingGroupProperties"]["attributePayload"]["attributes"]) == 50
    swap = {"attributePayload": {"attributes": {"extra": "v", "a00": ""}, "merge": True}}
    assert iot.update_thing_group(thingGroupName="g", thingGroupProperties=swap)["version"] == 2
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    with pytest.raises(iot.exceptions.InvalidRequestException, match="at most 50 attributes"):
        iot.create_dynamic_thing_group(
            thingGroupName="d", queryString="thingName:*", thingGroupProperties=_attributes(51)
        )
    iot.create_dynamic_thing_group(thingGroupName="d", queryString="thingName:*")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="at most 50 attributes"):
        iot.update_dynamic_thing_group(thingGroupName="d", thingGroupProperties=_attributes(51))
