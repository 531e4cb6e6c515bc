"""ListThings: every filter, real nextToken pagination, maxResults bounds."""

from __future__ import annotations

import base64

import pytest
import requests
from aws_helpers import SIGNED, conforms


def names(answer: dict) -> list[str]:
    return [t["thingName"] for t in answer["things"]]


@pytest.fixture
def fleet(iot):
    iot.create_thing_type(thingTypeName="meter")
    iot.create_thing(
        thingName="m1", thingTypeName="meter", attributePayload={"attributes": {"site": "berlin-1"}}
    )
    iot.create_thing(
        thingName="m2", thingTypeName="meter", attributePayload={"attributes": {"site": "berlin-2"}}
    )
    iot.create_thing(thingName="s1", attributePayload={"attributes": {"site": "berlin-1", "kind": "sensor"}})
    iot.create_thing(thingName="s2", attributePayload={"attributes": {"site": "paris"}})
    return iot


def test_lists_every_thing_with_its_summary(fleet) -> None:
    answer = conforms("ListThings", fleet.list_things())
    assert names(answer) == ["m1", "m2", "s1", "s2"]
    assert answer["things"][0] == {
        "thingName": "m1",
        "thingTypeName": "meter",
        "thingArn": "arn:aws:iot:us-east-1:123456789012:thing/m1",
        "attributes": {"site": "berlin-1"},
        "version": 1,
    }
    assert "thingTypeName" not in answer["things"][2]
    assert "nextToken" not in answer


def test_filters_by_thing_type(fleet) -> None:
    assert names(fleet.list_things(thingTypeName="meter")) == ["m1", "m2"]
    assert names(fleet.list_things(thingTypeName="unknown")) == []


def test_filters_by_attribute_value_exact_and_prefix(fleet) -> None:
    assert names(fleet.list_things(attributeName="site", attributeValue="berlin-1")) == ["m1", "s1"]
    assert names(fleet.list_things(attributeName="site", attributeValue="berlin")) == []
    prefixed = fleet.list_things(attributeName="site", attributeValue="berlin", usePrefixAttributeValue=True)
    assert names(prefixed) == ["m1", "m2", "s1"]
    assert names(fleet.list_things(attributeName="kind")) == ["s1"]


def test_filters_combine(fleet) -> None:
    both = fleet.list_things(
        thingTypeName="meter", attributeName="site", attributeValue="berlin-1", usePrefixAttributeValue=False
    )
    assert names(both) == ["m1"]


def test_attribute_value_needs_an_attribute_name(fleet) -> None:
    with pytest.raises(fleet.exceptions.InvalidRequestException):
        fleet.list_things(attributeValue="berlin-1")


def test_pages_follow_next_token_and_the_paginator(iot) -> None:
    for i in range(7):
        iot.create_thing(thingName=f"t{i}")
    first = iot.list_things(maxResults=3)
    assert names(first) == ["t0", "t1", "t2"]
    second = iot.list_things(maxResults=3, nextToken=first["nextToken"])
    assert names(second) == ["t3", "t4", "t5"]
    third = iot.list_things(maxResults=3, nextToken=second["nextToken"])
    assert names(third) == ["t6"] and "nextToken" not in third
    pages = list(iot.get_paginator("list_things").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["things"]) for p in pages] == [2, 2, 2, 1]
    assert [t["thingName"] for p in pages for t in p["things"]] == [f"t{i}" for i in range(7)]


def test_a_token_stays_valid_across_deletions(iot) -> None:
    for i in range(4):
        iot.create_thing(thingName=f"t{i}")
    first = iot.list_things(maxResults=2)
    iot.delete_thing(thingName="t1")
    iot.delete_thing(thingName="t2")
    assert names(iot.list_things(maxResults=2, nextToken=first["nextToken"])) == ["t3"]


def test_a_forged_token_is_an_invalid_request(iot) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.list_things(nextToken="not-a-token")
    assert caught.value.response["Error"]["Message"] == "The nextToken is invalid: not-a-token"


@pytest.mark.parametrize(
    ("size", "bound"), [(0, "greater than or equal to 1"), (251, "less than or equal to 250")]
)
def test_max_results_is_between_1_and_250(aws_server, iot, size: int, bound: str) -> None:
    answer = requests.get(f"{aws_server.url}/things?maxResults={size}", headers=SIGNED, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["message"] == (
        f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: "
        f"Member must have value {bound}"
    )
    if size == 251:
        with pytest.raises(iot.exceptions.InvalidRequestException):
            iot.list_things(maxResults=size)
    assert len(iot.list_things(maxResults=250)["things"]) == 0


def _pages(iot, size: int, **filters) -> list[tuple[list[str], str | None]]:
    out, token = [], None
    while True:
        answer = iot.list_things(maxResults=size, **filters, **({"nextToken": token} if token else {}))
        token = answer.get("nextToken")
        out.append((names(answer), token))
        if token is None:
            return out


def _passes(found: str, value: str, prefix: bool) -> bool:
    return found.startswith(value) if prefix else found == value


def test_a_filter_few_things_pass_pages_its_own_selection_with_the_same_pages_and_tokens(
    iot, monkeypatch
) -> None:
    """Past a few hundred names looked up for one page, the attribute filter's passing names are
    selected at once and paged instead: the pages and tokens are those of the plain scan."""
    from iotfake.providers.aws_iot import paging

    for kind in ("t1", "t2"):
        iot.create_thing_type(thingTypeName=kind)
    sites = ["a", "ab", "b", None]
    expected: dict[str, tuple[str | None, dict[str, str]]] = {}
    for i in range(30):
        kind = [None, "t1", "t2"][i % 3]
        attributes = {k: v for k, v in (("site", sites[i % 4]), ("kind", "x" if i % 5 == 0 else None)) if v}
        name = f"thing-{(i * 7) % 30:02}"
        iot.create_thing(
            thingName=name,
            attributePayload={"attributes": attributes},
            **({"thingTypeName": kind} if kind else {}),
        )
        expected[name] = (kind, attributes)
    for kind in (None, "t1", "t2"):
        for attribute, value, prefix in [
            ("site", None, False),
            ("site", "a", False),
            ("site", "a", True),
            ("site", "ab", True),
            ("site", "b", False),
            ("kind", "x", False),
            ("nothing", None, False),
        ]:
            filters: dict = {"attributeName": attribute, **({"thingTypeName": kind} if kind else {})}
            if value is not None:
                filters |= {"attributeValue": value, "usePrefixAttributeValue": prefix}
            passing = sorted(
                name
                for name, (k, attrs) in expected.items()
                if (kind is None or k == kind)
                and attribute in attrs
                and (value is None or _passes(attrs[attribute], value, prefix))
            )
            for size in (1, 3, 25):
                with monkeypatch.context() as scanning:
                    scanning.setattr(paging, "budget_for", lambda names, read: 10**9)
                    scanned = _pages(iot, size, **filters)
                monkeypatch.setattr(paging, "NARROW_AFTER", 2)
                narrowed = _pages(iot, size, **filters)
                assert narrowed == scanned, filters
                assert [name for page, _ in narrowed for name in page] == passing, filters
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.list_things(attributeName="site", nextToken="forged")


def test_a_forged_token_is_refused_after_a_filter_selected_nothing(iot, monkeypatch) -> None:
    from iotfake.providers.aws_iot import paging

    monkeypatch.setattr(paging, "NARROW_AFTER", 2)
    for i in range(5):
        iot.create_thing(thingName=f"t{i}")
    assert iot.list_things(attributeName="nobody-has-it")["things"] == []  # selects nothing, kept
    forged = base64.b64encode(b"[5]").decode()
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.list_things(attributeName="nobody-has-it", nextToken=forged)


def test_a_filter_selects_once_its_pages_would_have_read_the_fleet(aws_cloud, iot) -> None:
    """A filter a tenth of the things pass looks up about ten names a thing it answers. Its
    pages look names up until, together, they have read as many as the fleet holds; the next
    one selects, and the pages after it read only themselves. A device's write starts over."""
    from iotfake.registry.selections import kept

    for i in range(200):
        iot.create_thing(thingName=f"t{i:03}", attributePayload={"attributes": {"site": f"s{i % 10}"}})
    tenant = aws_cloud.providers["aws"].account("123456789012", "us-east-1")
    spec = ("ListThings", None, "site", "s3", False)

    def listed() -> tuple:
        page = iot.list_things(attributeName="site", attributeValue="s3", maxResults=5)
        return [t["thingName"] for t in page["things"]], page["nextToken"]

    first = [listed() for _ in range(3)]
    assert kept(tenant, spec, records=True) is None  # three pages of 54 names: not yet
    assert all(page == first[0] for page in first)
    assert listed() == first[0]
    assert kept(tenant, spec, records=True) == [f"t{i:03}" for i in range(3, 200, 10)]
    assert listed() == first[0]
    iot.update_thing(thingName="t013", attributePayload={"attributes": {"site": "s4"}})
    assert listed()[0] == ["t003", "t023", "t033", "t043", "t053"]
    assert kept(tenant, spec, records=True) is None
