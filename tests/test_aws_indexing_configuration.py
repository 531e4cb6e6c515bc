"""Fleet indexing configuration: AWS's default (OFF), updates and their rules, DescribeIndex,
ListIndices, driven through boto3."""

from __future__ import annotations

import pytest
from aws_helpers import conforms

REGISTRY_MANAGED = [
    {"name": "thingName", "type": "String"},
    {"name": "thingId", "type": "String"},
    {"name": "registry.version", "type": "Number"},
    {"name": "registry.thingTypeName", "type": "String"},
    {"name": "registry.thingGroupNames", "type": "String"},
]


def body(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def test_a_new_account_has_both_indexes_off(iot) -> None:
    answer = conforms("GetIndexingConfiguration", iot.get_indexing_configuration())
    assert body(answer) == {
        "thingIndexingConfiguration": {"thingIndexingMode": "OFF"},
        "thingGroupIndexingConfiguration": {"thingGroupIndexingMode": "OFF"},
    }
    assert iot.list_indices()["indexNames"] == []
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.describe_index(indexName="AWS_Things")
    assert caught.value.response["Error"]["Message"] == "Index AWS_Things does not exist"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_registry_mode_reports_the_registry_managed_fields(iot) -> None:
    assert (
        body(iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"}))
        == {}
    )
    answer = conforms("GetIndexingConfiguration", iot.get_indexing_configuration())
    assert answer["thingIndexingConfiguration"] == {
        "thingIndexingMode": "REGISTRY",
        "managedFields": REGISTRY_MANAGED,
    }
    assert answer["thingGroupIndexingConfiguration"] == {"thingGroupIndexingMode": "OFF"}
    described = conforms("DescribeIndex", iot.describe_index(indexName="AWS_Things"))
    assert (described["indexName"], described["indexStatus"], described["schema"]) == (
        "AWS_Things",
        "ACTIVE",
        "REGISTRY",
    )
    assert iot.list_indices()["indexNames"] == ["AWS_Things"]


def test_shadow_connectivity_named_shadows_and_custom_fields_are_kept(iot) -> None:
    config = {
        "thingIndexingMode": "REGISTRY_AND_SHADOW",
        "thingConnectivityIndexingMode": "STATUS",
        "namedShadowIndexingMode": "ON",
        "customFields": [
            {"name": "attributes.version", "type": "Number"},
            {"name": "shadow.desired.power", "type": "Boolean"},
        ],
        "filter": {"namedShadowNames": ["config", "$package"]},
    }
    iot.update_indexing_configuration(thingIndexingConfiguration=config)
    got = conforms("GetIndexingConfiguration", iot.get_indexing_configuration())["thingIndexingConfiguration"]
    managed = {f["name"] for f in got.pop("managedFields")}
    assert got == config
    assert {
        "shadow.version",
        "shadow.hasDelta",
        "connectivity.connected",
        "connectivity.timestamp",
    } <= managed
    assert {f["name"] for f in REGISTRY_MANAGED} <= managed
    assert iot.describe_index(indexName="AWS_Things")["schema"] == "MULTI_INDEXING_MODE"


def test_schema_names_shadow_and_connectivity(iot) -> None:
    iot.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY",
            "thingConnectivityIndexingMode": "STATUS",
        }
    )
    assert iot.describe_index(indexName="AWS_Things")["schema"] == "REGISTRY_AND_CONNECTIVITY_STATUS"
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY_AND_SHADOW"})
    assert iot.describe_index(indexName="AWS_Things")["schema"] == "REGISTRY_AND_SHADOW"


def test_the_group_index_is_configured_apart_and_managed_fields_sent_are_ignored(iot) -> None:
    iot.update_indexing_configuration(
        thingGroupIndexingConfiguration={
            "thingGroupIndexingMode": "ON",
            "managedFields": [{"name": "made-up", "type": "String"}],
        }
    )
    got = iot.get_indexing_configuration()
    assert got["thingIndexingConfiguration"] == {"thingIndexingMode": "OFF"}
    groups = got["thingGroupIndexingConfiguration"]
    assert groups["thingGroupIndexingMode"] == "ON"
    assert {f["name"] for f in groups["managedFields"]} == {
        "description",
        "parentGroupNames",
        "thingGroupId",
        "thingGroupName",
        "version",
    }
    assert iot.list_indices()["indexNames"] == ["AWS_ThingGroups"]
    assert iot.describe_index(indexName="AWS_ThingGroups")["schema"] == "REGISTRY"
    # updating the things index leaves the groups index as it is
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    assert iot.list_indices()["indexNames"] == ["AWS_Things", "AWS_ThingGroups"]


def test_turning_indexing_off_deletes_the_index(iot) -> None:
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "OFF"})
    assert iot.get_indexing_configuration()["thingIndexingConfiguration"] == {"thingIndexingMode": "OFF"}
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.search_index(queryString="*")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"thingIndexingMode": "OFF", "thingConnectivityIndexingMode": "STATUS"},
            "thingConnectivityIndexingMode STATUS needs thing indexing",
        ),
        (
            {"thingIndexingMode": "OFF", "namedShadowIndexingMode": "ON"},
            "namedShadowIndexingMode ON needs thing indexing",
        ),
        (
            {"thingIndexingMode": "OFF", "deviceDefenderIndexingMode": "VIOLATIONS"},
            "deviceDefenderIndexingMode VIOLATIONS needs thing indexing",
        ),
        (
            {
                "thingIndexingMode": "REGISTRY",
                "namedShadowIndexingMode": "ON",
                "filter": {"namedShadowNames": [f"s{i}" for i in range(11)]},
            },
            "The filter names 11 named shadows; at most 10 can be indexed",
        ),
        (
            {
                "thingIndexingMode": "REGISTRY",
                "customFields": [{"name": "shadow.desired.power", "type": "Boolean"}],
            },
            "Custom field shadow.desired.power is a shadow field, "
            "but thingIndexingMode is not REGISTRY_AND_SHADOW",
        ),
        (
            {
                "thingIndexingMode": "REGISTRY",
                "customFields": [{"name": "shadow.name.x.reported.a", "type": "Number"}],
            },
            "Custom field shadow.name.x.reported.a is a named shadow field, "
            "but namedShadowIndexingMode is not ON",
        ),
        (
            {"thingIndexingMode": "REGISTRY", "customFields": [{"name": "thingName", "type": "String"}]},
            "thingName is a managed field and cannot be a custom field",
        ),
        (
            {"thingIndexingMode": "REGISTRY", "customFields": [{"name": "attributes.a"}]},
            "thingIndexingConfiguration.customFields[0] needs both a name and a type",
        ),
        (
            {
                "thingIndexingMode": "REGISTRY",
                "customFields": [
                    {"name": "attributes.a", "type": "Number"},
                    {"name": "attributes.a", "type": "String"},
                ],
            },
            "Custom field attributes.a is given twice",
        ),
    ],
)
def test_invalid_configurations_are_refused_and_change_nothing(iot, config, message) -> None:
    before = body(iot.get_indexing_configuration())
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.update_indexing_configuration(thingIndexingConfiguration=config)
    assert message in caught.value.response["Error"]["Message"]
    assert body(iot.get_indexing_configuration()) == before


def test_the_model_rules_apply_to_modes(iot) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "EVERYTHING"})
    assert "thingIndexingMode" in caught.value.response["Error"]["Message"]


def test_the_configuration_survives_a_snapshot(aws_cloud, iot) -> None:
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    state = aws_cloud.snapshot()
    aws_cloud.reset()
    assert iot.get_indexing_configuration()["thingIndexingConfiguration"] == {"thingIndexingMode": "OFF"}
    aws_cloud.restore(state)
    assert iot.get_indexing_configuration()["thingIndexingConfiguration"]["thingIndexingMode"] == "REGISTRY"


def test_an_unknown_index_does_not_exist(iot) -> None:
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.describe_index(indexName="My_Index")
    assert caught.value.response["Error"]["Message"] == "Index My_Index does not exist"
