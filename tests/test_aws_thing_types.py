"""Thing types: create (idempotent), describe, list, deprecate and undo, delete with AWS's rules."""

from __future__ import annotations

import pytest
from aws_helpers import conforms

from iotfake import FakeCloud


def test_create_describe_and_list(iot) -> None:
    created = conforms(
        "CreateThingType",
        iot.create_thing_type(
            thingTypeName="meter",
            thingTypeProperties={"thingTypeDescription": "Power meters", "searchableAttributes": ["serial"]},
            tags=[{"Key": "team", "Value": "grid"}],
        ),
    )
    assert created["thingTypeArn"] == "arn:aws:iot:us-east-1:123456789012:thingtype/meter"
    described = conforms("DescribeThingType", iot.describe_thing_type(thingTypeName="meter"))
    assert described["thingTypeId"] == created["thingTypeId"]
    assert described["thingTypeProperties"] == {
        "thingTypeDescription": "Power meters",
        "searchableAttributes": ["serial"],
    }
    assert described["thingTypeMetadata"]["deprecated"] is False
    assert "deprecationDate" not in described["thingTypeMetadata"]
    iot.create_thing_type(thingTypeName="sensor")
    listed = conforms("ListThingTypes", iot.list_thing_types())
    assert [t["thingTypeName"] for t in listed["thingTypes"]] == ["meter", "sensor"]
    assert [t["thingTypeName"] for t in iot.list_thing_types(thingTypeName="sensor")["thingTypes"]] == [
        "sensor"
    ]
    pages = list(iot.get_paginator("list_thing_types").paginate(PaginationConfig={"PageSize": 1}))
    assert len(pages) == 2
    # a name there is not lists nothing, whatever the token (nothing to compare it with)
    odd_token = "WzFd"  # base64 of [1]
    assert iot.list_thing_types(thingTypeName="nope", nextToken=odd_token)["thingTypes"] == []


def test_create_is_idempotent_for_the_same_properties_only(iot) -> None:
    first = iot.create_thing_type(thingTypeName="meter", thingTypeProperties={"thingTypeDescription": "a"})
    again = iot.create_thing_type(thingTypeName="meter", thingTypeProperties={"thingTypeDescription": "a"})
    assert again["thingTypeId"] == first["thingTypeId"]
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException) as caught:
        iot.create_thing_type(thingTypeName="meter", thingTypeProperties={"thingTypeDescription": "b"})
    assert caught.value.response["resourceId"] == first["thingTypeId"]


def test_names_descriptions_and_searchable_attributes_are_validated(iot) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.create_thing_type(thingTypeName="no spaces")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.create_thing_type(thingTypeName="t", thingTypeProperties={"thingTypeDescription": "tab\tchar"})
    assert "at 'thingTypeProperties.thingTypeDescription'" in caught.value.response["Error"]["Message"]
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.create_thing_type(
            thingTypeName="t", thingTypeProperties={"searchableAttributes": ["a", "b", "c", "d"]}
        )
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.create_thing_type(thingTypeName="t", tags=[{"Key": "semi;colon", "Value": "v"}])
    assert "at 'tags.1.member.Key'" in caught.value.response["Error"]["Message"]
    assert iot.list_thing_types()["thingTypes"] == []


def test_deprecate_and_undo(aws_cloud: FakeCloud, iot) -> None:
    iot.create_thing_type(thingTypeName="meter")
    iot.deprecate_thing_type(thingTypeName="meter")
    metadata = iot.describe_thing_type(thingTypeName="meter")["thingTypeMetadata"]
    assert metadata["deprecated"] is True
    assert abs(metadata["deprecationDate"].timestamp() - aws_cloud.clock.time()) < 60
    iot.deprecate_thing_type(thingTypeName="meter", undoDeprecate=True)
    metadata = iot.describe_thing_type(thingTypeName="meter")["thingTypeMetadata"]
    assert metadata["deprecated"] is False and "deprecationDate" not in metadata
    iot.create_thing(thingName="t1", thingTypeName="meter")


def test_delete_needs_deprecation_five_minutes_and_no_things(aws_cloud: FakeCloud, iot) -> None:
    iot.create_thing_type(thingTypeName="meter")
    iot.create_thing(thingName="t1", thingTypeName="meter")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.delete_thing_type(thingTypeName="meter")
    assert (
        caught.value.response["Error"]["Message"]
        == "Thing type meter must be deprecated before it can be deleted"
    )
    iot.deprecate_thing_type(thingTypeName="meter")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.delete_thing_type(thingTypeName="meter")
    assert "it can be deleted 300 seconds after deprecation" in caught.value.response["Error"]["Message"]
    aws_cloud.clock.advance(301)
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.delete_thing_type(thingTypeName="meter")
    assert caught.value.response["Error"]["Message"] == (
        "Thing type meter cannot be deleted: 1 things are still associated with it"
    )
    iot.update_thing(thingName="t1", removeThingType=True)
    iot.delete_thing_type(thingTypeName="meter")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing_type(thingTypeName="meter")


def test_the_deletion_wait_is_seedable(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed({"aws": {"accounts": [{"thingTypeDeletionWaitSeconds": 30}]}})
    iot.create_thing_type(thingTypeName="meter")
    iot.deprecate_thing_type(thingTypeName="meter")
    aws_cloud.clock.advance(29)
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.delete_thing_type(thingTypeName="meter")
    assert "it can be deleted 30 seconds after deprecation" in caught.value.response["Error"]["Message"]
    aws_cloud.clock.advance(2)
    iot.delete_thing_type(thingTypeName="meter")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing_type(thingTypeName="meter")
    assert iot.list_thing_types()["thingTypes"] == []


def test_a_seeded_wait_of_zero_deletes_at_once(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed({"aws": {"accounts": [{"thingTypeDeletionWaitSeconds": 0}]}})
    iot.create_thing_type(thingTypeName="meter")
    iot.deprecate_thing_type(thingTypeName="meter")
    iot.delete_thing_type(thingTypeName="meter")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing_type(thingTypeName="meter")


def test_unknown_types_are_not_found(iot) -> None:
    for call in (iot.describe_thing_type, iot.deprecate_thing_type, iot.delete_thing_type):
        with pytest.raises(iot.exceptions.ResourceNotFoundException):
            call(thingTypeName="ghost")
