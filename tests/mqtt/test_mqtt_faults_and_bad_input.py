"""Fault rules on the device side, and bad input that must never crash the broker."""

from __future__ import annotations

import socket
import time

import pytest
import requests
from freezegun import freeze_time

from iotfake import FakeCloud
from iotfake.mqtt.broker import Broker

from ._device import Device
from ._raw import Raw


def test_a_rule_refuses_connections_with_a_chosen_connack_code(cloud, thing, devices) -> None:
    rule = cloud.faults.add(provider="aws-mqtt", operation="Connect", error="SERVER_UNAVAILABLE", times=1)
    cert = thing("lamp")
    devices("lamp", cert, expect=3)
    entry = cloud.journal.last(provider="aws-mqtt", operation="Connect")
    assert (entry.code, entry.rule) == ("CONNACK 3", rule.id)
    devices("lamp", cert)  # the rule fired once


@pytest.mark.parametrize("field", ["thingName", "certificateId", "account", "region", "tenant"])
def test_a_connect_rule_matching_what_the_certificate_is_fires(cloud, thing, devices, field: str) -> None:
    """The thing, certificate, account and region come from the registry, with admission: the
    rule was asked before admission had put them in the call, and never fired."""
    cert = thing("lamp")
    fields = {"thingName": "lamp", "certificateId": cert["certificateId"]}
    tenant = "123456789012/us-east-1"
    value = {**fields, "account": "123456789012", "region": "us-east-1", "tenant": tenant}[field]
    rule = cloud.faults.add(
        provider="aws-mqtt", operation="Connect", match={field: value}, error="5", times=1
    )
    devices("lamp", cert, expect=5)
    entry = cloud.journal.last(provider="aws-mqtt", operation="Connect")
    held = entry.tenant if field == "tenant" else entry.params[field]
    assert (entry.code, entry.rule, held) == ("CONNACK 5", rule.id, value)
    devices("lamp", cert)  # the rule fired once


def test_a_lost_suback_leaves_the_subscription_made(cloud, thing, devices, iot_data) -> None:
    """``lost_response`` commits, then the answer is lost, as over HTTP (and a PUBACK): the
    subscription is made, its SUBACK never comes. The rule used to fire and change nothing."""
    rule = cloud.faults.add(provider="aws-mqtt", operation="Subscribe", lost_response=True, times=1)
    lamp = devices("lamp", thing("lamp"))
    _, mid = lamp.client.subscribe("lamps/#", 1)
    deadline = time.monotonic() + 5  # no SUBACK to wait for: the journal says it was handled
    while not cloud.journal.calls(operation="Subscribe") and time.monotonic() < deadline:
        time.sleep(0.02)
    iot_data.publish(topic="lamps/1", payload=b"on", qos=1)
    assert lamp.receive("lamps/1") == b"on"  # subscribed
    assert mid not in lamp.granted  # and never told
    assert cloud.journal.last(operation="Subscribe").rule == rule.id
    assert lamp.subscribe("lamps/2") == (1,)  # the rule fired once


def test_a_lost_connack_leaves_the_client_connected_in_the_registry_s_eyes_then_gone(
    served, cloud, thing, devices
) -> None:
    """A CONNECT whose answer is lost: admitted (journaled OK, the thing connected, presence
    published), then the connection closes with no CONNACK; its client sees it cut off."""
    watcher = devices("watcher", thing("watcher"))
    watcher.subscribe("$aws/events/presence/+/lamp")
    rule = cloud.faults.add(
        provider="aws-mqtt", operation="Connect", match={"clientId": "lamp"}, lost_response=True, times=1
    )
    cert = thing("lamp")
    lamp = Raw(served.mqtt.tls_port, cloud.ca_pem, cert)
    lamp.connect("lamp", clean=True)
    assert lamp.read() is None  # closed, no CONNACK
    assert watcher.receive("$aws/events/presence/connected/lamp")["clientId"] == "lamp"
    gone = watcher.receive("$aws/events/presence/disconnected/lamp")
    assert gone["disconnectReason"] == "CONNECTION_LOST"
    entry = cloud.journal.last(operation="Connect", params={"clientId": "lamp"})
    assert (entry.code, entry.rule) == ("OK", rule.id)
    devices("lamp", cert)  # the rule fired once


def test_rules_are_checked_when_added(cloud) -> None:
    with pytest.raises(Exception, match="CONNACK refusal"):
        cloud.faults.add(provider="enos-mqtt", operation="Connect", error="NOPE")
    with pytest.raises(Exception, match="Conect"):
        cloud.faults.add(provider="aws-mqtt", operation="Conect", error="NOT_AUTHORIZED")


def test_a_rule_drops_the_connection_after_n_messages(cloud, thing, devices) -> None:
    cloud.faults.add(provider="aws-mqtt", operation="Publish", after=2, drop=True)
    device = devices("lamp", thing("lamp"))
    device.publish("lamps/1", "a")
    device.publish("lamps/1", "b")
    device.client.publish("lamps/1", "c", 1)
    assert device.disconnected.wait(5)
    assert cloud.journal.last(provider="aws-mqtt", operation="Disconnect").params["reason"] == "CLIENT_ERROR"


def test_a_latency_rule_delays_without_blocking_other_clients(cloud, thing, devices) -> None:
    cloud.faults.add(provider="aws-mqtt", operation="Publish", match={"clientId": "slow"}, latency_ms=800)
    slow, fast = devices("slow", thing("slow")), devices("fast", thing("fast"))
    slow.client.publish("lamps/slow", "x", 1)
    started = time.monotonic()
    fast.publish("lamps/fast", "y")  # answered while the slow one waits
    assert time.monotonic() - started < 0.6


def test_a_latency_rule_ends_under_freeze_time(cloud, thing, devices) -> None:
    """freezegun froze the broker's event loop too (its timers read ``time.monotonic``): under
    ``freeze_time`` a latency rule's wait never ended, and the publish was never acknowledged.
    A latency is real time, as over HTTP."""
    cloud.faults.add(provider="aws-mqtt", operation="Publish", match={"clientId": "slow"}, latency_ms=200)
    slow = devices("slow", thing("slow"))
    with freeze_time("2030-01-01 00:00:00"):
        started = time.perf_counter()  # frozen too: the test reads the real clock below
        real = time.clock_gettime(time.CLOCK_MONOTONIC)
        slow.publish("lamps/slow", "x", qos=1)  # waits for the PUBACK (its own timeout fails it)
        assert time.clock_gettime(time.CLOCK_MONOTONIC) - real >= 0.2
        assert time.perf_counter() == started


def test_a_throttled_publish_is_discarded_and_the_connection_kept(cloud, thing, devices) -> None:
    # AWS IoT Core drops publishes over a rate and keeps the client connected; a QoS 1 one gets no
    # PUBACK, so the client's own retry or timeout decides (AWS support, "MQTT messages when
    # throttling occurs")
    rule = cloud.faults.add(
        provider="aws-mqtt",
        operation="Publish",
        match={"clientId": "chatty"},
        throttle={"rate": 0.01, "burst": 1},
    )
    listener, chatty = devices("listener", thing("listener")), devices("chatty", thing("chatty"))
    listener.subscribe("chatty/#")
    chatty.publish("chatty/1", "first")  # the bucket's one token
    late = chatty.client.publish("chatty/1", "second", 1)
    chatty.client.publish("chatty/1", "third", 0)
    assert not late.wait_for_publish(timeout=1)  # no PUBACK for the throttled QoS 1 message
    assert listener.topics() == ["chatty/1"]  # only the first got through
    assert not chatty.disconnected.is_set()
    throttled = cloud.journal.calls(operation="Publish", rule=rule.id, params={"clientId": "chatty"})
    assert [(e.code, e.action) for e in throttled] == [("THROTTLED", "throttle")] * 2
    assert chatty.subscribe("chatty/2") == (1,)  # still connected and answered


def test_a_throttled_subscribe_fails_in_its_suback(cloud, thing, devices) -> None:
    cloud.faults.add(
        provider="aws-mqtt",
        operation="Subscribe",
        match={"clientId": "subs"},
        throttle={"rate": 0.01, "burst": 1},
    )
    device = devices("subs", thing("subs"))
    assert device.subscribe("subs/1") == (1,)
    assert device.subscribe("subs/2") == (0x80,)  # the SUBACK's failure code
    assert not device.disconnected.is_set()


@pytest.fixture
def broker():
    cloud = FakeCloud()
    with Broker(cloud, port=0, tls_port=None, connect_timeout=0.5) as running:
        yield running


def raw(broker: Broker, data: bytes) -> bytes:
    """Send bytes, read until the broker closes (or a second passes)."""
    with socket.create_connection(("127.0.0.1", broker.port), timeout=2) as conn:
        conn.sendall(data)
        conn.settimeout(2)
        received = b""
        try:
            while chunk := conn.recv(4096):
                received += chunk
        except TimeoutError:
            received += b"<open>"
        return received


CONNECT = bytes.fromhex("101000044d5154540402003c000474657374")  # clean session, client id "test"


def test_malformed_packets_close_the_connection(broker) -> None:
    assert raw(broker, b"\xff\xff\xff\xff\xff") == b""  # a reserved type, a broken length
    assert raw(broker, b"\x10\x05garbage") == b""  # a CONNECT whose body does not decode
    assert raw(broker, CONNECT[:-2]) == b""  # a cut CONNECT: closed when the connect time is up
    assert raw(broker, b"\x30\x02\x00\x00") == b""  # a PUBLISH before CONNECT


def test_a_client_that_never_connects_is_closed(broker) -> None:
    with socket.create_connection(("127.0.0.1", broker.port), timeout=3) as conn:
        started = time.monotonic()
        assert conn.recv(10) == b""
        assert time.monotonic() - started < 2.5


def test_an_oversized_packet_is_cut_off_at_its_header(broker) -> None:
    with socket.create_connection(("127.0.0.1", broker.port), timeout=3) as conn:
        conn.sendall(CONNECT)
        assert conn.recv(4)[:1] == b"\x20"  # CONNACK (refused: no such device, but answered)
    # a PUBLISH announcing 200 MB: refused from the header, nothing buffered
    assert raw(broker, b"\x30\xff\xff\xff\x7f") == b""


def test_the_broker_survives_and_http_keeps_serving(served, thing, devices) -> None:
    for junk in (b"\x00", b"\x10\xff\xff\xff\xff\x0f", b"\x10\x00", bytes(range(256))):
        with socket.create_connection(("127.0.0.1", served.mqtt.port), timeout=2) as conn:
            conn.sendall(junk)
    assert requests.get(f"{served.url}/_iotfake/health", timeout=5).status_code == 200
    devices("lamp", thing("lamp"))


def test_an_unauthenticated_tls_client_is_refused(served) -> None:
    device = Device("anyone").tls(served.cloud.ca_pem)
    try:
        assert device.connect(served.mqtt.tls_port) == 5
    finally:
        device.close()
