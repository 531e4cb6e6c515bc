"""Generated AWS things: ``{"generate": N, ...}`` in ``aws.accounts[].things``.

Names in ThingName's pattern, attributes within AWS's limits (3 without a thing type, values in
AttributeValue's pattern), deterministic, under ``maxThings``, all-or-nothing; checked with boto3.
"""

from __future__ import annotations

import json

import pytest

from iotfake import FakeCloud
from iotfake.documents import DocumentError


def account(*things: dict, **extra) -> dict:
    return {"aws": {"accounts": [{"things": list(things), **extra}]}}


def described(iot) -> list[dict]:
    names = [t["thingName"] for t in iot.list_things(maxResults=250)["things"]]
    return [iot.describe_thing(thingName=name) for name in names]


def test_things_are_realistic_and_within_the_untyped_attribute_limit(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed(account({"generate": 40}))
    things = described(iot)
    assert len(things) == 40
    for thing in things:
        assert thing["thingName"].startswith("device-")
        assert set(thing["attributes"]) == {"serialNumber", "firmwareVersion", "site"}
        assert thing["thingName"].endswith(thing["attributes"]["serialNumber"])
    assert len({t["attributes"]["site"] for t in things}) > 5


def test_a_thing_type_allows_the_full_attribute_set(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed(
        account(
            {"generate": 25, "thingTypeName": "meter", "attributes": {"fleet": "north"}},
            thingTypes=[{"thingTypeName": "meter"}],
        )
    )
    for thing in described(iot):
        assert thing["thingTypeName"] == "meter" and thing["thingName"].startswith("meter-")
        attributes = thing["attributes"]
        assert attributes["fleet"] == "north"
        assert {"latitude", "longitude", "installDate", "timezone", "model", "manufacturer"} <= set(
            attributes
        )
        assert -90 <= float(attributes["latitude"]) <= 90
    listed = iot.list_things(attributeName="fleet", attributeValue="north", maxResults=100)["things"]
    assert len(listed) == 25


def test_fixed_attributes_come_first_and_the_limit_still_holds(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed(account({"generate": 5, "attributes": {"a": "1", "b": "2"}}))
    for thing in described(iot):
        assert set(thing["attributes"]) == {"a", "b", "serialNumber"}


def test_every_generated_thing_could_have_been_created_with_boto3(aws_cloud: FakeCloud, iot) -> None:
    other = FakeCloud(seed=3).seed(
        account(
            {"generate": 40, "thingTypeName": "meter", "country": "CZ"},
            thingTypes=[{"thingTypeName": "meter"}],
        )
    )
    generated = [d.to_dict() for d in other.registry.tenants("aws")[0].devices.values()]
    iot.create_thing_type(thingTypeName="meter")
    for thing in generated:
        iot.create_thing(
            thingName=thing["key"],
            thingTypeName="meter",
            attributePayload={"attributes": thing["attributes"]},
        )
    assert len(iot.list_things(maxResults=100)["things"]) == 40
    assert any(
        "_" in thing["attributes"]["site"] or thing["attributes"]["site"].isalpha() for thing in generated
    )


def test_the_same_seed_gives_the_same_things() -> None:
    def things(seed: int) -> list[dict]:
        cloud = FakeCloud(seed=seed).seed(account({"generate": 30}))
        return [(d.key, d.attributes) for d in cloud.registry.tenants("aws")[0].devices.values()]

    assert things(1) == things(1)
    assert things(1) != things(2)


def test_generation_past_max_things_is_refused_and_changes_nothing(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed(account({"thingName": "first"}, maxThings=10))
    before = aws_cloud.state_json()
    with pytest.raises(DocumentError) as caught:
        aws_cloud.seed(account({"generate": 10}))
    assert caught.value.path == "aws.accounts[0].things[0].generate"
    assert aws_cloud.state_json() == before
    aws_cloud.seed(account({"generate": 9}))
    assert len(iot.list_things(maxResults=100)["things"]) == 10


@pytest.mark.parametrize(
    ("generator", "path"),
    [
        ({"generate": 3, "thingName": "x"}, "aws.accounts[0].things[1].thingName"),
        ({"generate": 3, "thingTypeName": "absent"}, "aws.accounts[0].things[1].thingTypeName"),
        (
            {"generate": 3, "attributes": {"a": "1", "b": "2", "c": "3", "d": "4"}},
            "aws.accounts[0].things[1]",
        ),
        (
            {"generate": 3, "attributes": {"bad value": "x y"}},
            "aws.accounts[0].things[1].attributes",
        ),
        ({"generate": "many"}, "aws.accounts[0].things[1].generate"),
    ],
)
def test_a_bad_generator_names_its_path_and_loads_nothing(
    aws_cloud: FakeCloud, iot, generator: dict, path: str
) -> None:
    before = aws_cloud.state_json()
    with pytest.raises(DocumentError) as caught:
        aws_cloud.seed(account({"thingName": "hand-made"}, generator))
    assert caught.value.path == path, caught.value
    assert aws_cloud.state_json() == before


def test_generated_things_survive_a_snapshot(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed(account({"generate": 12}))
    snapshot = json.loads(aws_cloud.state_json())
    aws_cloud.reset()
    aws_cloud.restore(snapshot)
    assert len(iot.list_things(maxResults=100)["things"]) == 12
