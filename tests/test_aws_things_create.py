"""CreateThing and DescribeThing: identity, idempotency, and the validation botocore leaves to AWS."""

from __future__ import annotations

import re

import pytest
from aws_helpers import conforms

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def test_create_then_describe_answers_the_modeled_shapes(iot) -> None:
    created = conforms("CreateThing", iot.create_thing(thingName="meter-1"))
    assert created["thingName"] == "meter-1"
    assert created["thingArn"] == "arn:aws:iot:us-east-1:123456789012:thing/meter-1"
    assert UUID.fullmatch(created["thingId"])
    described = conforms("DescribeThing", iot.describe_thing(thingName="meter-1"))
    assert {k: v for k, v in described.items() if k != "ResponseMetadata"} == {
        "defaultClientId": "meter-1",
        "thingName": "meter-1",
        "thingId": created["thingId"],
        "thingArn": created["thingArn"],
        "attributes": {},
        "version": 1,
    }


def test_create_with_type_attributes_and_billing_group(iot) -> None:
    iot.create_thing_type(thingTypeName="meter")
    iot.create_billing_group(billingGroupName="bg1")
    iot.create_thing(
        thingName="m1",
        thingTypeName="meter",
        attributePayload={"attributes": {"serial": "SN-1", "site": "a/b#c"}},
        billingGroupName="bg1",
    )
    thing = iot.describe_thing(thingName="m1")
    assert thing["thingTypeName"] == "meter"
    assert thing["attributes"] == {"serial": "SN-1", "site": "a/b#c"}
    assert thing["billingGroupName"] == "bg1"


def test_same_name_and_configuration_is_idempotent(iot) -> None:
    first = iot.create_thing(thingName="t1", attributePayload={"attributes": {"a": "1"}})
    again = iot.create_thing(thingName="t1", attributePayload={"attributes": {"a": "1"}})
    assert again["thingId"] == first["thingId"]
    assert iot.describe_thing(thingName="t1")["version"] == 1


@pytest.mark.parametrize(
    "change",
    [
        {"attributePayload": {"attributes": {"a": "2"}}},
        {"thingTypeName": "meter"},
        {"billingGroupName": "bg"},
    ],
)
def test_same_name_with_another_configuration_already_exists(iot, change: dict) -> None:
    iot.create_thing_type(thingTypeName="meter")
    first = iot.create_thing(thingName="t1", attributePayload={"attributes": {"a": "1"}})
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException) as caught:
        iot.create_thing(thingName="t1", **{"attributePayload": {"attributes": {"a": "1"}}, **change})
    response = caught.value.response
    assert response["Error"]["Message"] == "Thing t1 already exists in account with different attributes"
    assert response["resourceId"] == first["thingId"]
    assert response["resourceArn"] == first["thingArn"]


@pytest.mark.parametrize(
    ("name", "constraint"),
    [
        ("bad name!", "Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+"),
        ("x" * 129, "Member must have length less than or equal to 128"),
        ("thing/with/slash?", "Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+"),
    ],
)
def test_thing_names_are_checked_as_aws_checks_them(iot, name: str, constraint: str) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.create_thing(thingName=name)
    assert caught.value.response["Error"]["Message"] == (
        f"1 validation error detected: Value '{name}' at 'thingName' failed to satisfy constraint: "
        + constraint
    )
    assert iot.list_things()["things"] == []


def test_thing_name_of_128_characters_is_fine(iot) -> None:
    iot.create_thing(thingName="x" * 128)
    assert iot.describe_thing(thingName="x" * 128)["thingName"] == "x" * 128


def test_attribute_names_and_values_follow_the_model(iot) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.create_thing(
            thingName="t1", attributePayload={"attributes": {"bad key": "v", "ok": "bad value!"}}
        )
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("2 validation errors detected: ")
    assert (
        "Value 'bad key' at 'attributePayload.attributes' failed to satisfy constraint: Map keys must"
        in message
    )
    assert "Value 'bad value!' at 'attributePayload.attributes.ok'" in message
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.create_thing(thingName="t1", attributePayload={"attributes": {"k": "v" * 801}})
    assert "Member must have length less than or equal to 800" in caught.value.response["Error"]["Message"]


def test_three_attributes_without_a_type_fifty_with_one(iot) -> None:
    iot.create_thing(thingName="three", attributePayload={"attributes": {f"a{i}": "v" for i in range(3)}})
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.create_thing(thingName="four", attributePayload={"attributes": {f"a{i}": "v" for i in range(4)}})
    assert caught.value.response["Error"]["Message"] == (
        "A thing without a thing type can have at most 3 attributes; the request gives it 4"
    )
    iot.create_thing_type(thingTypeName="typed")
    fifty = {f"a{i}": "v" for i in range(50)}
    iot.create_thing(thingName="fifty", thingTypeName="typed", attributePayload={"attributes": fifty})
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.create_thing(
            thingName="fifty-one", thingTypeName="typed", attributePayload={"attributes": {**fifty, "x": "y"}}
        )
    assert sorted(t["thingName"] for t in iot.list_things()["things"]) == ["fifty", "three"]


def test_unknown_thing_type_is_not_found(iot) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.create_thing(thingName="t1", thingTypeName="nope")
    assert caught.value.response["Error"]["Message"] == "Thing type nope cannot be found."


def test_deprecated_thing_type_takes_no_new_things(iot) -> None:
    iot.create_thing_type(thingTypeName="old")
    iot.deprecate_thing_type(thingTypeName="old")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.create_thing(thingName="t1", thingTypeName="old")
    assert "deprecated" in caught.value.response["Error"]["Message"]


def test_describe_unknown_thing_is_not_found(iot) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.describe_thing(thingName="ghost")
    assert caught.value.response["Error"]["Message"] == "Thing ghost cannot be found."


def test_accounts_and_regions_are_separate_tenants(iot, aws_clients) -> None:
    iot.create_thing(thingName="t1")
    other_region = aws_clients(region="eu-west-1")
    assert other_region.list_things()["things"] == []
    created = other_region.create_thing(thingName="t1")
    assert created["thingArn"] == "arn:aws:iot:eu-west-1:123456789012:thing/t1"
    china = aws_clients(region="cn-north-1")
    assert china.create_thing(thingName="t1")["thingArn"] == "arn:aws-cn:iot:cn-north-1:123456789012:thing/t1"
