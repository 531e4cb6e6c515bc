"""Lifecycle events and what ends a connection: the presence events AWS publishes (and those it
does not), and a connection that fails inside the broker leaving nothing connected behind."""

from __future__ import annotations

import json
import time

import pytest

from ._device import Device
from ._raw import Raw

REALM_ACCOUNT = ("123456789012", "us-east-1")


def _realm(cloud) -> tuple[str, str]:
    return ("aws", cloud.aws.account(*REALM_ACCOUNT).id)


def _wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.02)


@pytest.mark.parametrize("client_id", ["lamp+1", "lamp#1"])
def test_a_client_id_holding_a_wildcard_gets_no_lifecycle_events(
    served, cloud, thing, devices, client_id: str
) -> None:
    """AWS (Lifecycle events): "Client IDs that contain # or + do not receive lifecycle events".
    Their topic would hold a wildcard, which no PUBLISH may carry (MQTT-3.3.2-2): with a watcher
    subscribed, the broker failed the connection on its own event, and kept it as connected (in
    GetConnection, the console, fleet indexing's connectivity) with no client behind it."""
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("$aws/events/presence/#")
    lamp = devices(client_id, thing("lamp"))
    lamp.publish("lamps/1", "on")  # the connection serves
    assert served.mqtt.connection(_realm(cloud), client_id)["connected"] is True
    lamp.close()
    _wait_for(lambda: cloud.journal.calls(operation="Disconnect", params={"clientId": client_id}))
    assert served.mqtt.connection(_realm(cloud), client_id)["connected"] is False
    assert served.mqtt.clients() == ["watcher"]
    devices("after", thing("after"))  # its event comes after any the lamp's connection made
    assert watcher.receive("$aws/events/presence/connected/after")["clientId"] == "after"
    assert watcher.topics(settle=0) == []


def test_a_connection_failing_inside_the_broker_is_not_left_connected(
    served, cloud, thing, monkeypatch
) -> None:
    """Whatever fails after a connection was claimed, its claim goes with it: a client id held by
    nobody refused every later connection's takeover nothing, and GetConnection said connected."""
    side = served.mqtt.sides.aws

    def broken(session):
        raise RuntimeError("the side failed")

    monkeypatch.setattr(side, "connected", broken)
    lamp = Raw(served.mqtt.tls_port, cloud.ca_pem, thing("lamp"))
    lamp.connect("lamp", clean=True)
    assert lamp.read() is None  # closed, unanswered
    _wait_for(lambda: cloud.journal.calls(operation="Disconnect", params={"clientId": "lamp"}))
    assert served.mqtt.clients() == []
    assert served.mqtt.connection(_realm(cloud), "lamp")["disconnectReason"] == "SERVER_ERROR"


def test_a_revoked_certificate_s_last_will_is_published(served, cloud, iot, thing, devices) -> None:
    """AWS's disconnect reasons (Lifecycle events): AUTH_ERROR, "The client failed to
    authenticate or authorization failed", sends the last will when the device had an active
    connection before (MQTT 3.1.1, 3.1.2.5: any close but a DISCONNECT). It was withheld."""
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("wills/#")
    cert = thing("lamp")
    lamp = Device("lamp")
    lamp.client.will_set("wills/lamp", "gone", qos=1)
    lamp.tls(cloud.ca_pem, cert["certificatePem"], cert["keyPair"]["PrivateKey"])
    try:
        assert lamp.connect(served.mqtt.tls_port) == 0
        iot.update_certificate(certificateId=cert["certificateId"], newStatus="REVOKED")
        assert lamp.disconnected.wait(5)
        assert watcher.receive("wills/lamp") == b"gone"
    finally:
        lamp.close()
    entry = cloud.journal.last(operation="Publish", params={"clientId": "lamp", "will": True})
    assert entry.code == "OK"


LAMPS_ONLY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iot:Connect", "iot:Receive"], "Resource": "*"},
            {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": "arn:aws:iot:*:*:topicfilter/lamps/*"},
        ],
    }
)


def test_subscribing_and_unsubscribing_publish_lifecycle_events(thing, devices) -> None:
    """The guide's Lifecycle events: ``$aws/events/subscriptions/subscribed|unsubscribed/<clientId>``
    with the client, its session and principal, and the topics of the SUBSCRIBE (UNSUBSCRIBE)."""
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("$aws/events/subscriptions/+/lamp")
    watcher.subscribe("$aws/events/presence/connected/lamp")
    cert = thing("lamp")
    lamp = devices("lamp", cert)
    session = watcher.receive("$aws/events/presence/connected/lamp")["sessionIdentifier"]
    _, mid = lamp.client.subscribe([("lamps/1/cmd", 1), ("lamps/all", 0)])
    lamp._wait(mid)
    event = watcher.receive("$aws/events/subscriptions/subscribed/lamp")
    assert isinstance(event.pop("timestamp"), int)
    assert event == {
        "clientId": "lamp",
        "eventType": "subscribed",
        "sessionIdentifier": session,
        "principalIdentifier": cert["certificateId"],
        "topics": ["lamps/1/cmd", "lamps/all"],
    }
    lamp.unsubscribe("lamps/all")
    gone = watcher.receive("$aws/events/subscriptions/unsubscribed/lamp")
    assert isinstance(gone.pop("timestamp"), int)
    assert gone == {**event, "eventType": "unsubscribed", "topics": ["lamps/all"]}


def test_only_granted_and_held_filters_are_in_subscription_events(thing, devices) -> None:
    """[I] A filter the policy refuses (SUBACK 0x80) is not subscribed, nor one never held
    unsubscribed: a SUBSCRIBE (UNSUBSCRIBE) that changed nothing publishes no event."""
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("$aws/events/subscriptions/+/lamp")
    lamp = devices("lamp", thing("lamp", LAMPS_ONLY))
    assert lamp.subscribe("secrets/1") == (0x80,)
    lamp.unsubscribe("lamps/never")
    _, mid = lamp.client.subscribe([("secrets/2", 1), ("lamps/2", 1)])
    lamp._wait(mid)
    assert lamp.granted[mid] == (0x80, 1)
    event = watcher.receive("$aws/events/subscriptions/subscribed/lamp")
    assert event["topics"] == ["lamps/2"]  # the first event: the refused SUBSCRIBE made none
    lamp.unsubscribe("lamps/2")
    assert watcher.receive("$aws/events/subscriptions/unsubscribed/lamp")["topics"] == ["lamps/2"]


def test_a_client_id_holding_a_wildcard_gets_no_subscription_events(thing, devices) -> None:
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("$aws/events/subscriptions/subscribed/#")
    assert watcher.receive("$aws/events/subscriptions/subscribed/watcher")["topics"] == [
        "$aws/events/subscriptions/subscribed/#"
    ]  # its own, once subscribed
    devices("lamp+1", thing("lamp")).subscribe("lamps/1")
    devices("after", thing("after")).subscribe("lamps/2")
    assert watcher.receive("$aws/events/subscriptions/subscribed/after")["clientId"] == "after"
    assert watcher.topics(settle=0) == []
