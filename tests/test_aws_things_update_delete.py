"""UpdateThing and DeleteThing: versions, expectedVersion, merge, removeThingType, attachments."""

from __future__ import annotations

import pytest


def test_version_starts_at_1_and_counts_updates(iot) -> None:
    iot.create_thing(thingName="t1")
    assert iot.describe_thing(thingName="t1")["version"] == 1
    iot.update_thing(thingName="t1", attributePayload={"attributes": {"a": "1"}})
    iot.update_thing(thingName="t1", attributePayload={"attributes": {"b": "2"}, "merge": True})
    thing = iot.describe_thing(thingName="t1")
    assert thing["version"] == 3
    assert thing["attributes"] == {"a": "1", "b": "2"}


def test_expected_version_must_match(iot) -> None:
    iot.create_thing(thingName="t1")
    iot.update_thing(thingName="t1", attributePayload={"attributes": {"a": "1"}}, expectedVersion=1)
    with pytest.raises(iot.exceptions.VersionConflictException) as caught:
        iot.update_thing(thingName="t1", attributePayload={"attributes": {"a": "2"}}, expectedVersion=1)
    assert caught.value.response["Error"]["Message"] == (
        "The version for thing t1 does not match the expected version."
    )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    thing = iot.describe_thing(thingName="t1")
    assert (thing["version"], thing["attributes"]) == (2, {"a": "1"})


def test_without_merge_attributes_are_replaced_and_empty_values_remove(iot) -> None:
    iot.create_thing(thingName="t1", attributePayload={"attributes": {"a": "1", "b": "2"}})
    iot.update_thing(thingName="t1", attributePayload={"attributes": {"c": "3"}})
    assert iot.describe_thing(thingName="t1")["attributes"] == {"c": "3"}
    iot.update_thing(thingName="t1", attributePayload={"attributes": {"c": "", "d": "4"}, "merge": True})
    assert iot.describe_thing(thingName="t1")["attributes"] == {"d": "4"}


def test_merge_respects_the_attribute_limit(iot) -> None:
    iot.create_thing(thingName="t1", attributePayload={"attributes": {"a": "1", "b": "2", "c": "3"}})
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.update_thing(thingName="t1", attributePayload={"attributes": {"d": "4"}, "merge": True})
    assert iot.describe_thing(thingName="t1")["version"] == 1


def test_set_change_and_remove_the_thing_type(iot) -> None:
    iot.create_thing_type(thingTypeName="a")
    iot.create_thing_type(thingTypeName="b")
    iot.create_thing(thingName="t1")
    iot.update_thing(thingName="t1", thingTypeName="a")
    assert iot.describe_thing(thingName="t1")["thingTypeName"] == "a"
    iot.update_thing(thingName="t1", thingTypeName="b")
    assert [t["thingName"] for t in iot.list_things(thingTypeName="b")["things"]] == ["t1"]
    assert iot.list_things(thingTypeName="a")["things"] == []
    iot.update_thing(thingName="t1", removeThingType=True)
    assert "thingTypeName" not in iot.describe_thing(thingName="t1")
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.update_thing(thingName="t1", thingTypeName="a", removeThingType=True)


def test_removing_the_type_leaves_at_most_3_attributes(iot) -> None:
    iot.create_thing_type(thingTypeName="typed")
    iot.create_thing(
        thingName="t1",
        thingTypeName="typed",
        attributePayload={"attributes": {f"a{i}": "v" for i in range(4)}},
    )
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.update_thing(thingName="t1", removeThingType=True)
    assert iot.describe_thing(thingName="t1")["thingTypeName"] == "typed"


def test_update_to_unknown_or_deprecated_type_fails(iot) -> None:
    iot.create_thing(thingName="t1")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.update_thing(thingName="t1", thingTypeName="ghost")
    iot.create_thing_type(thingTypeName="old")
    iot.deprecate_thing_type(thingTypeName="old")
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.update_thing(thingName="t1", thingTypeName="old")


def test_update_unknown_thing_is_not_found(iot) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.update_thing(thingName="ghost", attributePayload={"attributes": {"a": "1"}})


def test_delete_with_expected_version(iot) -> None:
    iot.create_thing(thingName="t1")
    iot.update_thing(thingName="t1", attributePayload={"attributes": {"a": "1"}})
    with pytest.raises(iot.exceptions.VersionConflictException):
        iot.delete_thing(thingName="t1", expectedVersion=1)
    iot.delete_thing(thingName="t1", expectedVersion=2)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing(thingName="t1")


def test_deleting_a_thing_that_does_not_exist_succeeds(iot) -> None:
    iot.delete_thing(thingName="never-was")


def test_a_thing_with_principals_cannot_be_deleted(iot) -> None:
    iot.create_thing(thingName="t1")
    cert = iot.create_keys_and_certificate(setAsActive=True)
    iot.attach_thing_principal(thingName="t1", principal=cert["certificateArn"])
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.delete_thing(thingName="t1")
    assert caught.value.response["Error"]["Message"] == (
        "Cannot delete. Thing t1 is still attached to one or more principals"
    )
    iot.detach_thing_principal(thingName="t1", principal=cert["certificateArn"])
    iot.delete_thing(thingName="t1")


def test_deleting_a_thing_takes_it_out_of_its_groups(iot) -> None:
    iot.create_thing_group(thingGroupName="g1")
    iot.create_thing(thingName="t1")
    iot.add_thing_to_thing_group(thingGroupName="g1", thingName="t1")
    iot.delete_thing(thingName="t1")
    assert iot.list_things_in_thing_group(thingGroupName="g1")["things"] == []
