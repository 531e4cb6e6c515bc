"""Device Shadow rules seen by a device over MQTT (paho through the broker): names the iot-data
model forbids, arrays holding null, and when ``update/delta`` is published."""

from __future__ import annotations

import json

import pytest

BASE = "$aws/things/lamp/shadow"


def test_a_forbidden_shadow_name_is_rejected_and_stores_nothing(thing, devices, iot_data) -> None:
    device = devices("lamp", thing("lamp"))
    topic = "$aws/things/lamp/shadow/name/a.b/update"
    device.subscribe(f"{topic}/rejected")
    device.publish(topic, {"state": {"reported": {"on": True}}, "clientToken": "c"})
    answer = device.receive(f"{topic}/rejected")
    assert (answer["code"], answer["clientToken"]) == (400, "c")
    assert answer["message"] == (
        "1 validation error detected: Value 'a.b' at 'shadowName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [$a-zA-Z0-9:_-]+"
    )
    assert iot_data.list_named_shadows_for_thing(thingName="lamp")["results"] == []


def test_an_array_holding_null_is_rejected_over_mqtt(thing, devices, iot_data) -> None:
    device = devices("lamp", thing("lamp"))
    device.subscribe(f"{BASE}/update/rejected")
    device.publish(f"{BASE}/update", {"state": {"reported": {"colors": [None, "RED"]}}})
    answer = device.receive(f"{BASE}/update/rejected")
    assert (answer["code"], answer["message"]) == (400, "Arrays can't have null values")
    with pytest.raises(iot_data.exceptions.ResourceNotFoundException):
        iot_data.get_thing_shadow(thingName="lamp")


def test_a_device_deleting_a_reported_field_desired_still_has_gets_the_delta(
    thing, devices, iot_data
) -> None:
    device = devices("lamp", thing("lamp"))
    device.subscribe(f"{BASE}/update/delta")
    iot_data.update_thing_shadow(
        thingName="lamp", payload=b'{"state":{"desired":{"x":1},"reported":{"x":1}}}'
    )
    device.request(f"{BASE}/update", {"state": {"reported": {"x": None}}})
    delta = device.receive(f"{BASE}/update/delta")
    stamp = json.loads(iot_data.get_thing_shadow(thingName="lamp")["payload"].read())["metadata"]["desired"][
        "x"
    ]
    assert (delta["state"], delta["metadata"], delta["version"]) == ({"x": 1}, {"x": stamp}, 2)
