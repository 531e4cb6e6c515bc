"""Aggregation queries through boto3: GetStatistics, GetCardinality, GetPercentiles,
GetBucketsAggregation, their field rules and errors."""

from __future__ import annotations

import math

import pytest
from aws_helpers import conforms


@pytest.fixture
def fleet(iot):
    """Five things: num 10, 20, 30, 40 and one without; colors red, red, blue, Blue; a group."""
    iot.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY",
            "customFields": [
                {"name": "attributes.num", "type": "Number"},
                {"name": "attributes.color", "type": "String"},
                {"name": "attributes.on", "type": "Boolean"},
            ],
        }
    )
    iot.create_thing_group(thingGroupName="g")
    things = [
        ("t1", {"num": "10", "color": "red", "on": "true"}),
        ("t2", {"num": "20", "color": "red", "on": "false"}),
        ("t3", {"num": "30", "color": "blue", "on": "true"}),
        ("t4", {"num": "40", "color": "Blue"}),
        ("t5", {"num": "many"}),
    ]
    for name, attributes in things:
        iot.create_thing(thingName=name, attributePayload={"attributes": attributes})
    iot.add_thing_to_thing_group(thingGroupName="g", thingName="t1")
    iot.update_thing(thingName="t1", attributePayload={"attributes": {"num": "10"}, "merge": True})
    return iot


def test_statistics_of_a_number_field(fleet) -> None:
    stats = conforms(
        "GetStatistics", fleet.get_statistics(queryString="*", aggregationField="attributes.num")
    )["statistics"]
    assert stats["count"] == 4  # "many" does not fit a Number field and is left out
    assert (stats["sum"], stats["average"], stats["minimum"], stats["maximum"]) == (100, 25, 10, 40)
    assert stats["sumOfSquares"] == 3000
    assert stats["variance"] == 125
    assert math.isclose(stats["stdDeviation"], math.sqrt(125))
    narrowed = fleet.get_statistics(queryString="attributes.color:red", aggregationField="attributes.num")
    assert narrowed["statistics"]["sum"] == 30


def test_statistics_of_string_and_boolean_fields(fleet) -> None:
    strings = fleet.get_statistics(queryString="*", aggregationField="attributes.color")
    assert strings["statistics"] == {"count": 4}
    booleans = fleet.get_statistics(queryString="*", aggregationField="attributes.on")["statistics"]
    assert (booleans["count"], booleans["sum"], booleans["minimum"], booleans["maximum"]) == (3, 2, 0, 1)
    assert math.isclose(booleans["average"], 2 / 3)


def test_statistics_default_to_the_registry_version(fleet) -> None:
    stats = fleet.get_statistics(queryString="thingName:t1 OR thingName:t2")["statistics"]
    assert (stats["count"], stats["maximum"], stats["minimum"]) == (2, 2, 1)  # t1 was updated once


def test_statistics_of_nothing(fleet) -> None:
    answer = fleet.get_statistics(queryString="thingName:none*", aggregationField="attributes.num")
    assert answer["statistics"] == {"count": 0}


def test_cardinality(fleet) -> None:
    card = conforms(
        "GetCardinality", fleet.get_cardinality(queryString="*", aggregationField="attributes.color")
    )
    assert card["cardinality"] == 3  # red, blue, Blue
    assert fleet.get_cardinality(queryString="*", aggregationField="thingName")["cardinality"] == 5
    assert fleet.get_cardinality(queryString="none*", aggregationField="attributes.color")["cardinality"] == 0
    grouped = fleet.get_cardinality(queryString="*", aggregationField="registry.thingGroupNames")
    assert grouped["cardinality"] == 1


def test_percentiles(fleet) -> None:
    answer = conforms(
        "GetPercentiles",
        fleet.get_percentiles(queryString="*", aggregationField="attributes.num", percents=[0, 50, 100, 25]),
    )
    assert answer["percentiles"] == [
        {"percent": 0.0, "value": 10.0},
        {"percent": 50.0, "value": 25.0},
        {"percent": 100.0, "value": 40.0},
        {"percent": 25.0, "value": 17.5},
    ]
    default = fleet.get_percentiles(queryString="*", aggregationField="attributes.num")["percentiles"]
    assert [p["percent"] for p in default] == [1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0]
    none = fleet.get_percentiles(queryString="thingName:none*", aggregationField="attributes.num")
    assert none["percentiles"] == []


def test_buckets(fleet) -> None:
    answer = conforms(
        "GetBucketsAggregation",
        fleet.get_buckets_aggregation(
            queryString="*",
            aggregationField="attributes.color",
            bucketsAggregationType={"termsAggregation": {"maxBuckets": 2}},
        ),
    )
    assert answer["totalCount"] == 5
    assert answer["buckets"] == [{"keyValue": "red", "count": 2}, {"keyValue": "Blue", "count": 1}]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda iot: iot.get_statistics(queryString="*", aggregationField="attributes.model"),
            "attributes.model is neither a managed field of AWS_Things nor one of its customFields",
        ),
        (
            lambda iot: iot.get_percentiles(queryString="*", aggregationField="attributes.color"),
            "GetPercentiles needs a Number field; attributes.color is a String field",
        ),
        (lambda iot: iot.get_percentiles(queryString="*"), "An aggregationField is required"),
    ],
)
def test_fields_must_be_managed_or_custom_and_of_the_right_type(fleet, call, message) -> None:
    with pytest.raises(fleet.exceptions.InvalidAggregationException) as caught:
        call(fleet)
    assert message in caught.value.response["Error"]["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_bad_query_or_a_disabled_index(iot) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.get_statistics(queryString="*")
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    with pytest.raises(iot.exceptions.InvalidQueryException):
        iot.get_cardinality(queryString="(a", aggregationField="thingName")


def test_the_thing_groups_index_aggregates_too(iot) -> None:
    iot.update_indexing_configuration(thingGroupIndexingConfiguration={"thingGroupIndexingMode": "ON"})
    iot.create_thing_group(thingGroupName="root", thingGroupProperties={"thingGroupDescription": "top"})
    iot.create_thing_group(thingGroupName="leaf", parentGroupName="root")
    stats = iot.get_statistics(indexName="AWS_ThingGroups", queryString="*")["statistics"]
    assert (stats["count"], stats["sum"]) == (2, 2)  # two groups at version 1
    described = iot.get_cardinality(
        indexName="AWS_ThingGroups", queryString="*", aggregationField="description"
    )
    assert described["cardinality"] == 1


def test_shadow_versions_are_aggregated_though_not_searchable(aws_cloud, iot) -> None:
    iot.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY_AND_SHADOW",
            "namedShadowIndexingMode": "ON",
            "filter": {"namedShadowNames": ["cfg"]},
        }
    )
    for name in ("a", "b"):
        iot.create_thing(thingName=name)
    shadows = aws_cloud.providers["aws"].account("123456789012", "us-east-1").table("shadows")
    shadows["a"] = {"": {"state": {"reported": {"x": 1}}, "version": 3}, "cfg": {"state": {}, "version": 7}}
    shadows["b"] = {"": {"state": {"reported": {"x": 2}}, "version": 5}}
    stats = iot.get_statistics(queryString="*", aggregationField="shadow.version")["statistics"]
    assert (stats["count"], stats["sum"]) == (2, 8)
    named = iot.get_statistics(queryString="*", aggregationField="shadow.name.cfg.version")["statistics"]
    assert (named["count"], named["sum"]) == (1, 7)
    assert iot.search_index(queryString="shadow.version:3")["things"] == []


def test_an_aggregation_reads_the_things_in_the_order_they_were_made(iot) -> None:
    """Equal values of either sign (0 and -0) tie: the first made is the one reported, whatever
    the names' order and however the query names the things."""
    import math

    iot.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY",
            "customFields": [{"name": "attributes.v", "type": "Number"}],
        }
    )
    iot.create_thing(thingName="b", attributePayload={"attributes": {"v": "0"}})
    iot.create_thing(thingName="a", attributePayload={"attributes": {"v": "-0"}})
    for query in ("*", "thingName:*", "thingName:a OR thingName:b", "thingName:?"):
        stats = iot.get_statistics(queryString=query, aggregationField="attributes.v")["statistics"]
        assert math.copysign(1, stats["minimum"]) == 1 and math.copysign(1, stats["maximum"]) == 1, query


def test_statistics_past_a_float_s_range_answer_instead_of_failing(iot) -> None:
    """Two values of 1e308 overflowed ``fsum``, and 1e200's square overflowed ``**``: each a
    500. Sums that fit are exact; what does not fit is an infinity, shown as null (so boto3
    leaves it out), and the rest of the answer stands."""
    iot.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY",
            "customFields": [{"name": "attributes.v", "type": "Number"}],
        }
    )
    for name, value in (("a", "1e200"), ("b", "-1e200"), ("c", "1e308"), ("d", "1e308")):
        iot.create_thing(thingName=name, attributePayload={"attributes": {"v": value}})
    spread = iot.get_statistics(queryString="thingName:a OR thingName:b", aggregationField="attributes.v")
    stats = spread["statistics"]
    assert (stats["count"], stats["sum"], stats["minimum"], stats["maximum"]) == (2, 0, -1e200, 1e200)
    assert "variance" not in stats and "sumOfSquares" not in stats  # infinite: null on the wire
    huge = iot.get_statistics(queryString="thingName:c OR thingName:d", aggregationField="attributes.v")
    assert huge["statistics"]["count"] == 2 and huge["statistics"]["maximum"] == 1e308
    assert "sum" not in huge["statistics"]


def test_a_shadow_integer_past_a_float_s_range_is_searched_as_an_infinity(iot, aws_cloud) -> None:
    """A 400-digit integer in a shadow made every search of the field answer 500 for the whole
    account (``float`` of it raised OverflowError); it now compares as an infinity would."""
    from aws_helpers import in_process

    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY_AND_SHADOW"})
    data = in_process(aws_cloud, "iot-data")
    for name, x in (("big", "9" * 400), ("small", "3"), ("negative", "-" + "9" * 400)):
        iot.create_thing(thingName=name)
        data.update_thing_shadow(thingName=name, payload=f'{{"state": {{"reported": {{"x": {x}}}}}}}')
    found = iot.search_index(queryString="shadow.reported.x>5")["things"]
    assert [t["thingName"] for t in found] == ["big"]
    found = iot.search_index(queryString="shadow.reported.x<5")["things"]
    assert sorted(t["thingName"] for t in found) == ["negative", "small"]
