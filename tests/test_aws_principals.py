"""Thing principals: attach, detach, list both ways; exclusive attachment."""

from __future__ import annotations

import pytest
from aws_helpers import conforms


def test_attach_and_list_both_ways(iot) -> None:
    iot.create_thing(thingName="t1")
    iot.create_thing(thingName="t2")
    arn = iot.create_keys_and_certificate()["certificateArn"]
    conforms("AttachThingPrincipal", iot.attach_thing_principal(thingName="t1", principal=arn))
    iot.attach_thing_principal(thingName="t2", principal=arn)
    iot.attach_thing_principal(thingName="t2", principal=arn)
    assert conforms("ListThingPrincipals", iot.list_thing_principals(thingName="t1"))["principals"] == [arn]
    assert conforms("ListPrincipalThings", iot.list_principal_things(principal=arn))["things"] == ["t1", "t2"]
    iot.detach_thing_principal(thingName="t1", principal=arn)
    assert iot.list_thing_principals(thingName="t1")["principals"] == []
    assert iot.list_principal_things(principal=arn)["things"] == ["t2"]


def test_unknown_thing_or_certificate(iot) -> None:
    arn = iot.create_keys_and_certificate()["certificateArn"]
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.attach_thing_principal(thingName="ghost", principal=arn)
    iot.create_thing(thingName="t1")
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.attach_thing_principal(thingName="t1", principal=arn[:-4] + "0000")
    assert (
        caught.value.response["Error"]["Message"] == "The certificate given in the principal does not exist."
    )
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.attach_thing_principal(thingName="t1", principal="arn:aws:iot:eu-west-1:123456789012:cert/abc")
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.list_thing_principals(thingName="ghost")
    assert caught.value.response["Error"]["Message"] == (
        "Failed to list principals for thing ghost because the thing does not exist in your account"
    )


def test_exclusive_principals_serve_one_thing(iot) -> None:
    iot.create_thing(thingName="t1")
    iot.create_thing(thingName="t2")
    arn = iot.create_keys_and_certificate()["certificateArn"]
    iot.attach_thing_principal(thingName="t1", principal=arn, thingPrincipalType="EXCLUSIVE_THING")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.attach_thing_principal(thingName="t2", principal=arn)
    assert "exclusively attached to thing t1" in caught.value.response["Error"]["Message"]
    iot.detach_thing_principal(thingName="t1", principal=arn)
    iot.attach_thing_principal(thingName="t2", principal=arn)
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.attach_thing_principal(thingName="t1", principal=arn, thingPrincipalType="EXCLUSIVE_THING")


def test_principal_listings_page(iot) -> None:
    arn = iot.create_keys_and_certificate()["certificateArn"]
    for i in range(5):
        iot.create_thing(thingName=f"t{i}")
        iot.attach_thing_principal(thingName=f"t{i}", principal=arn)
    pages = list(
        iot.get_paginator("list_principal_things").paginate(principal=arn, PaginationConfig={"PageSize": 2})
    )
    assert [t for p in pages for t in p["things"]] == [f"t{i}" for i in range(5)]


def test_v2_listings_say_how_each_principal_is_attached(iot) -> None:
    for name in ("t1", "t2", "t3"):
        iot.create_thing(thingName=name)
    shared = iot.create_keys_and_certificate()["certificateArn"]
    own = iot.create_keys_and_certificate()["certificateArn"]
    iot.attach_thing_principal(thingName="t1", principal=shared)
    iot.attach_thing_principal(thingName="t2", principal=shared)
    iot.attach_thing_principal(thingName="t1", principal=own, thingPrincipalType="EXCLUSIVE_THING")
    listed = conforms("ListThingPrincipalsV2", iot.list_thing_principals_v2(thingName="t1"))
    assert sorted(listed["thingPrincipalObjects"], key=lambda o: o["principal"]) == sorted(
        [
            {"principal": shared, "thingPrincipalType": "NON_EXCLUSIVE_THING"},
            {"principal": own, "thingPrincipalType": "EXCLUSIVE_THING"},
        ],
        key=lambda o: o["principal"],
    )
    exclusive = iot.list_thing_principals_v2(thingName="t1", thingPrincipalType="EXCLUSIVE_THING")
    assert exclusive["thingPrincipalObjects"] == [{"principal": own, "thingPrincipalType": "EXCLUSIVE_THING"}]
    things = conforms("ListPrincipalThingsV2", iot.list_principal_things_v2(principal=shared))
    assert things["principalThingObjects"] == [
        {"thingName": "t1", "thingPrincipalType": "NON_EXCLUSIVE_THING"},
        {"thingName": "t2", "thingPrincipalType": "NON_EXCLUSIVE_THING"},
    ]
    assert (
        iot.list_principal_things_v2(principal=own, thingPrincipalType="NON_EXCLUSIVE_THING")[
            "principalThingObjects"
        ]
        == []
    )
    pages = iot.get_paginator("list_principal_things_v2").paginate(
        principal=shared, PaginationConfig={"PageSize": 1}
    )
    assert [o["thingName"] for page in pages for o in page["principalThingObjects"]] == ["t1", "t2"]
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.list_thing_principals_v2(thingName="ghost")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.list_principal_things_v2(principal=own[:-4] + "0000")
