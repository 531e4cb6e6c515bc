"""GetThingConnectivityData in process (no broker): the connectivity fleet indexing holds for a
thing, which the MQTT side records at each connect and disconnect (tests/mqtt has the live side)."""

from __future__ import annotations

import pytest
from aws_helpers import conforms

from iotfake import FakeCloud

STATUS = {"thingIndexingMode": "REGISTRY", "thingConnectivityIndexingMode": "STATUS"}


def _record(cloud: FakeCloud, thing: str, **state: object) -> None:
    """What the MQTT side writes on a thing when its device connects or disconnects."""
    tenant = cloud.aws.account("123456789012", "us-east-1")
    with tenant.lock:
        device = tenant.keys[thing]
        tenant.replace_extra(device, {**(device.extra or {}), "connectivity": dict(state)})


def test_a_thing_that_never_connected_is_not_connected(iot) -> None:
    iot.update_indexing_configuration(thingIndexingConfiguration=STATUS)
    iot.create_thing(thingName="lamp")
    answer = conforms("GetThingConnectivityData", iot.get_thing_connectivity_data(thingName="lamp"))
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {
        "thingName": "lamp",
        "connected": False,
    }


def test_the_recorded_connectivity_is_answered_and_kept_in_snapshots(aws_cloud: FakeCloud, iot) -> None:
    iot.update_indexing_configuration(thingIndexingConfiguration=STATUS)
    iot.create_thing(thingName="lamp")
    _record(
        aws_cloud,
        "lamp",
        connected=False,
        disconnectReason="MQTT_KEEP_ALIVE_TIMEOUT",
        timestamp=1_700_000_000_500,
    )
    answer = conforms("GetThingConnectivityData", iot.get_thing_connectivity_data(thingName="lamp"))
    assert answer["connected"] is False and answer["disconnectReason"] == "MQTT_KEEP_ALIVE_TIMEOUT"
    assert answer["timestamp"].timestamp() == 1_700_000_000.5
    snapshot = aws_cloud.snapshot()
    aws_cloud.reset()
    aws_cloud.restore(snapshot)
    assert iot.get_thing_connectivity_data(thingName="lamp")["disconnectReason"] == "MQTT_KEEP_ALIVE_TIMEOUT"
    # connected, with no broker to describe its session: the status alone
    _record(aws_cloud, "lamp", connected=True, timestamp=1_700_000_100_000)
    answer = iot.get_thing_connectivity_data(thingName="lamp", includeSocketInformation=True)
    assert (answer["connected"], "disconnectReason" in answer, "sourceIp" in answer) == (True, False, False)


def test_connectivity_needs_the_index_and_the_thing(aws_cloud: FakeCloud, iot) -> None:
    iot.create_thing(thingName="lamp")
    with pytest.raises(iot.exceptions.IndexNotReadyException) as caught:
        iot.get_thing_connectivity_data(thingName="lamp")
    assert caught.value.response["Error"]["Message"] == (
        "Thing connectivity indexing is not enabled: set thingConnectivityIndexingMode to STATUS"
    )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    iot.update_indexing_configuration(thingIndexingConfiguration=STATUS)
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.get_thing_connectivity_data(thingName="ghost")
    assert caught.value.response["Error"]["Message"] == "Thing ghost cannot be found."
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.get_thing_connectivity_data(thingName="bad name!")
    aws_cloud.faults.add(
        provider="aws", operation="GetThingConnectivityData", match={"thingName": "lamp"}, error="Unavailable"
    )
    with pytest.raises(iot.exceptions.ServiceUnavailableException):
        iot.get_thing_connectivity_data(thingName="lamp")
    call = aws_cloud.journal.calls(operation="GetThingConnectivityData")[-1]
    assert (call.outcome, call.params["thingName"]) == ("fault", "lamp")
