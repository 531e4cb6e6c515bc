"""Messages on shadow topics act on the shadow (the Device Shadow service's MQTT topics), here
driven by iot-data's Publish: the answers are published as events the broker delivers."""

from __future__ import annotations

import json

import pytest
from aws_helpers import in_process
from freezegun import freeze_time

from iotfake import FakeCloud

BASE = "$aws/things/lamp/shadow"


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud(seed=5)


@pytest.fixture
def published(cloud: FakeCloud) -> list[tuple[str, dict]]:
    """(topic, payload as JSON) of every message published, in order."""
    seen: list[tuple[str, dict]] = []

    def listen(batch) -> None:
        for change in batch:
            if change.kind == "published":
                event = change.after.data
                try:
                    seen.append((event["topic"], json.loads(event["payload"] or b"null")))
                except ValueError:
                    seen.append((event["topic"], {"raw": event["payload"].decode()}))

    cloud.changes.subscribe(listen)
    return seen


@pytest.fixture
def data(cloud: FakeCloud):
    return in_process(cloud, "iot-data")


def publish(data, topic: str, document: dict) -> None:
    data.publish(topic=topic, qos=1, payload=json.dumps(document).encode())


def test_an_update_on_the_topic_updates_the_shadow_and_answers(data, published) -> None:
    publish(data, f"{BASE}/update", {"state": {"desired": {"on": True}}, "clientToken": "t-1"})
    topics = [t for t, _ in published]
    assert topics == [
        f"{BASE}/update",
        f"{BASE}/update/accepted",
        f"{BASE}/update/delta",
        f"{BASE}/update/documents",
    ]
    accepted = published[1][1]
    assert accepted["state"] == {"desired": {"on": True}} and accepted["version"] == 1
    assert accepted["clientToken"] == "t-1"
    delta = published[2][1]
    assert delta["state"] == {"on": True} and delta["version"] == 1 and "timestamp" in delta["metadata"]["on"]
    documents = published[3][1]
    assert "previous" not in documents and documents["current"]["state"] == {"desired": {"on": True}}
    shadow = json.loads(data.get_thing_shadow(thingName="lamp")["payload"].read())
    assert shadow["state"]["delta"] == {"on": True}  # the same store iot-data reads
    published.clear()
    publish(data, f"{BASE}/update", {"state": {"reported": {"on": True}}})
    assert [t for t, _ in published] == [
        f"{BASE}/update",
        f"{BASE}/update/accepted",
        f"{BASE}/update/documents",
    ]
    assert published[2][1]["previous"]["version"] == 1 and published[2][1]["current"]["version"] == 2


def test_get_and_delete_on_their_topics(data, published) -> None:
    publish(data, f"{BASE}/get", {"clientToken": "g"})
    assert published[-1] == (
        f"{BASE}/get/rejected",
        {
            "code": 404,
            "message": "No shadow exists with name: 'lamp'",
            "timestamp": published[-1][1]["timestamp"],
            "clientToken": "g",
        },
    )
    publish(data, f"{BASE}/update", {"state": {"reported": {"level": 3}}})
    publish(data, f"{BASE}/get", {})
    topic, document = published[-1]
    assert topic == f"{BASE}/get/accepted" and document["state"] == {"reported": {"level": 3}}
    publish(data, f"{BASE}/delete", {})
    assert published[-1][0] == f"{BASE}/delete/accepted" and published[-1][1]["version"] == 1


def test_named_shadows_and_rejections(data, published) -> None:
    named = "$aws/things/lamp/shadow/name/config"
    publish(data, f"{named}/update", {"state": {"desired": {"mode": "eco"}}})
    assert published[1][0] == f"{named}/update/accepted"
    assert (
        json.loads(data.get_thing_shadow(thingName="lamp", shadowName="config")["payload"].read())["version"]
        == 1
    )
    publish(data, f"{named}/update", {"state": {"desired": {"mode": "x"}}, "version": 7})
    assert published[-1][0] == f"{named}/update/rejected"
    assert (published[-1][1]["code"], published[-1][1]["message"]) == (409, "Version conflict")
    data.publish(topic=f"{named}/update", payload=b"{not json")
    assert published[-1][0] == f"{named}/update/rejected" and published[-1][1]["code"] == 400


def test_other_topics_are_only_delivered(data, published) -> None:
    publish(data, "sensors/lamp/temperature", {"t": 21})
    publish(data, f"{BASE}/update/accepted", {"forged": True})  # a response topic is not a request
    assert [t for t, _ in published] == ["sensors/lamp/temperature", f"{BASE}/update/accepted"]


def test_iot_datas_update_and_delete_publish_on_the_shadow_topics(data, published) -> None:
    payload = b'{"state":{"desired":{"on":true}},"clientToken":"h-1"}'
    data.update_thing_shadow(thingName="lamp", payload=payload)
    assert [t for t, _ in published] == [
        f"{BASE}/update/accepted",
        f"{BASE}/update/delta",
        f"{BASE}/update/documents",
    ]
    assert all(document["clientToken"] == "h-1" for _, document in published)
    published.clear()
    data.delete_thing_shadow(thingName="lamp")
    assert [t for t, _ in published] == [f"{BASE}/delete/accepted"]
    assert published[0][1]["version"] == 1


def test_with_nobody_listening_no_message_is_built(cloud: FakeCloud, data, monkeypatch) -> None:
    from iotfake.providers.aws_iot import shadow_topics

    def built(*args, **kwargs):
        raise AssertionError("shadow topic messages built with nobody to hear them")

    monkeypatch.setattr(shadow_topics, "answers", built)
    answer = data.update_thing_shadow(thingName="lamp", payload=b'{"state":{"desired":{"on":true}}}')
    assert json.loads(answer["payload"].read())["state"] == {"desired": {"on": True}}
    data.delete_thing_shadow(thingName="lamp")
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.get_thing_shadow(thingName="lamp")


def test_an_array_holding_null_is_rejected_on_the_topic_too(data, published) -> None:
    """The guide ("Array values in shadow documents"): such an array "will be rejected"."""
    publish(data, f"{BASE}/update", {"state": {"reported": {"colors": ["RED"]}}})
    published.clear()
    publish(data, f"{BASE}/update", {"state": {"reported": {"colors": [None, "RED"]}}, "clientToken": "n"})
    assert published[1:] == [
        (
            f"{BASE}/update/rejected",
            {
                "code": 400,
                "message": "Arrays can't have null values",
                "timestamp": published[1][1]["timestamp"],
                "clientToken": "n",
            },
        )
    ]
    shadow = json.loads(data.get_thing_shadow(thingName="lamp")["payload"].read())
    assert (shadow["state"], shadow["version"]) == ({"reported": {"colors": ["RED"]}}, 1)


PATTERN = "failed to satisfy constraint: Member must satisfy regular expression pattern: "


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        (
            "$aws/things/lamp/shadow/name/a.b/update",
            f"1 validation error detected: Value 'a.b' at 'shadowName' {PATTERN}[$a-zA-Z0-9:_-]+",
        ),
        (
            f"$aws/things/lamp/shadow/name/{'n' * 65}/update",
            f"1 validation error detected: Value '{'n' * 65}' at 'shadowName' failed to satisfy constraint: "
            "Member must have length less than or equal to 64",
        ),
        (
            "$aws/things/la.mp/shadow/update",
            f"1 validation error detected: Value 'la.mp' at 'thingName' {PATTERN}[a-zA-Z0-9:_-]+",
        ),
        (
            f"$aws/things/{'t' * 129}/shadow/get",
            f"1 validation error detected: Value '{'t' * 129}' at 'thingName' failed to satisfy constraint: "
            "Member must have length less than or equal to 128",
        ),
    ],
)
def test_names_iot_data_forbids_are_rejected_on_the_topics(data, published, topic: str, message: str) -> None:
    """A thing or shadow name outside the iot-data model's patterns and lengths makes no shadow
    (the HTTP API could neither read nor delete it): a 400 on ``rejected``, nothing stored."""
    publish(data, topic, {"state": {"desired": {"a": 1}}, "clientToken": "c"})
    assert published[1:] == [
        (
            f"{topic}/rejected",
            {"code": 400, "message": message, "timestamp": published[1][1]["timestamp"], "clientToken": "c"},
        )
    ]
    assert data.list_named_shadows_for_thing(thingName="lamp")["results"] == []
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.get_thing_shadow(thingName="lamp")


def test_the_longest_names_the_model_allows_work_on_the_topics(data, published) -> None:
    thing, name = "T:_-" + "t" * 124, "$a:_-" + "n" * 59  # 128 and 64 characters
    publish(data, f"$aws/things/{thing}/shadow/name/{name}/update", {"state": {"reported": {"a": 1}}})
    assert published[1][0].endswith("/update/accepted")
    shadow = json.loads(data.get_thing_shadow(thingName=thing, shadowName=name)["payload"].read())
    assert shadow["state"] == {"reported": {"a": 1}}


def deltas(published: list[tuple[str, dict]]) -> list[dict]:
    return [document for topic, document in published if topic == f"{BASE}/update/delta"]


def test_deleting_a_reported_field_desired_still_has_publishes_the_delta(data, published) -> None:
    """The guide (/update/delta): "If an attribute is deleted from the reported section but still
    exists in the desired section, it is included"."""
    with freeze_time("2026-01-02 03:04:05"):
        publish(data, f"{BASE}/update", {"state": {"desired": {"x": 1, "led": {"hz": 50}}}})
        publish(data, f"{BASE}/update", {"state": {"reported": {"x": 1, "led": {"hz": 50}}}})
    published.clear()
    with freeze_time("2026-01-02 03:04:06"):
        publish(data, f"{BASE}/update", {"state": {"reported": {"x": None}}, "clientToken": "d"})
    assert [t for t, _ in published] == [
        f"{BASE}/update",
        f"{BASE}/update/accepted",
        f"{BASE}/update/delta",
        f"{BASE}/update/documents",
    ]
    assert deltas(published) == [
        {
            "version": 3,
            "timestamp": 1767323046,
            "state": {"x": 1},
            "metadata": {"x": {"timestamp": 1767323045}},
            "clientToken": "d",
        }
    ]
    published.clear()
    publish(data, f"{BASE}/update", {"state": {"reported": {"led": None}}})  # nested, the whole object
    assert [d["state"] for d in deltas(published)] == [{"x": 1, "led": {"hz": 50}}]
    published.clear()
    publish(data, f"{BASE}/update", {"state": {"reported": None}})  # the whole section
    assert [d["state"] for d in deltas(published)] == [{"x": 1, "led": {"hz": 50}}]


def test_the_delta_is_published_when_the_update_names_a_field_that_differs(data, published) -> None:
    """The guide: /update/delta is published "when it accepts a change for the device's shadow, and
    the request state document contains different values for desired and reported states"; it
    holds every differing desired attribute, "regardless of whether these attributes were
    contained in the current update message"."""
    publish(data, f"{BASE}/update", {"state": {"desired": {"x": 1, "y": 2}, "reported": {"x": 1, "y": 2}}})
    assert deltas(published) == []
    published.clear()
    publish(data, f"{BASE}/update", {"state": {"reported": {"y": 3}}})  # reported now differs
    assert [d["state"] for d in deltas(published)] == [{"y": 2}]
    published.clear()
    publish(data, f"{BASE}/update", {"state": {"reported": {"z": 9}}})  # only desired has no z
    publish(data, f"{BASE}/update", {"state": {"desired": {"x": 1}}})  # x is as reported
    assert deltas(published) == []
    publish(data, f"{BASE}/update", {"state": {"desired": {"x": 5}}})
    assert [d["state"] for d in deltas(published)] == [{"x": 5, "y": 2}]
    published.clear()
    publish(data, f"{BASE}/update", {"state": {"reported": {"x": 5, "y": 2}}})  # nothing differs
    assert deltas(published) == []


def test_the_delta_metadata_is_the_desired_metadata_of_the_delta_fields_alone(data, published) -> None:
    """The guide (Delta state): "The delta contains metadata, and its values are equal to the
    metadata in the desired field" -- of the delta's own fields, nested ones too."""
    with freeze_time("2026-01-02 03:04:05"):
        publish(
            data, f"{BASE}/update", {"state": {"desired": {"led": {"on": True, "hz": 50}, "mode": "eco"}}}
        )
    published.clear()
    with freeze_time("2026-01-02 03:04:06"):
        publish(
            data,
            f"{BASE}/update",
            {
                "state": {
                    "desired": {"colors": ["RED", "BLUE"], "sensor": {"timestamp": 5, "v": 1}},
                    "reported": {"led": {"on": True, "hz": 40}, "mode": "eco", "sensor": {"v": 1}},
                }
            },
        )
    assert deltas(published) == [
        {
            "version": 2,
            "timestamp": 1767323046,
            "state": {"led": {"hz": 50}, "colors": ["RED", "BLUE"], "sensor": {"timestamp": 5}},
            "metadata": {
                "led": {"hz": {"timestamp": 1767323045}},
                "colors": [{"timestamp": 1767323046}, {"timestamp": 1767323046}],
                "sensor": {"timestamp": {"timestamp": 1767323046}},
            },
        }
    ]
