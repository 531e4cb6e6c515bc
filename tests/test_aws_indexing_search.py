"""SearchIndex through boto3: every field the guide's example queries use, the answer's shape as
the indexing configuration says, paging, and the errors."""

from __future__ import annotations

import json

import pytest
from aws_helpers import conforms

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture
def tenant(aws_cloud, iot):
    return aws_cloud.providers["aws"].account(ACCOUNT, REGION)


def enable(iot, mode: str = "REGISTRY_AND_SHADOW", **extra) -> None:
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": mode, **extra})


def names(iot, query: str, **kwargs) -> list[str]:
    answer = conforms("SearchIndex", iot.search_index(queryString=query, **kwargs))
    return [thing["thingName"] for thing in answer["things"]]


def shadow(desired=None, reported=None, version: int = 1) -> dict:
    state = {}
    if desired is not None:
        state["desired"] = desired
    if reported is not None:
        state["reported"] = reported
    return {"state": state, "metadata": {}, "version": version, "timestamp": 1700000000}


@pytest.fixture
def fleet(iot, tenant):
    """tv-1 (legacy, in g1 and billing group b1, classic shadow with a delta), tv-plasma (in g2),
    radio (typed, named shadow 'config')."""
    enable(iot)
    iot.create_thing_type(thingTypeName="receiver")
    iot.create_thing_group(thingGroupName="g1")
    iot.create_thing_group(thingGroupName="g2")
    iot.create_thing(thingName="tv-1", attributePayload={"attributes": {"num": "15", "model": "legacy"}})
    iot.create_thing(
        thingName="tv-plasma", attributePayload={"attributes": {"num": "25.0", "serial": "abce"}}
    )
    iot.create_thing(
        thingName="radio", thingTypeName="receiver", attributePayload={"attributes": {"num": "75"}}
    )
    iot.add_thing_to_thing_group(thingGroupName="g1", thingName="tv-1")
    iot.add_thing_to_thing_group(thingGroupName="g2", thingName="tv-plasma")
    iot.create_billing_group(billingGroupName="b1")
    iot.add_thing_to_billing_group(billingGroupName="b1", thingName="tv-1")
    shadows = tenant.table("shadows")
    shadows["tv-1"] = {
        "": shadow(
            desired={"power": "on"},
            reported={
                "power": "off",
                "stats": {"battery": 78},
                "myvalues": [1, 2, 3],
                "location": "new york",
            },
            version=10,
        )
    }
    shadows["tv-plasma"] = {"": shadow(reported={"power": "on", "stats": {"battery": 40}, "ok": True})}
    shadows["radio"] = {"config": shadow(desired={"volume": 3}, reported={"volume": 3})}
    return iot


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("*", ["radio", "tv-1", "tv-plasma"]),
        ("thingName:tv-1", ["tv-1"]),
        ("thingName:TV-1", ["tv-1"]),  # search is case insensitive
        ("thingName:tv*", ["tv-1", "tv-plasma"]),
        ("thingName:tv-?", ["tv-1"]),
        ("thingName:*plasma", ["tv-plasma"]),
        ("thingName:*dio*", ["radio"]),
        ("thingTypeName:receiver", ["radio"]),
        ("thingGroupNames:g1", ["tv-1"]),
        ("thingGroupNames:g*", ["tv-1", "tv-plasma"]),
        ("thingGroupNames:b1", ["tv-1"]),  # a billing group matches too
        ("attributes.num:75", ["radio"]),
        ("attributes.num:25", ["tv-plasma"]),  # numbers match by value
        ("attributes.num:[15 TO 25]", ["tv-1", "tv-plasma"]),
        ("attributes.num:{15 TO 25]", ["tv-plasma"]),
        ("attributes.num:[15 TO 25}", ["tv-1"]),
        ("attributes.num:[* TO 20]", ["tv-1"]),
        ("attributes.num>25", ["radio"]),
        ("attributes.num >= 25", ["radio", "tv-plasma"]),
        ("attributes.num<25", ["tv-1"]),
        ("attributes.num<=25", ["tv-1", "tv-plasma"]),
        ('attributes.serial:["abcd" TO "abcf"]', ["tv-plasma"]),
        ("attributes.model:l*y", ["tv-1"]),
        ("attributes.model:*", ["tv-1"]),
        ("NOT attributes.model:legacy", ["radio", "tv-plasma"]),
        ("-attributes.model:legacy", ["radio", "tv-plasma"]),
        ("thingName:(tv* AND -tv-plasma)", ["tv-1"]),
        ("thingName:(radio OR tv-1)", ["radio", "tv-1"]),
        ("attributes.num:15 OR attributes.num:75", ["radio", "tv-1"]),
        ("thingName:tv* attributes.num>20", ["tv-plasma"]),  # AND is the default operator
        ("thingName:tv* NOT attributes.num>20", ["tv-1"]),
        ("(thingName:radio OR thingName:tv-1) AND NOT thingGroupNames:g1", ["radio"]),
        ("shadow.hasDelta:true", ["tv-1"]),
        ("shadow.hasDelta:false", ["tv-plasma"]),
        ("shadow.reported.stats.battery:{70 TO 100}", ["tv-1"]),
        ("shadow.reported.stats.battery<50", ["tv-plasma"]),
        ("shadow.reported.myvalues:2", ["tv-1"]),
        ("shadow.reported.location:*", ["tv-1"]),
        ("shadow.reported.stats:*", ["tv-1", "tv-plasma"]),  # an object field exists
        ("shadow.reported.location:york", ["tv-1"]),  # words are split at white space
        ('shadow.reported.location:"new york"', ["tv-1"]),
        ('shadow.reported.location:"york new"', []),
        ("shadow.reported.ok:true", ["tv-plasma"]),
        ("shadow.desired.power:on", ["tv-1"]),
        ("shadow.delta.power:on", ["tv-1"]),
        ("shadow.reported.location:* NOT shadow.desired.stats.battery:*", ["tv-1"]),
        ("shadow.version:10", []),  # versions are not searchable (the guide)
        ("legacy", ["tv-1"]),  # free text: every registry and shadow field
        ("york", ["tv-1"]),
        ("receiver", ["radio"]),
        ("nothing-like-it", []),
        ("thingName:tv\\-1", ["tv-1"]),  # an escaped character is literal
        ('thingName:"tv-1"', ["tv-1"]),
        ("thingType:xyz", []),  # a field no thing has matches nothing
        ("shadow.name.config.reported.volume:3", []),  # named shadows are not indexed
    ],
)
def test_queries(fleet, query, expected) -> None:
    assert names(fleet, query) == expected


def test_named_shadows_are_indexed_when_named_in_the_filter(fleet) -> None:
    enable(fleet, namedShadowIndexingMode="ON", filter={"namedShadowNames": ["config"]})
    assert names(fleet, "shadow.name.config.reported.volume:3") == ["radio"]
    assert names(fleet, "shadow.name.config.hasDelta:false") == ["radio"]
    assert names(fleet, "shadow.hasDelta:true") == ["tv-1"]
    thing = fleet.search_index(queryString="thingName:radio")["things"][0]
    assert json.loads(thing["shadow"]) == {
        "name": {
            "config": {
                "desired": {"volume": 3},
                "reported": {"volume": 3},
                "metadata": {},
                "hasDelta": False,
                "version": 1,
            }
        }
    }


def test_registry_mode_neither_searches_nor_returns_shadows(fleet) -> None:
    enable(fleet, "REGISTRY")
    assert names(fleet, "shadow.hasDelta:true") == []
    assert names(fleet, "york") == []
    thing = fleet.search_index(queryString="thingName:tv-1")["things"][0]
    assert "shadow" not in thing and "connectivity" not in thing


def test_the_thing_document_holds_what_the_index_holds(fleet) -> None:
    [thing] = conforms("SearchIndex", fleet.search_index(queryString="thingName:tv-1"))["things"]
    assert thing["thingName"] == "tv-1"
    assert thing["thingId"] == fleet.describe_thing(thingName="tv-1")["thingId"]
    assert thing["thingGroupNames"] == ["g1", "b1"]  # "Thing group and billing group names"
    assert thing["attributes"] == {"num": "15", "model": "legacy"}
    assert "thingTypeName" not in thing and "connectivity" not in thing
    assert json.loads(thing["shadow"]) == {
        "desired": {"power": "on"},
        "reported": {"power": "off", "stats": {"battery": 78}, "myvalues": [1, 2, 3], "location": "new york"},
        "delta": {"power": "on"},
        "metadata": {},
        "hasDelta": True,
        "version": 10,
    }
    [radio] = fleet.search_index(queryString="thingName:radio")["things"]
    assert radio["thingTypeName"] == "receiver"
    assert "shadow" not in radio  # its only shadow is a named one, not indexed
    assert "thingGroupNames" not in radio


def test_connectivity_status(fleet, tenant) -> None:
    enable(fleet, "REGISTRY", thingConnectivityIndexingMode="STATUS")
    device = tenant.keys["radio"]
    tenant.replace_extra(device, {"connectivity": {"connected": True, "timestamp": 1557651700000}})
    assert names(fleet, "connectivity.connected:true") == ["radio"]
    assert names(fleet, "connectivity.connected:false") == ["tv-1", "tv-plasma"]
    assert names(
        fleet, "connectivity.connected:true AND connectivity.timestamp : [1557651600000 TO 1557867600000]"
    ) == ["radio"]
    assert names(fleet, "connectivity.timestamp > 1557651700000") == []
    assert names(fleet, "connectivity.connected:*") == ["radio", "tv-1", "tv-plasma"]
    answer = {t["thingName"]: t for t in fleet.search_index(queryString="*")["things"]}
    assert answer["radio"]["connectivity"] == {"connected": True, "timestamp": 1557651700000}
    assert answer["tv-1"]["connectivity"] == {"connected": False}
    assert names(fleet, "true") == []  # free text leaves connectivity out


def test_paging_with_next_token(iot) -> None:
    enable(iot, "REGISTRY")
    for i in range(7):
        iot.create_thing(thingName=f"t{i}")
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"nextToken": token} if token else {}
        answer = conforms("SearchIndex", iot.search_index(queryString="thingName:t*", maxResults=3, **kwargs))
        seen += [t["thingName"] for t in answer["things"]]
        pages += 1
        token = answer.get("nextToken")
        if not token:
            break
    assert seen == [f"t{i}" for i in range(7)] and pages == 3
    # an exact page leaves no token behind
    assert "nextToken" not in iot.search_index(queryString="*", maxResults=7)


def test_paging_limits_and_bad_tokens(iot) -> None:
    enable(iot, "REGISTRY")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.search_index(queryString="*", maxResults=101)
    assert "cannot exceed 100" in caught.value.response["Error"]["Message"]
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.search_index(queryString="*", nextToken="not-a-token")
    assert "nextToken" in caught.value.response["Error"]["Message"]


def test_searching_a_disabled_or_unknown_index(iot) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.search_index(queryString="thingName:x")
    error = caught.value.response
    assert error["Error"]["Message"] == "Index AWS_Things does not exist"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    enable(iot, "REGISTRY")
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.search_index(indexName="AWS_ThingGroups", queryString="*")
    assert caught.value.response["Error"]["Message"] == "Index AWS_ThingGroups does not exist"
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.search_index(indexName="Other", queryString="*")


def test_a_malformed_query_is_an_invalid_query_exception(iot) -> None:
    enable(iot, "REGISTRY")
    with pytest.raises(iot.exceptions.InvalidQueryException) as caught:
        iot.search_index(queryString="thingName:(a OR b")
    error = caught.value.response
    assert error["Error"]["Message"] == "Missing ')' for the '(' at position 11"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_the_thing_groups_index(iot) -> None:
    iot.update_indexing_configuration(thingGroupIndexingConfiguration={"thingGroupIndexingMode": "ON"})
    iot.create_thing_group(
        thingGroupName="berlin",
        thingGroupProperties={
            "thingGroupDescription": "city",
            "attributePayload": {"attributes": {"floors": "12"}},
        },
    )
    iot.create_thing_group(thingGroupName="mitte", parentGroupName="berlin")
    answer = conforms(
        "SearchIndex", iot.search_index(indexName="AWS_ThingGroups", queryString="parentGroupNames:berlin")
    )
    assert [g["thingGroupName"] for g in answer["thingGroups"]] == ["mitte"]
    assert answer["thingGroups"][0]["parentGroupNames"] == ["berlin"]
    [berlin] = iot.search_index(indexName="AWS_ThingGroups", queryString="attributes.floors>10")[
        "thingGroups"
    ]
    assert berlin["thingGroupDescription"] == "city" and berlin["attributes"] == {"floors": "12"}
    assert "things" not in iot.search_index(indexName="AWS_ThingGroups", queryString="*")


def test_search_sees_changes_at_once(iot) -> None:
    enable(iot, "REGISTRY")
    iot.create_thing(thingName="a", attributePayload={"attributes": {"v": "1"}})
    assert names(iot, "attributes.v:1") == ["a"]
    iot.update_thing(thingName="a", attributePayload={"attributes": {"v": "2"}})
    assert names(iot, "attributes.v:1") == []
    iot.delete_thing(thingName="a")
    assert names(iot, "*") == []


def test_fault_rules_and_the_journal_see_searches(aws_cloud, iot) -> None:
    enable(iot, "REGISTRY")
    aws_cloud.faults.add(
        id="slow-index",
        provider="aws",
        operation="SearchIndex",
        match={"queryString": "thingName:a*"},
        error="IndexNotReadyException",
        times=1,
    )
    with pytest.raises(iot.exceptions.IndexNotReadyException):
        iot.search_index(queryString="thingName:a*")
    assert iot.search_index(queryString="thingName:a*")["things"] == []
    calls = aws_cloud.journal.calls(operation="SearchIndex", params={"queryString": "thingName:a*"})
    assert [call.rule for call in calls] == ["slow-index", None]


def test_a_billing_group_joined_through_the_api_is_in_thing_group_names(iot) -> None:
    """The guide: "thingGroupNames:a Queries for things with a parent thing group or billing group
    name a", and the model's ThingDocument: "Thing group and billing group names". The index read
    the billing group from where v1 kept it; one joined through AddThingToBillingGroup (or
    CreateThing's billingGroupName) was neither searched nor answered."""
    enable(iot, "REGISTRY")
    iot.create_billing_group(billingGroupName="bill")
    iot.create_thing_group(thingGroupName="g1")
    iot.create_thing(thingName="a")
    iot.create_thing(thingName="b", billingGroupName="bill")
    iot.create_thing(thingName="c")
    iot.add_thing_to_thing_group(thingGroupName="g1", thingName="a")
    iot.add_thing_to_billing_group(billingGroupName="bill", thingName="a")
    assert names(iot, "thingGroupNames:bill") == ["a", "b"]
    assert names(iot, "thingGroupNames:bi*") == ["a", "b"]
    assert names(iot, "thingGroupNames:g1 AND thingGroupNames:bill") == ["a"]
    answers = {t["thingName"]: t.get("thingGroupNames") for t in iot.search_index(queryString="*")["things"]}
    assert answers == {"a": ["g1", "bill"], "b": ["bill"], "c": None}
    cardinality = iot.get_cardinality(queryString="*", aggregationField="registry.thingGroupNames")
    assert cardinality["cardinality"] == 2
    iot.remove_thing_from_billing_group(billingGroupName="bill", thingName="a")
    assert names(iot, "thingGroupNames:bill") == ["b"]
