"""UpdateThingGroup (description, attribute replace and merge, versions) and
UpdateThingGroupsForThing (add and remove lists, all or nothing) through boto3."""

from __future__ import annotations

import pytest
from aws_helpers import conforms


def props(iot, name: str) -> dict:
    return iot.describe_thing_group(thingGroupName=name)["thingGroupProperties"]


def test_update_replaces_or_merges_attributes_and_counts_versions(iot) -> None:
    iot.create_thing_group(
        thingGroupName="g",
        thingGroupProperties={
            "thingGroupDescription": "old",
            "attributePayload": {"attributes": {"a": "1", "b": "2"}},
        },
    )
    answer = conforms(
        "UpdateThingGroup",
        iot.update_thing_group(
            thingGroupName="g",
            thingGroupProperties={"attributePayload": {"attributes": {"b": "", "c": "3"}, "merge": True}},
        ),
    )
    assert answer["version"] == 2
    assert props(iot, "g") == {
        "thingGroupDescription": "old",
        "attributePayload": {"attributes": {"a": "1", "c": "3"}},
    }
    iot.update_thing_group(
        thingGroupName="g",
        thingGroupProperties={"thingGroupDescription": "new", "attributePayload": {"attributes": {"z": "9"}}},
        expectedVersion=2,
    )
    described = iot.describe_thing_group(thingGroupName="g")
    assert described["version"] == 3
    assert described["thingGroupProperties"] == {
        "thingGroupDescription": "new",
        "attributePayload": {"attributes": {"z": "9"}},
    }


def test_update_errors(iot) -> None:
    iot.create_thing_group(thingGroupName="g")
    with pytest.raises(iot.exceptions.VersionConflictException):
        iot.update_thing_group(thingGroupName="g", thingGroupProperties={}, expectedVersion=5)
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Thing group ghost cannot be found"):
        iot.update_thing_group(thingGroupName="ghost", thingGroupProperties={})
    assert iot.describe_thing_group(thingGroupName="g")["version"] == 1


def test_update_groups_for_thing_adds_and_removes(iot) -> None:
    for name in ("a", "b", "c"):
        iot.create_thing_group(thingGroupName=name)
    iot.create_thing(thingName="t")
    iot.add_thing_to_thing_group(thingGroupName="a", thingName="t")
    conforms(
        "UpdateThingGroupsForThing",
        iot.update_thing_groups_for_thing(
            thingName="t", thingGroupsToAdd=["b", "c"], thingGroupsToRemove=["a"]
        ),
    )
    listed = iot.list_thing_groups_for_thing(thingName="t")["thingGroups"]
    assert sorted(g["groupName"] for g in listed) == ["b", "c"]


def test_update_groups_for_thing_is_all_or_nothing(iot) -> None:
    iot.create_thing_group(thingGroupName="a")
    iot.create_thing_group(thingGroupName="b")
    iot.create_thing(thingName="t")
    iot.add_thing_to_thing_group(thingGroupName="a", thingName="t")
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="ghost"):
        iot.update_thing_groups_for_thing(
            thingName="t", thingGroupsToAdd=["b", "ghost"], thingGroupsToRemove=["a"]
        )
    assert [g["groupName"] for g in iot.list_thing_groups_for_thing(thingName="t")["thingGroups"]] == ["a"]
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.update_thing_groups_for_thing(thingName="nobody", thingGroupsToAdd=["a"])
    # one hierarchy, one group: a child of a clashes with a
    iot.create_thing_group(thingGroupName="a1", parentGroupName="a")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="same hierarchy"):
        iot.update_thing_groups_for_thing(thingName="t", thingGroupsToAdd=["b", "a1"])
    assert [g["groupName"] for g in iot.list_thing_groups_for_thing(thingName="t")["thingGroups"]] == ["a"]


def test_a_null_member_is_an_absent_one(iot, aws_cloud) -> None:
    """A JSON null for an optional structure member is no member (it answered 500); botocore
    cannot send one, so the request is made by hand."""
    from werkzeug.test import Client

    iot.create_thing_group(
        thingGroupName="g",
        thingGroupProperties={"thingGroupDescription": "d", "attributePayload": {"attributes": {"a": "1"}}},
    )
    signed = {
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/iot/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=0123abcd",
        "X-Amz-Date": "20250101T000000Z",
    }
    body = {"thingGroupProperties": {"attributePayload": None, "thingGroupDescription": None}}
    answer = Client(aws_cloud.wsgi_app).patch("/thing-groups/g", json=body, headers=signed)
    assert answer.status_code == 200, answer.get_data()
    assert props(iot, "g") == {"thingGroupDescription": "d", "attributePayload": {"attributes": {"a": "1"}}}
