"""Races around persistent sessions and logins, each made by slowing one registry call of the
device side (as a busy registry lock would): a client resuming its session hears its CONNACK
first and its waiting messages before new ones; a session taken over while it resumes loses
nothing; a replaced kept session stops listening; an unacknowledged QoS 1 message is sent again
on resume; EnOS's count of a device's connections stays true when a login is replaced while it
connects, or its device is deleted while connected. And the keep-alive each side holds a silent
client to."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from _enos import Enos

from iotfake.mqtt.enos import static_login
from iotfake.transports import requests_session

from ._device import Device
from ._raw import Raw


def _wait(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.02)


@contextmanager
def _slowed(side, name: str, *, first_only: bool) -> Iterator[None]:
    """The side's ``name`` call takes 0.6 s longer (its first call only, with ``first_only``), as
    a registry write waiting for a busy lock would."""
    original, calls = getattr(side, name), []

    def slow(*args):
        calls.append(args)
        if not first_only or len(calls) == 1:
            time.sleep(0.6)
        return original(*args)

    setattr(side, name, slow)
    try:
        yield
    finally:
        delattr(side, name)


def _subscribed(served, cloud, cert) -> Raw:
    """A connection of client "lamp" asking to keep its session, subscribed to cmd/lamp at QoS 1."""
    raw = Raw(served.mqtt.tls_port, cloud.ca_pem, cert)
    raw.connect("lamp", clean=False)
    assert Raw.describe(raw.read()) == "CONNACK(sp=0, rc=0)"
    raw.subscribe(1, ("cmd/lamp", 1))
    assert Raw.describe(raw.read()).startswith("SUBACK")
    return raw


def _kept(served) -> None:
    """Wait until the broker keeps lamp's session."""
    _wait(lambda: any(client == "lamp" for _, client in served.mqtt._away._kept))


def test_a_resuming_client_hears_its_connack_first_and_what_waited_before_new_messages(
    served, cloud, thing, iot_data
) -> None:
    cert = thing("lamp")
    broker = served.mqtt
    _subscribed(served, cloud, cert).disconnect()
    _kept(served)
    iot_data.publish(topic="cmd/lamp", qos=1, payload=b"1-while-away")

    # a registry write that takes a while (another thread holds the lock)
    with _slowed(cloud.providers["aws-mqtt"], "connected", first_only=False):
        second = Raw(broker.tls_port, cloud.ca_pem, cert)
        threading.Timer(
            0.4, lambda: iot_data.publish(topic="cmd/lamp", qos=1, payload=b"2-during-connect")
        ).start()
        second.connect("lamp", clean=False)
        seen = []
        while (packet := second.read(3)) is not None:
            seen.append(Raw.describe(packet))
            if packet[0] >> 4 == 3 and packet[0] & 0x06:
                second.puback(
                    int.from_bytes(packet[1][2 + int.from_bytes(packet[1][:2], "big") :][:2], "big")
                )
        second.disconnect()
    assert seen[0].startswith("CONNACK"), f"first packet was {seen[0]}"
    assert [s for s in seen if "PUBLISH" in s] == [
        "PUBLISH(cmd/lamp, b'1-while-away', qos=1)",
        "PUBLISH(cmd/lamp, b'2-during-connect', qos=1)",
    ]


def test_messages_that_waited_survive_a_takeover_during_connect(served, cloud, thing, iot_data) -> None:
    cert = thing("lamp")
    broker = served.mqtt
    _subscribed(served, cloud, cert).disconnect()
    _kept(served)
    iot_data.publish(topic="cmd/lamp", qos=1, payload=b"waited")

    # the first resume's registry write is slow
    with _slowed(cloud.providers["aws-mqtt"], "connected", first_only=True):
        second = Raw(broker.tls_port, cloud.ca_pem, cert)
        second.connect("lamp", clean=False)
        time.sleep(0.2)
        third = Raw(broker.tls_port, cloud.ca_pem, cert)
        third.connect("lamp", clean=False)
        seen = []
        while (packet := third.read(3)) is not None:
            seen.append(Raw.describe(packet))
    assert seen[0] == "CONNACK(sp=1, rc=0)"
    assert "PUBLISH(cmd/lamp, b'waited', qos=1)" in seen, "the waiting message was lost"


def test_a_replaced_kept_session_stops_listening(served, cloud, thing) -> None:
    cert = thing("lamp")
    broker = served.mqtt
    first = _subscribed(served, cloud, cert)  # held: it stays connected until taken over
    realm = broker._sessions[next(iter(broker._sessions))].admitted.realm

    # the first takeover's registry write is slow
    with _slowed(cloud.providers["aws-mqtt"], "disconnected", first_only=True):
        b = Raw(broker.tls_port, cloud.ca_pem, cert)
        b.connect("lamp", clean=False)  # takes over a: a is kept, its disconnect is slow
        time.sleep(0.2)
        c = Raw(broker.tls_port, cloud.ca_pem, cert)
        c.connect("lamp", clean=False)  # takes over b before b resumed a
        c.read(3)
        time.sleep(0.6)
    listening = broker._subscribers.matching(realm, "cmd/lamp")
    live = set(broker._sessions.values()) | {s for s, _ in broker._away._kept.values()}
    orphans = [s for s in listening if s not in live]
    cloud.reset()
    assert not orphans, "a session neither connected nor kept still listens"
    first.sock.close()


def test_an_unacknowledged_qos_1_message_is_sent_again_on_resume(served, cloud, thing, iot_data) -> None:
    cert = thing("lamp")
    broker = served.mqtt
    first = _subscribed(served, cloud, cert)
    iot_data.publish(topic="cmd/lamp", qos=1, payload=b"unacked")
    assert "unacked" in Raw.describe(first.read())  # and never PUBACKs it
    first.sock.close()  # the connection breaks
    deadline = time.monotonic() + 5
    while not any(c == "lamp" for _, c in broker._away._kept):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    second = Raw(broker.tls_port, cloud.ca_pem, cert)
    second.connect("lamp", clean=False)
    seen = []
    while (packet := second.read(2)) is not None:
        seen.append(Raw.describe(packet))
    second.disconnect()
    assert any("unacked" in s for s in seen), "the unacknowledged QoS 1 message was not sent again"


@pytest.fixture
def enos(cloud):
    session = requests_session(cloud)
    return Enos(lambda m, p, b, h: session.request(m, p, json=b, headers=h).json())


def status(enos, pk, key):
    return enos.get(productKey=pk, deviceKey=key)["data"]["status"]


def test_a_login_replaced_while_connecting_ends_offline(served, cloud, enos) -> None:
    pk = enos.product()
    secret = enos.device(pk, deviceKey="meter-1")["deviceSecret"]
    client_id, username, password = static_login("meter-1", pk, secret)

    # the registry is busy for the first login
    with _slowed(cloud.providers["enos-mqtt"], "connected", first_only=True):
        first = Raw(served.mqtt.port, None, None, host="127.0.0.1")
        first.connect(client_id, True, username, password)
        time.sleep(0.2)
        second = Raw(served.mqtt.port, None, None, host="127.0.0.1")
        second.connect(client_id, True, username, password)  # replaces the first
        time.sleep(0.6)
        second.disconnect()
        deadline = time.monotonic() + 3
        while status(enos, pk, "meter-1") != "offline" and time.monotonic() < deadline:
            time.sleep(0.05)
    assert status(enos, pk, "meter-1") == "offline"


def login(served, made, device_key, product_key, secret):
    client_id, username, password = static_login(device_key, product_key, secret)
    device = Device(client_id, username=username, password=password)
    made.append(device)
    assert device.connect(served.mqtt.port, host="127.0.0.1") == 0
    return device


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_device_deleted_while_connected_counts_its_connection_gone(served, cloud, enos) -> None:
    made: list[Device] = []
    try:
        pk = enos.product()
        secret = enos.device(pk, deviceKey="meter-1")["deviceSecret"]
        meter = login(served, made, "meter-1", pk, secret)
        assert enos.call("devices", "delete", None, productKey=pk, deviceKey="meter-1")["code"] == 0
        assert meter.disconnected.wait(5)
        # the same key again: one login, then it leaves
        secret = enos.device(pk, deviceKey="meter-1")["deviceSecret"]
        again = login(served, made, "meter-1", pk, secret)
        assert status(enos, pk, "meter-1") == "online"
        again.close()
        went_offline = wait_for(lambda: status(enos, pk, "meter-1") == "offline")
        assert went_offline, "the re-created device stays online with no connection"
    finally:
        for device in made:
            device.close()


def test_cloud_reset_forgets_the_connection_counts(served, cloud, enos) -> None:
    """The next test's device of the same org and key (seeded ids: the same) starts at none."""
    made: list[Device] = []
    try:
        pk = enos.product()
        secret = enos.device(pk, deviceKey="meter-1")["deviceSecret"]
        meter = login(served, made, "meter-1", pk, secret)
        enos.call("devices", "delete", None, productKey=pk, deviceKey="meter-1")
        assert meter.disconnected.wait(5)
        side = cloud.providers["enos-mqtt"]
        cloud.reset()
        assert not side._open, "the count outlives the cloud's state"
    finally:
        for device in made:
            device.close()


def test_aws_holds_a_client_to_its_keep_alive_bounds_and_enos_to_what_it_asked(
    served, cloud, thing, enos
) -> None:
    """AWS IoT Core counts a keep-alive under 30 s as 30 and 0 or over 1,200 s as 1,200: a silent
    AWS client that asked for 1 s is still connected after 2 s; an EnOS one is not."""
    from iotfake.mqtt.aws import AwsDeviceSide

    side = cloud.providers["aws-mqtt"]
    assert isinstance(side, AwsDeviceSide)
    assert [side.keep_alive(k) for k in (0, 1, 29, 30, 60, 1200, 5000)] == [1200, 30, 30, 30, 60, 1200, 1200]
    lamp = Raw(served.mqtt.tls_port, cloud.ca_pem, thing("lamp"))
    lamp.connect("lamp", clean=True, keep_alive=1)
    assert Raw.describe(lamp.read()) == "CONNACK(sp=0, rc=0)"
    pk = enos.product()
    client_id, username, password = static_login(
        "meter-1", pk, enos.device(pk, deviceKey="meter-1")["deviceSecret"]
    )
    meter = Raw(served.mqtt.port, None, None, host="127.0.0.1")
    meter.connect(client_id, True, username, password, keep_alive=1)
    assert Raw.describe(meter.read()) == "CONNACK(sp=0, rc=0)"
    assert meter.read(3) is None  # closed at 1.5 s of silence
    assert (
        cloud.journal.last(provider="enos-mqtt", operation="Disconnect").params["reason"]
        == "MQTT_KEEP_ALIVE_TIMEOUT"
    )
    assert "lamp" in served.mqtt.clients()  # silent as long, and still there
    lamp.disconnect()
