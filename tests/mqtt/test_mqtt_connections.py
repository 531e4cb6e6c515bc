"""iot-data's connection operations against live MQTT clients: GetConnection, DeleteConnection,
ListSubscriptions, SendDirectMessage."""

from __future__ import annotations

import json
import time

import pytest
from aws_helpers import conforms

from iotfake import FakeCloud
from iotfake.transports import route_botocore

RECEIVE_LAMPS_ONLY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iot:Connect", "iot:Subscribe"], "Resource": "*"},
            {"Effect": "Allow", "Action": "iot:Receive", "Resource": "arn:aws:iot:*:*:topic/lamps/*"},
        ],
    }
)


def test_get_connection_follows_the_client(thing, devices, iot_data) -> None:
    lamp = devices("lamp", thing("lamp"))
    lamp.subscribe("lamps/#")
    described = conforms(
        "GetConnection", iot_data.get_connection(clientId="lamp", includeSocketInformation=True)
    )
    assert (described["connected"], described["thingName"], described["keepAliveDuration"]) == (
        True,
        "lamp",
        30,
    )
    assert described["sourceIp"] == "127.0.0.1" and described["targetPort"] > 0
    listed = conforms("ListSubscriptions", iot_data.list_subscriptions(clientId="lamp"))["subscriptions"]
    assert listed == [{"topicFilter": "lamps/#", "qos": 1}]
    iot_data.delete_connection(clientId="lamp")
    assert lamp.disconnected.wait(5)
    gone = iot_data.get_connection(clientId="lamp")
    assert (gone["connected"], gone["disconnectReason"]) == (False, "API_INITIATED_DISCONNECT")
    assert iot_data.list_subscriptions(clientId="lamp")["subscriptions"] == []
    with pytest.raises(iot_data.exceptions.ResourceNotFoundException, match="No connection found"):
        iot_data.get_connection(clientId="never-seen")
    with pytest.raises(iot_data.exceptions.ResourceNotFoundException):
        iot_data.delete_connection(clientId="lamp")


def test_send_direct_message_reaches_one_client_its_policy_allows(thing, devices, iot_data) -> None:
    lamp = devices("lamp", thing("lamp", RECEIVE_LAMPS_ONLY))
    sent = conforms(
        "SendDirectMessage",
        iot_data.send_direct_message(clientId="lamp", topic="lamps/cmd", payload=b'{"on": true}'),
    )
    assert sent["message"] == "Message sent"
    assert lamp.receive("lamps/cmd") == {"on": True}  # delivered though it never subscribed
    confirmed = iot_data.send_direct_message(
        clientId="lamp", topic="lamps/cmd", payload=b"{}", confirmation=True
    )
    assert confirmed["message"] == "Message delivered"  # paho acknowledged the QoS 1 delivery
    with pytest.raises(iot_data.exceptions.ForbiddenException, match="iot:Receive"):
        iot_data.send_direct_message(clientId="lamp", topic="admin/cmd", payload=b"{}")
    with pytest.raises(iot_data.exceptions.ResourceNotFoundException):
        iot_data.send_direct_message(clientId="nobody", topic="lamps/cmd", payload=b"{}")


def test_without_a_broker_nothing_is_connected() -> None:
    import boto3

    client = boto3.client(
        "iot-data",
        endpoint_url="http://iotfake",
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="x",
    )
    data = route_botocore(client, FakeCloud())
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.get_connection(clientId="lamp")


def test_thing_connectivity_data_follows_the_thing(iot, thing, devices) -> None:
    iot.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY",
            "thingConnectivityIndexingMode": "STATUS",
        }
    )
    lamp = devices("lamp", thing("lamp"))
    live = conforms(
        "GetThingConnectivityData",
        iot.get_thing_connectivity_data(thingName="lamp", includeSocketInformation=True),
    )
    assert (live["connected"], live["clientId"], live["keepAliveDuration"], live["cleanSession"]) == (
        True,
        "lamp",
        30,
        True,
    )
    assert live["sourceIp"] == "127.0.0.1" and live["targetPort"] > 0 and "disconnectReason" not in live
    assert "sourceIp" not in iot.get_thing_connectivity_data(thingName="lamp")
    lamp.close()
    assert lamp.disconnected.wait(5)
    deadline = time.monotonic() + 5  # the client closed first; the broker hears of it after
    while (gone := iot.get_thing_connectivity_data(thingName="lamp"))["connected"]:
        assert time.monotonic() < deadline, gone
        time.sleep(0.02)
    conforms("GetThingConnectivityData", gone)
    assert (gone["connected"], gone["disconnectReason"]) == (False, "CLIENT_INITIATED_DISCONNECT")
    assert gone["timestamp"] >= live["timestamp"] and "clientId" not in gone


@pytest.mark.parametrize("topic", ["lamps/+", "lamps/#", "lamps/" + "x" * 300])
def test_send_direct_message_refuses_a_topic_no_message_may_have(thing, devices, iot_data, topic) -> None:
    """A wildcard (MQTT 3.1.1, 3.3.2-2) or a topic over AWS's limits, refused as Publish refuses
    them ([I]: InvalidRequestException); a wildcard was a 500, a long topic was delivered."""
    lamp = devices("lamp", thing("lamp"))
    with pytest.raises(iot_data.exceptions.InvalidRequestException):
        iot_data.send_direct_message(clientId="lamp", topic=topic, payload=b"x")
    iot_data.send_direct_message(clientId="lamp", topic="lamps/1", payload=b"on")
    assert lamp.receive("lamps/1") == b"on"
