"""The first five minutes of a new user (issue 13): mistakes get a clear, early answer."""

from __future__ import annotations

import pytest

from iotfake import FakeCloud


@pytest.mark.parametrize(
    ("rule", "where", "hint"),
    [
        ({"provider": "enos", "operation": "CreateDevice", "match": {"orgid": "o1"}}, "match.orgid", "orgId"),
        (
            {"provider": "aws", "operation": "CreateThing", "match": {"thingname": "t"}},
            "match.thingname",
            "thingName",
        ),
        (
            {"provider": "aws", "operation": "DescribeThing", "match": {"thingTypeName": "t"}},
            "match.thingTypeName",
            "",
        ),
        ({"provider": "scriptr", "operation": "device.create", "match": {"ids": "d1"}}, "match.ids", "id"),
        ({"provider": "*", "match": {"orgid": "o1"}}, "match.orgid", "orgId"),
    ],
)
def test_a_match_key_no_call_carries_is_refused_with_a_did_you_mean(
    rule: dict, where: str, hint: str
) -> None:
    from iotfake.documents import DocumentError

    cloud = FakeCloud()
    with pytest.raises(DocumentError, match="did you mean" if hint else "known") as raised:
        cloud.faults.add_rule({**rule, "action": {"drop": True}}, "faults[0]")
    assert f"faults[0].{where}" in str(raised.value)
    assert hint in str(raised.value)


@pytest.mark.parametrize(
    ("provider", "operation", "match"),
    [
        ("enos", "CreateDevice", {"orgId": "o1", "productKey": "p", "tenant": "o1"}),
        ("enos", "GetToken", {"appKey": "k"}),
        ("aws", "RegisterThing", {"parameters.ThingName": "t", "account": "1", "region": "us-east-1"}),
        ("aws", "ListThings", {"thingTypeName": "t", "attributeName": "a"}),
        ("aws", "*", {"thingName": "meter-13"}),
        ("scriptr", "device.*", {"id": "d1", "account": "a"}),
    ],
)
def test_the_fields_calls_carry_are_accepted(provider: str, operation: str, match: dict) -> None:
    FakeCloud().faults.add(provider=provider, operation=operation, match=match, drop=True)


@pytest.mark.parametrize(
    ("provider", "operation", "suggested", "hidden"),
    [
        ("enos", "CreateDevise", "did you mean CreateDevice", "UnknownAction"),
        ("scriptr", "device.craete", "did you mean device.create", "device.unknown"),
    ],
)
def test_operation_typos_get_a_did_you_mean_without_internal_names(
    provider: str, operation: str, suggested: str, hidden: str
) -> None:
    from iotfake.documents import DocumentError

    with pytest.raises(DocumentError, match=suggested) as raised:
        FakeCloud().faults.add(provider=provider, operation=operation, drop=True)
    assert hidden not in str(raised.value)
