"""AWS IoT's device side through paho-mqtt over mutual TLS: who gets in, what policies allow,
shadows and iot-data over the same store, retained messages, presence and connectivity."""

from __future__ import annotations

import json

import pytest
import requests
from aws_helpers import POLICY, template
from aws_pki import customer_ca, register_ca

from ._device import Device

CN = "AWS::IoT::Certificate::CommonName"
JITP_BODY = template(
    {
        "thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": CN}}},
        "certificate": {
            "Type": "AWS::IoT::Certificate",
            "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "ACTIVE"},
        },
        "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyDocument": json.dumps(POLICY)}},
    },
    {CN: {"Type": "String"}},
)

EVERYTHING_BUT_ADMIN = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iot:Connect",
                "Resource": "arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}",
            },
            {
                "Effect": "Allow",
                "Action": ["iot:Publish", "iot:Receive"],
                "Resource": "arn:aws:iot:*:*:topic/lamps/*",
            },
            {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": "arn:aws:iot:*:*:topicfilter/lamps/*"},
        ],
    }
)


def test_an_active_certificate_with_a_policy_connects(cloud, thing, devices) -> None:
    devices("lamp", thing("lamp"))
    entry = cloud.journal.last(provider="aws-mqtt", operation="Connect")
    assert (entry.code, entry.params["thingName"], entry.params["clientId"]) == ("OK", "lamp", "lamp")


def test_the_registry_decides_who_gets_in(cloud, iot, thing, devices) -> None:
    cert = thing("lamp", EVERYTHING_BUT_ADMIN)
    devices("someone-else", cert, expect=5)  # the policy allows only the thing's own client id
    assert "no policy allows iot:Connect" in cloud.journal.last(operation="Connect").params["reason"]
    iot.update_certificate(certificateId=cert["certificateId"], newStatus="INACTIVE")
    devices("lamp", cert, expect=5)
    assert "INACTIVE" in cloud.journal.last(operation="Connect").params["reason"]
    iot.update_certificate(certificateId=cert["certificateId"], newStatus="ACTIVE")
    devices("lamp", cert)


def test_policies_decide_every_subscription_and_publish(thing, devices) -> None:
    device = devices("lamp", thing("lamp", EVERYTHING_BUT_ADMIN))
    assert device.subscribe("lamps/#") == (1,)
    assert device.subscribe("admin/#") == (0x80,)  # SUBACK failure
    device.publish("lamps/lamp/state", {"on": True})
    assert device.receive("lamps/lamp/state") == {"on": True}
    device.client.publish("admin/reboot", "now", 1)
    assert device.disconnected.wait(5)  # AWS IoT disconnects a client that publishes where it may not


def test_shadow_topics_and_iot_data_share_one_store(thing, devices, iot_data) -> None:
    device = devices("lamp", thing("lamp"))
    device.subscribe("$aws/things/lamp/shadow/update/#")
    device.publish(
        "$aws/things/lamp/shadow/update", {"state": {"reported": {"on": False}}, "clientToken": "c1"}
    )
    accepted = device.receive("$aws/things/lamp/shadow/update/accepted")
    assert accepted["state"] == {"reported": {"on": False}} and accepted["clientToken"] == "c1"
    stored = json.loads(iot_data.get_thing_shadow(thingName="lamp")["payload"].read())
    assert stored["state"]["reported"] == {"on": False}
    iot_data.update_thing_shadow(thingName="lamp", payload=json.dumps({"state": {"desired": {"on": True}}}))
    assert device.receive("$aws/things/lamp/shadow/update/delta")["state"] == {"on": True}


def test_iot_data_publish_reaches_subscribers_and_retained_messages_wait(thing, devices, iot_data) -> None:
    device = devices("lamp", thing("lamp"))
    device.subscribe("news/#")
    iot_data.publish(topic="news/today", payload=b'{"headline": "fake"}', qos=1)
    assert device.receive("news/today") == {"headline": "fake"}
    device.publish("status/lamp", "on", qos=1)  # not retained
    device.publish("config/lamp", json.dumps({"level": 3}), retain=True)
    assert iot_data.get_retained_message(topic="config/lamp")["payload"] == b'{"level": 3}'
    other = devices("lamp-2", thing("lamp-2"))
    other.subscribe("config/#")
    assert other.receive("config/lamp") == {"level": 3}


def test_the_test_client_keeps_what_it_did_not_wait_for(thing, devices, iot_data) -> None:
    """``receive`` and ``request`` take the message they wait for and leave the others, in order."""
    device = devices("lamp", thing("lamp"))
    device.subscribe("news/#")
    for topic in ("news/a", "news/b", "news/c"):
        iot_data.publish(topic=topic, payload=topic.encode(), qos=1)
    assert device.receive("news/c") == b"news/c"
    assert [device.receive(topic) for topic in ("news/a", "news/b")] == [b"news/a", b"news/b"]


def test_presence_events_and_connectivity_follow_connections(iot, thing, devices) -> None:
    iot.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY",
            "thingConnectivityIndexingMode": "STATUS",
        }
    )
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("$aws/events/presence/+/lamp")
    lamp = devices("lamp", thing("lamp"))
    event = watcher.receive("$aws/events/presence/connected/lamp")
    assert event["eventType"] == "connected" and event["clientId"] == "lamp"
    found = iot.search_index(queryString="connectivity.connected:true")["things"]
    assert sorted(t["thingName"] for t in found) == ["lamp", "watcher"]
    lamp.close()
    gone = watcher.receive("$aws/events/presence/disconnected/lamp")
    assert gone["disconnectReason"] == "CLIENT_INITIATED_DISCONNECT" and gone["clientInitiatedDisconnect"]
    assert [
        t["thingName"] for t in iot.search_index(queryString="connectivity.connected:false")["things"]
    ] == ["lamp"]


def test_a_second_connection_with_the_same_client_id_takes_over(thing, devices) -> None:
    cert = thing("lamp")
    first = devices("lamp", cert)
    devices("lamp", cert)
    assert first.disconnected.wait(5)


def test_jitp_on_a_first_tls_connection(served, iot) -> None:
    """A certificate a registered, auto-registering CA signed: the first connection provisions the
    thing by the CA's template and is refused; the device reconnects and gets in."""
    ca = customer_ca()
    register_ca(iot, ca, allowAutoRegistration=True, registrationConfig={"templateBody": JITP_BODY})
    pem, key = ca.issue("sensor-9")
    for expected in (5, 0):
        device = Device("sensor-9").tls(served.cloud.ca_pem, pem, key)
        try:
            assert device.connect(served.mqtt.tls_port) == expected
        finally:
            device.close()
    assert iot.describe_thing(thingName="sensor-9")["thingName"] == "sensor-9"


@pytest.mark.parametrize("status", ["REVOKED", "INACTIVE"])
def test_a_certificate_leaving_active_disconnects_its_devices(cloud, iot, thing, devices, status) -> None:
    """UpdateCertificate: "Within a few minutes of updating a certificate from an ACTIVE state
    to any other state, IoT disconnects all devices that used that certificate to connect."
    The fake does it at once; the watcher hears AUTH_ERROR (and a will goes out: lifecycle)."""
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("$aws/events/presence/disconnected/lamp")
    cert = thing("lamp")
    lamp = devices("lamp", cert)
    other = devices("other", thing("other"))
    iot.update_certificate(certificateId=cert["certificateId"], newStatus=status)
    assert lamp.disconnected.wait(5)
    gone = watcher.receive("$aws/events/presence/disconnected/lamp")
    assert gone["disconnectReason"] == "AUTH_ERROR"
    entry = cloud.journal.last(provider="aws-mqtt", operation="Disconnect")
    assert entry.params["reason"] == "AUTH_ERROR" and status in entry.params["detail"]
    assert not other.disconnected.is_set()  # another certificate's device stays
    devices("lamp", cert, expect=5)  # and it cannot come back


def test_a_policy_detached_keeps_the_connection_and_inactive_ends_it(iot, thing, devices) -> None:
    cert = thing("lamp")
    lamp = devices("lamp", cert)
    iot.detach_policy(policyName="lamp-policy", target=cert["certificateArn"])  # checked per action
    iot.update_certificate(certificateId=cert["certificateId"], newStatus="ACTIVE")  # still ACTIVE
    assert not lamp.disconnected.wait(0.5)
    iot.update_certificate(certificateId=cert["certificateId"], newStatus="INACTIVE")
    assert lamp.disconnected.wait(5)


def test_a_restore_ends_every_connection(cloud, iot, thing, devices) -> None:
    """The sessions held the replaced state and were admitted by credentials the snapshot may not
    have (a certificate INACTIVE there): they connect again, against the restored registry."""
    cert = thing("lamp")
    iot.update_certificate(certificateId=cert["certificateId"], newStatus="INACTIVE")
    snapshot = cloud.snapshot()
    iot.update_certificate(certificateId=cert["certificateId"], newStatus="ACTIVE")
    lamp = devices("lamp", cert)
    cloud.restore(snapshot)
    assert lamp.disconnected.wait(5)
    devices("lamp", cert, expect=5)


def test_health_reports_the_broker_s_ports(served) -> None:
    """The contract (DESIGN: "GET /_iotfake/health reports the MQTT ports"): with --port 0 they
    are chosen at start, and the ready line names only the HTTP URL."""
    for headers in ({}, {"X-Iotfake-Namespace": "other"}):
        health = requests.get(f"{served.url}/_iotfake/health", headers=headers, timeout=10).json()
        assert health["mqtt"] == {"port": served.mqtt.port, "tls_port": served.mqtt.tls_port}


def test_a_refused_restore_leaves_every_connection_as_it_was(cloud, thing, devices) -> None:
    """A snapshot whose clock, ids or faults section is bad changes nothing: its clients stay
    connected (they were all disconnected before those sections were checked)."""
    lamp = devices("lamp", thing("lamp"))
    for section, bad in (("clock", {"offset": 1e300}), ("faults", {"next_id": 0, "rules": []})):
        snapshot = cloud.snapshot()
        snapshot[section] = bad
        with pytest.raises(ValueError, match=section):
            cloud.restore(snapshot)
    assert not lamp.disconnected.wait(0.5)
    assert cloud.journal.calls(operation="Disconnect") == []


def test_while_the_state_cannot_be_saved_mqtt_acknowledges_nothing(cloud, thing, devices) -> None:
    """Once a write-ahead log write failed (``cloud.unsaved``), HTTP answers 503; MQTT must not
    acknowledge either: a publish gets no PUBACK and its client is disconnected, and a CONNECT is
    refused as unavailable (CONNACK 3)."""
    lamp = devices("lamp", thing("lamp"))
    cert = thing("other")
    cloud.unsaved = "the write-ahead log could not be written: disk full"
    try:
        lamp.client.publish("$aws/things/lamp/shadow/update", b'{"state": {"reported": {"t": 1}}}', 1)
        assert lamp.disconnected.wait(5)
        assert cloud.journal.last(operation="Publish", params={"clientId": "lamp"}).code == "UNAVAILABLE"
        devices("other", cert, expect=3)
    finally:
        cloud.unsaved = None
