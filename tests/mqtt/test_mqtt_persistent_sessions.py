"""Persistent sessions (MQTT 3.1.1 3.1.2.4; AWS "MQTT persistent sessions"): a client that asks
for one keeps its subscriptions and finds its QoS 1 messages waiting when it comes back, until
the session expires an hour later; a clean session discards it; iot-data's connection
operations describe and end it."""

from __future__ import annotations

import time

import pytest

from iotfake.mqtt import persistence

from ._device import Device


def test_a_returning_client_finds_its_subscriptions_and_qos_1_messages(thing, devices, iot_data) -> None:
    cert = thing("lamp")
    lamp = devices("lamp", cert, clean_session=False)
    assert lamp.session_present is False  # nothing kept yet
    lamp.subscribe("cmd/lamp", qos=1)
    _left(lamp, "lamp", iot_data)
    iot_data.publish(topic="cmd/lamp", qos=1, payload=b"on")
    iot_data.publish(topic="cmd/lamp", qos=0, payload=b"not kept")  # QoS 0 does not wait
    iot_data.publish(topic="cmd/other", qos=1, payload=b"not subscribed")
    connection = iot_data.get_connection(clientId="lamp")
    assert (connection["connected"], connection["cleanSession"], connection["sessionExpiry"]) == (
        False,
        False,
        3600,
    )
    assert iot_data.list_subscriptions(clientId="lamp")["subscriptions"] == [
        {"topicFilter": "cmd/lamp", "qos": 1}
    ]
    back = devices("lamp", cert, clean_session=False)
    assert back.session_present is True
    assert back.receive("cmd/lamp") == b"on"
    assert back.topics() == []
    iot_data.publish(topic="cmd/lamp", qos=1, payload=b"again")  # subscribed without a SUBSCRIBE
    assert back.receive("cmd/lamp") == b"again"


def test_a_clean_session_discards_a_kept_one(thing, devices, iot_data) -> None:
    cert = thing("lamp")
    lamp = devices("lamp", cert, clean_session=False)
    lamp.subscribe("cmd/lamp", qos=1)
    _left(lamp, "lamp", iot_data)
    iot_data.publish(topic="cmd/lamp", qos=1, payload=b"on")
    fresh = devices("lamp", cert)  # clean session 1
    assert fresh.session_present is False
    assert fresh.topics() == []
    _left(fresh, "lamp", iot_data)
    assert devices("lamp", cert, clean_session=False).session_present is False  # it is gone


def test_a_kept_session_expires_after_an_hour_on_the_fake_s_clock(cloud, thing, devices, iot_data) -> None:
    cert = thing("lamp")
    lamp = devices("lamp", cert, clean_session=False)
    lamp.subscribe("cmd/lamp", qos=1)
    _left(lamp, "lamp", iot_data)
    cloud.clock.advance(persistence.EXPIRY_MS / 1000 + 1)
    iot_data.publish(topic="cmd/lamp", qos=1, payload=b"late")
    back = devices("lamp", cert, clean_session=False)
    assert back.session_present is False
    assert back.topics() == []


def test_delete_connection_may_end_a_session_and_withhold_the_will(thing, devices, iot_data) -> None:
    cert = thing("lamp")
    lamp = devices("lamp", cert, clean_session=False)
    lamp.subscribe("cmd/lamp", qos=1)
    iot_data.delete_connection(clientId="lamp")  # the session stays (cleanSession defaults to false)
    assert lamp.disconnected.wait(5)
    assert iot_data.get_connection(clientId="lamp")["cleanSession"] is False
    iot_data.delete_connection(clientId="lamp", cleanSession=True)  # away: its session goes
    assert iot_data.list_subscriptions(clientId="lamp")["subscriptions"] == []
    with pytest.raises(iot_data.exceptions.ResourceNotFoundException):
        iot_data.delete_connection(clientId="lamp")  # nothing connected, nothing kept


def _left(device, client_id: str, iot_data) -> None:
    """Close ``device`` and wait until the broker has seen it go (its session is kept then)."""
    device.close()
    deadline = time.monotonic() + 5
    while iot_data.get_connection(clientId=client_id)["connected"]:
        assert time.monotonic() < deadline, "the broker did not see the client go"
        time.sleep(0.02)


@pytest.mark.parametrize(("prevent", "heard"), [(True, []), (False, ["wills/lamp"])])
def test_delete_connection_publishes_the_will_unless_told_not_to(
    served, thing, devices, iot_data, prevent, heard
) -> None:
    listener = devices("listener", thing("listener"))
    listener.subscribe("wills/#")
    cert = thing("lamp")
    lamp = Device("lamp")
    lamp.client.will_set("wills/lamp", b"gone", 1)
    lamp.tls(served.cloud.ca_pem, cert["certificatePem"], cert["keyPair"]["PrivateKey"])
    try:
        assert lamp.connect(served.mqtt.tls_port) == 0
        iot_data.delete_connection(clientId="lamp", preventWillMessage=prevent)
        assert lamp.disconnected.wait(5)
        assert listener.topics() == heard
    finally:
        lamp.close()


def test_an_expired_session_is_no_longer_described(cloud, thing, devices, iot_data) -> None:
    lamp = devices("lamp", thing("lamp"), clean_session=False)
    lamp.subscribe("cmd/lamp", qos=1)
    _left(lamp, "lamp", iot_data)
    cloud.clock.advance(persistence.EXPIRY_MS / 1000 + 60)  # an hour and a minute later
    assert iot_data.get_connection(clientId="lamp")["cleanSession"] is True
    assert iot_data.list_subscriptions(clientId="lamp")["subscriptions"] == []
    with pytest.raises(iot_data.exceptions.ResourceNotFoundException):
        iot_data.delete_connection(clientId="lamp", cleanSession=True)
