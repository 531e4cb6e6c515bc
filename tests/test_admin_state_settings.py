"""PUT /_iotfake/state (and ``restore``, and ``--state`` at start) checks an AWS account's
settings as it checks records: 400 naming the setting, no change. Each of these was accepted and
then failed every call that read it with a 500 (GetIndexingConfiguration, DescribeEndpoint,
CreateKeysAndCertificate, ListCertificates, DeleteThingType)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from aws_helpers import in_process
from werkzeug.test import Client

from iotfake import FakeCloud

STATE = "/_iotfake/state"


def busy() -> FakeCloud:
    cloud = FakeCloud(seed=9)
    iot = in_process(cloud)
    iot.create_thing(thingName="t1")
    iot.create_keys_and_certificate(setAsActive=True)  # the account's CA
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
    return cloud


def settings(snapshot: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in snapshot["registry"]["tenants"] if t["provider"] == "aws")["settings"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("accountId", ["123456789012"]),
        ("region", {}),
        ("indexingConfiguration", {"thingIndexingConfiguration": [1]}),
        ("indexingConfiguration", {"thingIndexingConfiguration": {"thingIndexingMode": "REGISTRY"}}),
        ("indexingConfiguration", {"thingIndexingConfiguration": {"thingIndexingMode": "SOMETIMES"},
                                   "thingGroupIndexingConfiguration": {"thingGroupIndexingMode": "OFF"}}),
        ("ca", "not a CA"),
        ("ca", {"key": "k", "cert": "c"}),
        ("incomingTransfers", 5),
        ("thingTypeDeletionWaitSeconds", "soon"),
        ("keyAlgorithm", "ROT13"),
    ],
)  # fmt: skip
def test_a_bad_aws_setting_is_refused_naming_it(name: str, value: Any) -> None:
    cloud = busy()
    client = Client(cloud.wsgi_app)
    before = client.get(STATE).json
    broken = copy.deepcopy(before)
    settings(broken)[name] = value
    response = client.put(STATE, data=json.dumps(broken), content_type="application/json")
    assert response.status_code == 400, response.json
    assert f"registry.tenants[0].settings.{name}" in response.json["error"], response.json
    assert client.get(STATE).json == before


def test_good_settings_round_trip_and_a_missing_region_is_made_again() -> None:
    cloud = busy()
    snapshot = json.loads(cloud.state_json())
    assert json.loads(FakeCloud.from_snapshot(copy.deepcopy(snapshot)).state_json()) == snapshot
    del settings(snapshot)["region"]  # a hand-edited file: the account's first call sets it again
    iot = in_process(FakeCloud.from_snapshot(snapshot))
    assert iot.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"].endswith(
        ".iot.us-east-1.amazonaws.com"
    )
