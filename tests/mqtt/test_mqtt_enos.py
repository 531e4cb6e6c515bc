"""EnOS's device side: static login and dynamic activation by the SDK's signature, status through
the Connect API, measure point replies; and the enos-mqtt-sdk-python client itself."""

from __future__ import annotations

import time

import pytest
from _enos import Enos

from iotfake.mqtt.enos import signature
from iotfake.transports import requests_session

from ._device import Device


@pytest.fixture
def enos(cloud):
    session = requests_session(cloud)

    def send(method, path, body, headers):
        return session.request(method, path, json=body, headers=headers).json()

    return Enos(send)


@pytest.fixture
def meters(served):
    made: list[Device] = []

    def login(
        device_key: str,
        product_key: str,
        secret: str,
        *,
        mode: int = 2,
        expect: int | None = 0,
        sign: str | None = None,
    ) -> Device:
        timestamp = str(int(time.time() * 1000))
        client_id = f"{device_key}|securemode={mode},signmethod=hmacsha256,timestamp={timestamp}|"
        params = {
            "productKey": product_key,
            "deviceKey": device_key,
            "clientId": device_key,
            "timestamp": timestamp,
        }
        password = sign or signature(secret, params, "hmacsha256")
        device = Device(client_id, username=f"{device_key}&{product_key}", password=password)
        made.append(device)
        code = device.connect(served.mqtt.port, host="127.0.0.1")
        if expect is not None:
            assert code == expect, f"CONNACK {code}, expected {expect}"
        return device

    yield login
    for device in made:
        device.close()


def status(enos: Enos, product_key: str, device_key: str) -> dict:
    answer = enos.get(productKey=product_key, deviceKey=device_key)
    assert answer["code"] == 0, answer
    return answer["data"]


def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.02)


def test_static_login_brings_the_device_online_and_back_offline(enos, meters) -> None:
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-1")
    assert status(enos, pk, "meter-1")["status"] == "inactive"
    meter = meters("meter-1", pk, made["deviceSecret"])
    seen = status(enos, pk, "meter-1")
    assert seen["status"] == "online" and seen["activeTime"] > 0
    meter.close()
    wait_for(lambda: status(enos, pk, "meter-1")["status"] == "offline")
    assert status(enos, pk, "meter-1")["lastOfflineTime"] >= seen["activeTime"]


def test_a_device_logged_in_twice_is_offline_only_once_both_have_gone(cloud, enos, meters) -> None:
    """The SDK's client ids carry a timestamp, so two logins of one device are two connections."""
    pk = enos.product()
    secret = enos.device(pk, deviceKey="meter-1")["deviceSecret"]
    first = meters("meter-1", pk, secret)
    time.sleep(0.002)  # another millisecond: another client id
    second = meters("meter-1", pk, secret)
    first.close()
    wait_for(lambda: len(cloud.journal.calls(provider="enos-mqtt", operation="Disconnect")) == 1)
    assert status(enos, pk, "meter-1")["status"] == "online"  # the second login is still there
    second.close()
    wait_for(lambda: status(enos, pk, "meter-1")["status"] == "offline")


def test_wrong_secrets_and_disabled_devices_are_refused(cloud, enos, meters) -> None:
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-1")
    meters("meter-1", pk, "not-the-secret", expect=4)
    meters("ghost", pk, "x", expect=4)
    assert enos.call("devices", "disable", None, productKey=pk, deviceKey="meter-1")["code"] == 0
    meters("meter-1", pk, made["deviceSecret"], expect=5)
    entry = cloud.journal.last(provider="enos-mqtt", operation="Connect")
    assert entry.code == "CONNACK 5" and "disabled" in entry.params["reason"]


def test_a_measure_point_post_is_acknowledged(enos, meters) -> None:
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-1")
    meter = meters("meter-1", pk, made["deviceSecret"])
    topic = f"/sys/{pk}/meter-1/thing/measurepoint/post"
    meter.subscribe(topic + "_reply")
    meter.publish(
        topic,
        {
            "id": "7",
            "version": "1.0",
            "method": "thing.measurepoint.post",
            "params": {"measurepoints": {"power": 3.2}},
        },
    )
    assert meter.receive(topic + "_reply") == {"id": "7", "code": 200, "data": {}, "message": ""}
    assert status(enos, pk, "meter-1")["measurepointLastUpdate"] > 0
    assert meter.subscribe(f"/sys/{pk}/other-meter/thing/measurepoint/post_reply") == (0x80,)


def test_feature_last_update_is_the_latest_of_the_three(cloud, enos, meters) -> None:
    """GetDevice's ``featureLastUpdate`` is "the last time when a measurement point, an event,
    or an attribute was updated" (the Get Device page): it stayed null after every post."""
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-1")
    assert status(enos, pk, "meter-1")["featureLastUpdate"] is None
    meter = meters("meter-1", pk, made["deviceSecret"])
    base = f"/sys/{pk}/meter-1/thing"
    for topic, params in [
        (f"{base}/measurepoint/post", {"measurepoints": {"power": 3.2}}),
        (f"{base}/event/alarm/post", {"events": {"level": 1}}),
        (f"{base}/attribute/update", {"attributes": {"color": "red"}}),
    ]:
        cloud.clock.advance(5)
        meter.subscribe(topic + "_reply")
        meter.publish(topic, {"id": "1", "version": "1.0", "params": params})
        assert meter.receive(topic + "_reply")["code"] == 200
        seen = status(enos, pk, "meter-1")
        stamps = [seen[f"{kind}LastUpdate"] for kind in ("measurepoint", "event", "attribute")]
        assert seen["featureLastUpdate"] == max(t for t in stamps if t is not None)
    assert seen["featureLastUpdate"] == seen["attributeLastUpdate"] > seen["measurepointLastUpdate"]
    listed = enos.search("deviceKey = 'meter-1'")["data"][0]
    assert listed["featureLastUpdate"] == seen["featureLastUpdate"]


def test_a_post_that_is_not_json_is_answered_and_the_session_stays(enos, meters) -> None:
    """NaN, and nesting past Python's recursion (which once ended the device's session), are
    answered as any other payload that is not a JSON object: EnOS's common return code 1220
    (Device Protocol for MQTT, "Common Parameters"; the fake answered 1000 before)."""
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-1")
    meter = meters("meter-1", pk, made["deviceSecret"])
    topic = f"/sys/{pk}/meter-1/thing/measurepoint/post"
    meter.subscribe(topic + "_reply")
    for payload in (b"[" * 5000 + b"]" * 5000, b'{"id": "1", "params": {"measurepoints": {"p": NaN}}}'):
        meter.publish(topic, payload)
        refused = {"id": None, "code": 1220, "data": None, "message": "Payload format error"}
        assert meter.receive(topic + "_reply") == refused
    meter.publish(topic, {"id": "2", "params": {"measurepoints": {"p": 1}}})
    assert meter.receive(topic + "_reply")["code"] == 200


@pytest.mark.parametrize("action", ["disable", "delete"])
def test_a_disabled_or_deleted_device_is_logged_out(cloud, enos, meters, action: str) -> None:
    """The registry decides who stays, not only who gets in: its session was answered on."""
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-1")
    other = enos.device(pk, deviceKey="meter-2")
    meter = meters("meter-1", pk, made["deviceSecret"])
    bystander = meters("meter-2", pk, other["deviceSecret"])
    assert enos.call("devices", action, None, productKey=pk, deviceKey="meter-1")["code"] == 0
    assert meter.disconnected.wait(5)
    entry = cloud.journal.last(provider="enos-mqtt", operation="Disconnect")
    assert entry.params["reason"] == "AUTH_ERROR" and entry.params["detail"].endswith(action + "d")
    assert not bystander.disconnected.is_set()


@pytest.mark.parametrize("action", ["disable", "delete"])
def test_a_withdrawn_device_s_last_will_is_not_served_as_its_own_post(served, cloud, enos, action) -> None:
    """[I] EnOS documents no disconnect reasons: a disabled or deleted device's will, on its own
    topic, was served as that device's measure point post (journaled OK for a device GetDevice
    no longer finds). AWS's reasons table sends a will after AUTH_ERROR; EnOS keeps it back."""
    import json

    from iotfake.mqtt.enos import static_login

    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-1")
    client_id, username, password = static_login("meter-1", pk, made["deviceSecret"])
    meter = Device(client_id, username=username, password=password)
    post = {"id": "w", "params": {"measurepoints": {"p": 1}}}
    meter.client.will_set(f"/sys/{pk}/meter-1/thing/measurepoint/post", json.dumps(post), qos=1)
    try:
        assert meter.connect(served.mqtt.port, host="127.0.0.1") == 0
        assert enos.call("devices", action, None, productKey=pk, deviceKey="meter-1")["code"] == 0
        assert meter.disconnected.wait(5)
        time.sleep(0.5)  # a will goes out right after the Disconnect entry: none must follow
        assert cloud.journal.calls(provider="enos-mqtt", operation="Publish", params={"will": True}) == []
    finally:
        meter.close()


def test_dynamic_activation_pushes_the_secret(enos, meters) -> None:
    pk = enos.product(dynamicActivateEnabled=True)
    product_secret = enos.call("products", "get", productKey=pk)["data"]["productSecret"]
    made = enos.device(pk, deviceKey="meter-2")
    meter = meters("meter-2", pk, product_secret, mode=3)
    info = meter.receive(f"/ext/session/{pk}/meter-2/thing/activate/info")
    assert info["params"] == {"productKey": pk, "deviceKey": "meter-2", "deviceSecret": made["deviceSecret"]}
    meter.close()
    meters("meter-2", pk, product_secret, mode=3, expect=5)  # activated once: log in with the secret now
    closed = enos.product()
    enos.device(closed, deviceKey="meter-3")
    secret = enos.call("products", "get", productKey=closed)["data"]["productSecret"]
    meters("meter-3", closed, secret, mode=3, expect=5)


@pytest.mark.e2e  # a real SDK with its own threads and timeouts: the README command runs it
def test_the_enos_sdk_logs_in_and_activates(served, enos) -> None:
    from enos.core.MqttClient import MqttClient

    pk = enos.product(dynamicActivateEnabled=True)
    made = enos.device(pk, deviceKey="sdk-1")
    url = f"tcp://127.0.0.1:{served.mqtt.port}"
    client = MqttClient(url, pk, "sdk-1", made["deviceSecret"])
    client.get_profile().set_auto_reconnect(False)
    client.connect()
    try:
        assert client.is_connected()
        assert status(enos, pk, "sdk-1")["status"] == "online"
    finally:
        client.close()
    enos.device(pk, deviceKey="sdk-2")
    product_secret = enos.call("products", "get", productKey=pk)["data"]["productSecret"]
    from enos.core.internal.Profile import Profile
    from enos.core.login.DynamicActivationLogin import DynamicActivationLogin

    secrets: list[str] = []
    profile = Profile.create_instance(DynamicActivationLogin(url, pk, product_secret, "sdk-2"))
    profile.set_auto_reconnect(False)
    dynamic = MqttClient(profile=profile)
    dynamic.on_device_dynamic_active = secrets.append
    dynamic.connect()
    try:
        wait_for(lambda: bool(secrets))
        assert secrets == [status(enos, pk, "sdk-2")["deviceSecret"]]
    finally:
        dynamic.close()


def test_every_request_a_device_sends_is_answered(cloud, enos, meters) -> None:
    """The SDK's blocking publish waits on ``<topic>_reply`` for every request: only measure
    point posts were answered, so events, attribute updates and the rest waited out the SDK's
    timeout (30 s) and raised. Attribute updates reach the registry."""
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-1")
    meter = meters("meter-1", pk, made["deviceSecret"])
    base = f"/sys/{pk}/meter-1/thing"

    def ask(topic: str, payload, **params) -> dict:
        meter.subscribe(topic + "_reply")
        body = payload if payload is not None else {"id": "9", "version": "1.0", "params": params}
        meter.publish(topic, body)
        return meter.receive(topic + "_reply")

    ok = {"id": "9", "code": 200, "data": {}, "message": ""}
    assert ask(f"{base}/measurepoint/post/batch", None, measurepoints=[]) == ok
    assert ask(f"{base}/event/alarm/post", None, events={"level": 1}) == ok
    assert ask(f"{base}/attribute/update", None, attributes={"color": "red", "size": 3}) == ok
    assert status(enos, pk, "meter-1")["deviceAttributes"] == {"color": "red", "size": 3}
    assert ask(f"{base}/attribute/query", None, attributes=["color"])["data"] == {"color": "red"}
    assert ask(f"{base}/attribute/delete", None, attributes=["size"]) == ok
    seen = status(enos, pk, "meter-1")
    assert seen["deviceAttributes"] == {"color": "red"} and seen["attributeLastUpdate"] > 0
    assert seen["eventLastUpdate"] > 0
    assert ask(f"{base}/topo/get", None)["data"] == []  # the fake has no gateways
    unsupported = ask(f"{base}/tsltemplate/get", None)
    assert (unsupported["code"], unsupported["message"]) == (1009, "The MQTT topic is not supported")
    assert ask(f"{base}/event/alarm/post", b"") == {
        "id": None,
        "code": 1251,
        "data": None,
        "message": "Payload is empty",
    }
    meter.subscribe(f"/sys/{pk}/meter-1/thing/service/reboot_reply_reply")
    meter.publish(f"/sys/{pk}/meter-1/thing/service/reboot_reply", {"id": "1", "code": 200})  # its own reply
    assert meter.topics() == []


def test_a_connect_rule_matching_the_device_key_fires(cloud, enos, meters) -> None:
    """The device key comes from the user name before the login is checked: the rule was asked
    before admission had put it in the call, and never fired."""
    pk = enos.product()
    first = enos.device(pk, deviceKey="meter-1")
    second = enos.device(pk, deviceKey="meter-2")
    cloud.faults.add(provider="enos-mqtt", operation="Connect", match={"deviceKey": "meter-1"}, error="5")
    meters("meter-1", pk, first["deviceSecret"], expect=5)
    assert status(enos, pk, "meter-1")["status"] == "inactive"
    meters("meter-2", pk, second["deviceSecret"])
    entry = cloud.journal.last(provider="enos-mqtt", operation="Connect", params={"deviceKey": "meter-1"})
    assert entry.code == "CONNACK 5" and entry.rule is not None


def test_a_connect_rule_matching_the_organisation_tenant_or_secure_mode_fires(cloud, enos, meters) -> None:
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-1")
    for match in ({"orgId": "o1"}, {"secureMode": 2}, {"tenant": "o1"}):
        rule = cloud.faults.add(provider="enos-mqtt", operation="Connect", match=match, error="5", times=1)
        meters("meter-1", pk, made["deviceSecret"], expect=5)
        assert cloud.journal.last(provider="enos-mqtt", operation="Connect").rule == rule.id
    meters("meter-1", pk, made["deviceSecret"])


def test_a_dropped_connection_is_journaled_naming_its_rule(cloud, enos, meters) -> None:
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-1")
    meter = meters("meter-1", pk, made["deviceSecret"])
    rule = cloud.faults.add(provider="enos-mqtt", operation="Publish", drop=True, times=1)
    meter.client.publish(f"/sys/{pk}/meter-1/thing/measurepoint/post", b'{"id": "1"}', 1)
    assert meter.disconnected.wait(5)
    entry = cloud.journal.last(provider="enos-mqtt", operation="Publish")
    assert (entry.rule, entry.action, entry.code) == (rule.id, "drop", None)


def test_a_replaced_device_s_old_login_is_logged_out(cloud, enos, meters) -> None:
    """After ReplaceDevice the old key and secret cannot log in; its live session went on
    posting for the asset and kept it online after the new device had left."""
    pk = enos.product()
    made = enos.device(pk, deviceKey="meter-1")
    meter = meters("meter-1", pk, made["deviceSecret"])
    replaced = enos.call(
        "devices", "replaceDevice", {"newDeviceKey": "meter-9"}, productKey=pk, deviceKey="meter-1"
    )
    assert replaced["code"] == 0, replaced
    assert meter.disconnected.wait(5)
    entry = cloud.journal.last(provider="enos-mqtt", operation="Disconnect")
    assert entry.params["reason"] == "AUTH_ERROR" and "replaced by meter-9" in entry.params["detail"]
