"""Who may publish where, what a connection may hold, and what outlives it: one client id per
connection, a device's own topics only, reserved topics, retained messages, slow readers, last
wills, and a reset that leaves no connection behind."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time

import pytest
from _enos import Enos
from freezegun import freeze_time

from iotfake.mqtt import broker as broker_module
from iotfake.mqtt import session as session_module
from iotfake.mqtt.enos import static_login as enos_login

from ._device import Device
from .conftest import EVERYTHING


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def _packet(first: int, body: bytes) -> bytes:
    length, encoded = len(body), b""
    while True:
        digit, length = length % 128, length // 128
        encoded += bytes([digit | (0x80 if length else 0)])
        if not length:
            return bytes([first]) + encoded + body


def connect_packet(client_id: str, username: str, password: str) -> bytes:
    body = _string("MQTT") + bytes([4, 0x80 | 0x40 | 0x02]) + struct.pack("!H", 0)
    return _packet(0x10, body + _string(client_id) + _string(username) + _string(password))


@pytest.fixture
def fleet(cloud):
    """An EnOS product with two devices: (product key, {device key: secret})."""
    enos = Enos.wsgi(cloud)
    product = enos.product()
    return product, {key: enos.device(product, deviceKey=key)["deviceSecret"] for key in ("dev0", "dev1")}


@pytest.fixture
def meters(served):
    made: list[Device] = []

    def login(device_key: str, product_key: str, secret: str) -> Device:
        client_id, username, password = enos_login(
            device_key, product_key, secret, str(int(time.time() * 1000))
        )
        device = Device(client_id, username=username, password=password)
        made.append(device)
        assert device.connect(served.mqtt.port, host="127.0.0.1") == 0
        return device

    yield login
    for device in made:
        device.close()


def test_a_client_id_holds_one_connection_even_when_two_arrive_together(served, fleet) -> None:
    product, secrets = fleet
    client_id, username, password = enos_login("dev0", product, secrets["dev0"], "777")
    hello = connect_packet(client_id, username, password)
    for _ in range(8):
        first = socket.create_connection(("127.0.0.1", served.mqtt.port))
        first.sendall(hello)
        first.recv(4)
        racers = [socket.create_connection(("127.0.0.1", served.mqtt.port)) for _ in range(2)]
        start = threading.Barrier(2)

        def go(conn: socket.socket, start: threading.Barrier = start) -> None:
            start.wait()
            conn.sendall(hello)

        threads = [threading.Thread(target=go, args=(conn,)) for conn in racers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(0.3)
        assert served.mqtt.clients().count(client_id) == 1
        for conn in (first, *racers):
            conn.close()
        time.sleep(0.1)


def test_an_enos_device_publishes_only_on_its_own_topics(fleet, meters) -> None:
    product, secrets = fleet
    victim, spoofer = meters("dev1", product, secrets["dev1"]), meters("dev0", product, secrets["dev0"])
    assert victim.subscribe(f"/sys/{product}/dev1/#") == (1,)
    # dev1's keys appear in the topic, but not where EnOS's topics put the device's own
    spoofer.client.publish(f"/sys/{product}/dev1/thing/service/invoke/x/{product}/dev0/", "spoofed", 1)
    assert spoofer.disconnected.wait(5)
    assert victim.topics() == []
    assert victim.subscribe(f"/ext/{product}/dev1/x/{product}/dev1/") == (0x80,)


def test_devices_cannot_publish_lifecycle_events_or_service_answers(cloud, thing, devices) -> None:
    watcher, spoofer = devices("watcher", thing("watcher")), devices("spoofer", thing("spoofer"))
    watcher.subscribe("$aws/events/presence/connected/+")
    watcher.topics()  # the spoofer's own connect event, if it came late
    spoofer.client.publish(
        "$aws/events/presence/connected/someone-else", json.dumps({"eventType": "connected"}), 1
    )
    assert spoofer.disconnected.wait(5)
    assert "$aws/events/presence/connected/someone-else" not in watcher.topics()
    entry = cloud.journal.last(operation="Publish", params={"clientId": "spoofer"})
    assert entry.code == "NOT_AUTHORIZED"
    # the requests a device does send on $aws topics still reach their services
    lamp = devices("lamp", thing("lamp"))
    assert (
        lamp.request("$aws/things/lamp/shadow/update", {"state": {"reported": {"on": True}}})["version"] == 1
    )


def test_a_retained_publish_needs_iot_retain_publish(cloud, thing, devices, iot_data) -> None:
    no_retain = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["iot:Connect", "iot:Publish", "iot:Subscribe", "iot:Receive"],
                    "Resource": "*",
                }
            ],
        }
    )
    device = devices("keeper", thing("keeper", no_retain))
    device.publish("lamps/state", "plain")  # a plain publish is fine
    device.client.publish("lamps/state", "kept", 1, retain=True)
    assert device.disconnected.wait(5)
    assert iot_data.list_retained_messages()["retainedTopics"] == []
    allowed = devices("retainer", thing("retainer", EVERYTHING))
    allowed.publish("lamps/state", "kept", retain=True)
    assert iot_data.get_retained_message(topic="lamps/state")["payload"] == b"kept"


def test_a_client_that_does_not_read_is_not_buffered_for_without_end(
    served, thing, devices, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_module, "MAX_BACKLOG", 256 * 1024)
    listener = devices("sleepy", thing("sleepy"))
    listener.subscribe("flood/#", qos=0)
    listener.client.loop_stop()  # stops reading: the broker's writes pile up
    talker = devices("talker", thing("talker"))
    for n in range(60):
        talker.client.publish(f"flood/{n}", b"x" * 100_000, 0)
    talker.publish("flood/last", b"y")
    session = next(s for s in served.mqtt._sessions.values() if s.client_id == "sleepy")
    deadline = time.monotonic() + 5
    while not session.dropped and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session.dropped > 0
    assert session.writer.transport.get_write_buffer_size() < 256 * 1024 + broker_module.MAX_PACKET


def test_a_last_will_is_published_when_a_connection_breaks(served, thing, devices) -> None:
    listener = devices("listener", thing("listener"))
    listener.subscribe("wills/#")
    cert = thing("mortal")
    for ending, expected in (("break", ["wills/mortal"]), ("disconnect", [])):
        mortal = Device("mortal")
        mortal.client.will_set("wills/mortal", "gone", qos=1)
        mortal.tls(served.cloud.ca_pem, cert["certificatePem"], cert["keyPair"]["PrivateKey"])
        assert mortal.connect(served.mqtt.tls_port) == 0
        if ending == "break":
            mortal.client.socket().close()  # no DISCONNECT: the will goes out
            mortal.client.loop_stop()
        else:
            mortal.close()
        assert listener.topics(settle=0.5) == expected, ending
    entry = served.cloud.journal.calls(operation="Publish", params={"clientId": "mortal", "will": True})
    assert [e.code for e in entry] == ["OK"]


def test_a_reset_ends_every_connection_and_forgets_them(served, cloud, thing, devices) -> None:
    old = devices("old-lamp", thing("old-lamp"))
    realm = ("aws", cloud.aws.account("123456789012", "us-east-1").id)
    assert served.mqtt.connection(realm, "old-lamp")["connected"] is True
    cloud.reset()
    assert old.disconnected.wait(5)
    assert served.mqtt.connection(realm, "old-lamp") is None
    assert served.mqtt.clients() == []


def test_a_retained_message_arrives_at_the_subscriptions_qos(thing, devices) -> None:
    keeper = devices("keeper", thing("keeper"))
    keeper.publish("lamps/kept", "on", qos=1, retain=True)
    late = devices("late", thing("late"))
    got: list[int] = []
    late.client.on_message = lambda client, userdata, message: got.append(message.qos)
    late.subscribe("lamps/kept", qos=0)
    deadline = time.monotonic() + 5
    while not got and time.monotonic() < deadline:
        time.sleep(0.05)
    assert got == [0]  # the lower of the message's QoS 1 and the subscription's 0 (3.8.4)


def test_disconnects_are_remembered_within_a_bound(served, fleet, meters, monkeypatch) -> None:
    monkeypatch.setattr(broker_module, "MAX_GONE", 3)
    product, secrets = fleet
    for _ in range(5):  # EnOS client ids carry a timestamp: each login is a new id
        meters("dev0", product, secrets["dev0"]).close()
        time.sleep(0.01)
    deadline = time.monotonic() + 5
    while len(served.mqtt._gone) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    assert len(served.mqtt._gone) == 3


def test_a_device_clients_receive_says_what_it_waited_for(thing, devices) -> None:
    device = devices("quiet", thing("quiet"))
    with pytest.raises(AssertionError, match=r"no message on nothing/here within 0\.2 s"):
        device.receive("nothing/here", timeout=0.2)


def _own(pk: str) -> bytes:
    return _string(f"/sys/{pk}/dev0/x")


MALFORMED = {
    "SUBSCRIBE asking QoS 3 (3.8.3-4)": lambda pk: _packet(0x82, b"\x00\x01" + _own(pk) + b"\x03"),
    "SUBSCRIBE with reserved flags (3.8.1-1)": lambda pk: _packet(0x80, b"\x00\x01" + _own(pk) + b"\x00"),
    "UNSUBSCRIBE naming nothing (3.10.3-2)": lambda pk: _packet(0xA2, b"\x00\x01"),
    "PUBLISH QoS 1 with packet id 0 (2.3.1-1)": lambda pk: _packet(0x32, _own(pk) + b"\x00\x00x"),
    "PUBLISH to a topic that is not UTF-8 (1.5.3-1)": lambda pk: _packet(0x30, b"\x00\x02\xff\xfex"),
    "PUBLISH to a topic holding U+0000 (1.5.3-2)": lambda pk: _packet(
        0x30, _string(f"/sys/{pk}/dev0/\x00") + b"x"
    ),
    "PUBLISH QoS 0 with DUP set (3.3.1-2)": lambda pk: _packet(0x38, _own(pk) + b"x"),
    "PINGREQ with a body (3.12)": lambda pk: b"\xc0\x01\x00",
    "PUBACK of 3 bytes (3.4.2)": lambda pk: _packet(0x40, b"\x00\x01\x00"),
}


def _until_closed(conn: socket.socket) -> bytes:
    """What the broker sends until it closes the connection (a test failure if it does not)."""
    received = b""
    try:
        while chunk := conn.recv(4096):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the connection stayed open (answered {received!r})")
    return received


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_packets_of_a_connected_client_close_its_connection(served, fleet, case: str) -> None:
    product, secrets = fleet
    now = str(int(time.time() * 1000))
    client_id, username, password = enos_login("dev0", product, secrets["dev0"], now)
    with socket.create_connection(("127.0.0.1", served.mqtt.port), timeout=3) as conn:
        conn.sendall(connect_packet(client_id, username, password))
        assert conn.recv(4) == b"\x20\x02\x00\x00"
        conn.sendall(MALFORMED[case](product))
        received = _until_closed(conn)
    assert received == b"", f"{case}: answered {received!r} before closing"


def test_aws_closes_a_connection_that_asks_for_more_than_8_filters_at_once(cloud, thing, devices) -> None:
    lamp = devices("lamp", thing("lamp"))
    _, mid = lamp.client.subscribe([(f"lamp/{i}", 1) for i in range(8)])
    lamp._wait(mid)
    assert lamp.granted[mid] == (1,) * 8
    lamp.client.subscribe([(f"more/{i}", 1) for i in range(9)])  # what a resubscribe-all sends
    assert lamp.disconnected.wait(5)
    entry = cloud.journal.last(operation="Subscribe", params={"clientId": "lamp"})
    assert (entry.code, entry.params["filters"]) == ("TOO_MANY_FILTERS", 9)


def test_a_subscribe_asking_for_qos_2_gets_no_suback_and_the_connection_closes(cloud, thing, devices) -> None:
    # AWS ("MQTT", differences from the specification): "When QoS level 2 is requested, the AWS
    # IoT message broker does not send a PUBACK or SUBACK"; a QoS 2 PUBLISH closes the connection,
    # and so does this
    lamp = devices("lamp", thing("lamp"))
    lamp.client.subscribe([("lamp/a", 1), ("lamp/b", 2)])
    assert lamp.disconnected.wait(5)
    entry = cloud.journal.last(operation="Subscribe", params={"clientId": "lamp"})
    assert (entry.code, entry.params["filters"]) == ("QOS_2", 2)
    assert devices("lamp", thing("lamp2")).subscribe("lamp/a", qos=1) == (1,)


def test_aws_holds_at_most_50_subscriptions_per_connection(cloud, thing, devices) -> None:
    lamp = devices("lamp", thing("lamp"))
    for batch in range(6):  # 48
        _, mid = lamp.client.subscribe([(f"t/{batch}/{i}", 1) for i in range(8)])
        lamp._wait(mid)
    assert lamp.subscribe("t/0/0") == (1,)  # one it holds already: still 48
    assert lamp.subscribe("t/x") == (1,) and lamp.subscribe("t/y") == (1,)  # 50
    lamp.client.subscribe("t/z", 1)
    assert lamp.disconnected.wait(5)
    assert cloud.journal.last(operation="Subscribe", params={"clientId": "lamp"}).code == (
        "TOO_MANY_SUBSCRIPTIONS"
    )


def test_aws_defaults_limit_connects_and_publishes_per_client_id(cloud, thing, devices) -> None:
    cert = thing("lamp")
    with freeze_time("2030-01-01 00:00:00"):
        cloud.faults.apply_profile("aws-defaults")
        lamp = devices("lamp", cert)
        lamp.subscribe("lamp/echo")
        for i in range(100):  # 100 inbound publishes a second on one connection
            lamp.publish("lamp/echo", {"n": i}, qos=0)
        lamp.publish("lamp/echo", {"n": 100}, qos=0)  # discarded: the connection stays up
        assert [lamp.receive("lamp/echo")["n"] for _ in range(100)] == list(range(100))
        lamp.close()
        devices("lamp", cert, expect=3)  # a second CONNECT for the client id within the second
        cloud.clock.advance(1)
        assert devices("lamp", cert).subscribe("lamp/echo") == (1,)
    assert cloud.journal.last(operation="Publish", params={"clientId": "lamp"}).code == "THROTTLED"
    cloud.journal.assert_fault_fired("aws-defaults:mqtt-connect-per-client-id", times=1)


def test_the_50_subscription_cap_counts_only_what_would_be_held(cloud, thing, devices) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iot:*", "Resource": "*"},
                {
                    "Effect": "Deny",
                    "Action": "iot:Subscribe",
                    "Resource": "arn:aws:iot:us-east-1:123456789012:topicfilter/denied/*",
                },
            ],
        }
    )
    lamp = devices("lamp", thing("lamp", policy))
    for batch in range(6):
        _, mid = lamp.client.subscribe([(f"t/{batch}/{i}", 1) for i in range(8)])
        lamp._wait(mid)
    assert lamp.subscribe("t/x") == (1,)  # 49
    _, mid = lamp.client.subscribe([("t/y", 1), ("denied/b", 1)])  # refused ones are not held
    lamp._wait(mid)
    assert lamp.granted[mid] == (1, 0x80)
    assert not lamp.disconnected.is_set()


def test_aws_refuses_topics_over_256_bytes_or_7_slashes(cloud, thing, devices, iot_data) -> None:
    """AWS IoT Core's quotas: a longer topic disconnects its publisher and fails its filter; a
    Basic Ingest topic's first three slashes are not counted; iot-data's Publish refuses it."""
    lamp = devices("lamp", thing("lamp"))
    assert lamp.subscribe("a/b/c/d/e/f/g/h") == (1,)  # 7 slashes
    assert lamp.subscribe("a/b/c/d/e/f/g/h/i") == (0x80,)
    assert lamp.subscribe("x" * 257) == (0x80,)
    lamp.publish("$aws/rules/r1/a/b/c/d/e/f/g", b"{}")  # 10 slashes, 3 of them Basic Ingest's
    assert not lamp.disconnected.is_set()
    with pytest.raises(iot_data.exceptions.InvalidRequestException, match="at most 7"):
        iot_data.publish(topic="a/b/c/d/e/f/g/h/i", payload=b"{}")
    with pytest.raises(iot_data.exceptions.InvalidRequestException, match="at most 256 bytes"):
        iot_data.publish(topic="\u00e9" * 129, payload=b"{}")  # 258 bytes of UTF-8
    lamp.client.publish("a/" * 8 + "end", b"{}", 1)
    assert lamp.disconnected.wait(5)
    assert cloud.journal.last(operation="Publish", params={"clientId": "lamp"}).code == "REFUSED"


def test_an_enos_device_holds_at_most_1000_subscriptions(served, fleet, meters) -> None:
    product, secrets = fleet
    meter = meters("dev0", product, secrets["dev0"])
    own = f"/sys/{product}/dev0/thing"
    for start in range(0, 1000, 500):
        _, mid = meter.client.subscribe([(f"{own}/{n}", 0) for n in range(start, start + 500)])
        meter._wait(mid)
    meter.client.subscribe(f"{own}/one-more", 0)
    assert meter.disconnected.wait(5)


def _connect_with(flags: int, client_id: str, *fields: str) -> bytes:
    body = _string("MQTT") + bytes([4, flags]) + struct.pack("!H", 0) + _string(client_id)
    return _packet(0x10, body + b"".join(_string(field) for field in fields))


def _answer(served, packet: bytes) -> bytes:
    """What the broker sends back to ``packet`` before it closes the connection."""
    with socket.create_connection(("127.0.0.1", served.mqtt.port), timeout=3) as conn:
        conn.sendall(packet)
        return _until_closed(conn)


@pytest.mark.parametrize(
    ("flags", "fields"),
    [
        (0x02 | 0x01, ()),  # the reserved flag (3.1.2-3)
        (0x02 | 0x04 | 0x18, ("will/topic", "bye")),  # a will of QoS 3 (3.1.2-14)
        (0x02 | 0x08, ()),  # a will QoS without a will (3.1.2-13)
        (0x02 | 0x20, ()),  # a will retain without a will (3.1.2-15)
        (0x02 | 0x40, ("secret",)),  # a password without a user name (3.1.2-22)
        (0x02 | 0x04, ("wills/+", "bye")),  # a will topic is a topic name: no wildcard (3.3.2-2)
        (0x02 | 0x04, ("wills/#", "bye")),
        (0x02 | 0x04, ("", "bye")),  # nor empty (4.7.3-1)
    ],
)
def test_a_connect_with_flags_the_protocol_forbids_is_closed_unanswered(served, flags, fields) -> None:
    assert _answer(served, _connect_with(flags, "odd", *fields)) == b""


def _raw(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


@pytest.mark.parametrize(
    ("name", "level", "flags", "fields"),
    [
        (b"MQTT", 4, 0x02, (b"la\xffmp",)),  # a client id that is not UTF-8 (1.5.3-1)
        (b"MQTT", 4, 0x02 | 0x04, (b"lamp", b"wills/\xfe", b"bye")),  # nor a will topic
        (b"MQTT", 4, 0x02 | 0x80, (b"lamp", b"user\xc0")),  # nor a user name
        (b"MQTT", 4, 0x02, (b"la\x00mp",)),  # U+0000 in a string (1.5.3-2)
        (b"HTTP", 4, 0x02, (b"lamp",)),  # not MQTT at all (3.1.2-1)
        (b"MQIsdp", 4, 0x02, (b"lamp",)),  # 3.1's name for 3.1.1's level
    ],
)
def test_a_connect_whose_strings_or_protocol_are_wrong_is_closed_unanswered(
    served, name, level, flags, fields
) -> None:
    body = _raw(name) + bytes([level, flags]) + struct.pack("!H", 0) + b"".join(_raw(f) for f in fields)
    assert _answer(served, _packet(0x10, body)) == b""


def test_mqtt_3_1_is_answered_connack_1(served) -> None:
    body = _raw(b"MQIsdp") + bytes([3, 0x02]) + struct.pack("!H", 0) + _raw(b"lamp")
    assert _answer(served, _packet(0x10, body)) == b"\x20\x02\x00\x01"  # unacceptable protocol level


def test_an_aws_client_id_is_at_most_128_bytes(cloud, thing, devices) -> None:
    cert = thing("lamp")
    devices("l" * 128, cert).close()
    devices("l" * 129, cert, expect=2)  # CONNACK 2: identifier rejected
    assert "129 bytes" in cloud.journal.last(operation="Connect").params["reason"]


def test_an_empty_client_id_needs_a_clean_session(cloud, served) -> None:
    """3.1.3-8: CONNACK 2 (identifier rejected) without one; with one the server assigns an id,
    here without the ``/`` amqtt's had, which made presence topics one level deeper."""
    assert _answer(served, _connect_with(0x00, "")) == b"\x20\x02\x00\x02"
    entry = cloud.journal.last(operation="Connect")
    assert entry.code == "CONNACK 2" and "clean session" in entry.params["reason"]
    _answer(served, _connect_with(0x02, ""))  # refused by the side (no login), with an id of ours
    assigned = cloud.journal.last(operation="Connect").params["clientId"]
    assert assigned.startswith("iotfake-") and "/" not in assigned


def test_two_organisations_devices_of_the_same_keys_each_log_in_with_their_own_secret(served, cloud) -> None:
    """A seed may repeat a product key across organisations; the first org's device was the only
    one checked, so the second's could never log in."""

    def org(org_id: str, secret: str) -> dict:
        device = {"productKey": "SameP001", "deviceKey": "meter-001", "deviceSecret": secret}
        product = {"productKey": "SameP001", "productName": "M", "quota": 10}
        return {"orgId": org_id, "products": [product], "devices": [device]}

    cloud.seed({"enos": {"orgs": [org("o1", "secretAAAAAAAAAAAAAA"), org("o2", "secretBBBBBBBBBBBBBB")]}})
    for org_id, secret in (("o1", "secretAAAAAAAAAAAAAA"), ("o2", "secretBBBBBBBBBBBBBB")):
        client_id, username, password = enos_login(
            "meter-001", "SameP001", secret, str(int(time.time() * 1000))
        )
        device = Device(client_id, username=username, password=password)
        try:
            assert device.connect(served.mqtt.port, host="127.0.0.1") == 0
            assert cloud.journal.last(operation="Connect").params["orgId"] == org_id
        finally:
            device.close()
    client_id, username, password = enos_login("meter-001", "SameP001", "wrong", str(int(time.time() * 1000)))
    stranger = Device(client_id, username=username, password=password)
    try:
        assert stranger.connect(served.mqtt.port, host="127.0.0.1") == 4
    finally:
        stranger.close()


def test_basic_ingest_s_mandatory_segments_count_towards_neither_limit() -> None:
    from iotfake.providers.aws_iot.messages import topic_problem

    rule = "r" * 128
    assert topic_problem(f"$aws/rules/{rule}/" + "x" * 256) is None
    assert "257 bytes" in (topic_problem(f"$aws/rules/{rule}/" + "x" * 257) or "")
    assert topic_problem("$aws/rules/r/a/b/c/d/e/f/g/h") is None  # 7 after the prefix
    assert topic_problem("$aws/rules/r/a/b/c/d/e/f/g/h/i") is not None
    assert topic_problem("$aws/things/" + "t" * 128 + "/shadow/name/" + "s" * 64 + "/update/accepted") is None
