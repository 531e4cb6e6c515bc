"""Fleet indexing switched on by a fixtures document, so a seeded fake is searchable at once."""

from __future__ import annotations

import pytest

from iotfake import FakeCloud
from iotfake.documents import DocumentError


def account(**extra) -> dict:
    return {"aws": {"accounts": [{"things": [{"thingName": "m1", "attributes": {"serial": "7"}}], **extra}]}}


def test_a_seeded_indexing_configuration_serves_searches(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed(
        account(
            indexingConfiguration={
                "thingIndexingConfiguration": {"thingIndexingMode": "REGISTRY"},
                "thingGroupIndexingConfiguration": {"thingGroupIndexingMode": "ON"},
            }
        )
    )
    assert [t["thingName"] for t in iot.search_index(queryString="attributes.serial:7")["things"]] == ["m1"]
    assert iot.list_indices()["indexNames"] == ["AWS_Things", "AWS_ThingGroups"]


@pytest.mark.parametrize(
    ("configuration", "path", "message"),
    [
        ("REGISTRY", "aws.accounts[0].indexingConfiguration", "an object"),
        ({"things": {}}, "aws.accounts[0].indexingConfiguration.things", "unknown"),
        (
            {"thingIndexingConfiguration": {"thingIndexingMode": "ALL"}},
            "aws.accounts[0].indexingConfiguration.thingIndexingConfiguration.thingIndexingMode",
            "ALL",
        ),
        (
            {
                "thingIndexingConfiguration": {
                    "thingIndexingMode": "OFF",
                    "thingConnectivityIndexingMode": "STATUS",
                }
            },
            "aws.accounts[0].indexingConfiguration",
            "needs thing indexing",
        ),
    ],
)
def test_a_bad_configuration_names_its_path_and_loads_nothing(
    aws_cloud: FakeCloud, iot, configuration, path, message
):
    with pytest.raises(DocumentError) as caught:
        aws_cloud.seed(account(indexingConfiguration=configuration))
    assert caught.value.path == path
    assert message in str(caught.value)
    assert iot.list_things()["things"] == []
    assert iot.get_indexing_configuration()["thingIndexingConfiguration"] == {"thingIndexingMode": "OFF"}
