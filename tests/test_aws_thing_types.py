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


def _propagating(*attributes: dict) -> dict:
    return {"mqtt5Configuration": {"propagatingAttributes": list(attributes)}}


def test_update_replaces_the_mqtt5_configuration(iot) -> None:
    iot.create_thing_type(thingTypeName="meter", thingTypeProperties={"thingTypeDescription": "Meters"})
    serial = {"userPropertyKey": "serial", "thingAttribute": "serial"}
    client = {"userPropertyKey": "client", "connectionAttribute": "iot:ClientId"}
    conforms(
        "UpdateThingType",
        iot.update_thing_type(thingTypeName="meter", thingTypeProperties=_propagating(serial, client)),
    )
    described = iot.describe_thing_type(thingTypeName="meter")["thingTypeProperties"]
    assert described == {"thingTypeDescription": "Meters", **_propagating(serial, client)}
    # the unchanged description may be repeated; a new configuration replaces the old one
    iot.update_thing_type(
        thingTypeName="meter", thingTypeProperties={"thingTypeDescription": "Meters", **_propagating(client)}
    )
    assert iot.describe_thing_type(thingTypeName="meter")["thingTypeProperties"] == {
        "thingTypeDescription": "Meters",
        **_propagating(client),
    }
    iot.update_thing_type(thingTypeName="meter", thingTypeProperties={"mqtt5Configuration": {}})
    assert iot.describe_thing_type(thingTypeName="meter")["thingTypeProperties"] == {
        "thingTypeDescription": "Meters"
    }
    iot.update_thing_type(thingTypeName="meter")  # nothing to change
    listed = iot.list_thing_types()["thingTypes"][0]
    assert listed["thingTypeProperties"] == {"thingTypeDescription": "Meters"}


def test_update_keeps_description_and_searchable_attributes_immutable(iot) -> None:
    iot.create_thing_type(
        thingTypeName="meter",
        thingTypeProperties={"thingTypeDescription": "Meters", "searchableAttributes": ["serial"]},
    )
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.update_thing_type(thingTypeName="meter", thingTypeProperties={"thingTypeDescription": "Other"})
    assert caught.value.response["Error"]["Message"] == (
        "The thingTypeDescription of thing type meter cannot be changed"
    )
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.update_thing_type(
            thingTypeName="meter", thingTypeProperties={"searchableAttributes": ["serial", "model"]}
        )
    assert caught.value.response["Error"]["Message"] == (
        "The searchableAttributes of thing type meter cannot be changed"
    )
    assert iot.describe_thing_type(thingTypeName="meter")["thingTypeProperties"] == {
        "thingTypeDescription": "Meters",
        "searchableAttributes": ["serial"],
    }


def test_update_takes_an_empty_value_for_an_absent_one(iot) -> None:
    """Client code that sends the whole properties with an empty list (or description) changes
    nothing, and was refused as a change."""
    iot.create_thing_type(thingTypeName="meter", thingTypeProperties={"thingTypeDescription": "d"})
    iot.update_thing_type(thingTypeName="meter", thingTypeProperties={"searchableAttributes": []})
    iot.create_thing_type(thingTypeName="plain")
    iot.update_thing_type(
        thingTypeName="plain", thingTypeProperties={"thingTypeDescription": "", "searchableAttributes": []}
    )
    described = iot.describe_thing_type(thingTypeName="meter")
    assert described["thingTypeProperties"] == {"thingTypeDescription": "d"}


def test_update_validates_propagating_attributes(iot) -> None:
    iot.create_thing_type(thingTypeName="meter")
    cases = {
        "1 validation error detected: Value 'iot:Other' at "
        "'thingTypeProperties.mqtt5Configuration.propagatingAttributes.1.member.connectionAttribute' "
        "failed to satisfy constraint: Member must satisfy enum value set: "
        "[iot:ClientId, iot:Thing.ThingName]": {
            "userPropertyKey": "k",
            "connectionAttribute": "iot:Other",
        },
        "A propagating attribute needs a userPropertyKey "
        "(at 'thingTypeProperties.mqtt5Configuration.propagatingAttributes.1.member')": {
            "thingAttribute": "serial"
        },
        "A propagating attribute names either a thingAttribute or a connectionAttribute "
        "(at 'thingTypeProperties.mqtt5Configuration.propagatingAttributes.1.member')": {
            "userPropertyKey": "k",
            "thingAttribute": "serial",
            "connectionAttribute": "iot:ClientId",
        },
    }
    for message, attribute in cases.items():
        for call in (iot.update_thing_type, iot.create_thing_type):
            with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
                call(thingTypeName="meter", thingTypeProperties=_propagating(attribute))
            assert caught.value.response["Error"]["Message"] == message
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.update_thing_type(
            thingTypeName="meter", thingTypeProperties={"thingTypeDescription": "tab\tchar"}
        )
    assert "at 'thingTypeProperties.thingTypeDescription'" in caught.value.response["Error"]["Message"]
    assert iot.describe_thing_type(thingTypeName="meter")["thingTypeProperties"] == {}


def test_update_of_a_deprecated_or_missing_type_is_refused(iot) -> None:
    iot.create_thing_type(thingTypeName="meter")
    iot.deprecate_thing_type(thingTypeName="meter")
    config = _propagating({"userPropertyKey": "k", "thingAttribute": "serial"})
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.update_thing_type(thingTypeName="meter", thingTypeProperties=config)
    assert caught.value.response["Error"]["Message"] == "Thing type meter is deprecated and cannot be updated"
    iot.deprecate_thing_type(thingTypeName="meter", undoDeprecate=True)
    iot.update_thing_type(thingTypeName="meter", thingTypeProperties=config)
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.update_thing_type(thingTypeName="ghost", thingTypeProperties=config)
    assert caught.value.response["Error"]["Message"] == "Thing type ghost cannot be found."


def test_update_is_journaled_faultable_and_survives_snapshots(aws_cloud: FakeCloud, iot) -> None:
    iot.create_thing_type(thingTypeName="meter")
    config = _propagating({"userPropertyKey": "k", "connectionAttribute": "iot:Thing.ThingName"})
    aws_cloud.faults.add(
        provider="aws",
        operation="UpdateThingType",
        match={"thingTypeName": "meter"},
        error="ThrottlingException",
        times=1,
    )
    with pytest.raises(iot.exceptions.ThrottlingException):
        iot.update_thing_type(thingTypeName="meter", thingTypeProperties=config)
    iot.update_thing_type(thingTypeName="meter", thingTypeProperties=config)
    calls = aws_cloud.journal.calls(operation="UpdateThingType")
    assert [(c.outcome, c.params["thingTypeName"]) for c in calls] == [("fault", "meter"), ("ok", "meter")]
    assert calls[0].rule is not None and calls[0].code == "ThrottlingException"
    snapshot = aws_cloud.snapshot()
    aws_cloud.reset()
    aws_cloud.restore(snapshot)
    assert iot.describe_thing_type(thingTypeName="meter")["thingTypeProperties"] == config
