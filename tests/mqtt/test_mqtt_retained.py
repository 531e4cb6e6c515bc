"""Retained messages on the device side: what a SUBSCRIBE's filters select (the topic tree, held
to the plain matcher), and the account's quota of retained messages."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iotfake.mqtt.topics import TopicTree, matches
from iotfake.providers.aws_iot import messages

levels = st.sampled_from(["a", "b", "", "$x", "$SYS"])
names = st.lists(levels, min_size=1, max_size=4).map("/".join).filter(lambda t: t and t != "/")
filters = (
    st.lists(st.sampled_from(["a", "b", "", "$x", "+", "#"]), min_size=1, max_size=4)
    .filter(lambda parts: "#" not in parts[:-1])
    .map("/".join)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), names), max_size=30), st.lists(filters, min_size=1, max_size=5))
def test_the_tree_selects_what_the_matcher_does_through_inserts_and_deletes(steps, wanted) -> None:
    tree, held = TopicTree([]), set()
    for keep, topic in steps:
        if keep and topic not in held:
            tree.moved(topic, None, {"topic": topic})
            held.add(topic)
        elif not keep and topic in held:
            tree.moved(topic, {"topic": topic}, None)
            held.discard(topic)
        for topic_filter in wanted:
            assert sorted(tree.selected(topic_filter)) == sorted(t for t in held if matches(topic_filter, t))


def test_a_tree_made_from_rows_holds_them() -> None:
    tree = TopicTree([("a/b", {}), ("a", {}), ("$aws/x", {}), ("c", "not a record")])
    assert sorted(tree.selected("#")) == ["a", "a/b"]  # a wildcard first level skips $ (4.7.2)
    assert sorted(tree.selected("a/#")) == ["a", "a/b"]  # "#" selects its parent level too
    assert tree.selected("$aws/+") == ["$aws/x"]


def _messages(device) -> list[tuple[str, bytes]]:
    got: list[tuple[str, bytes]] = []
    device.client.on_message = lambda client, userdata, message: got.append((message.topic, message.payload))
    return got


def _settle(got: list, count: int) -> list:
    deadline = time.monotonic() + 5
    while len(got) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)  # nothing more follows
    return got


def test_a_subscription_receives_the_retained_messages_its_filters_select(thing, devices, iot_data) -> None:
    for topic in ("site/1/temp", "site/2/temp", "site/1/hum", "other/1/temp"):
        iot_data.publish(topic=topic, retain=True, payload=topic.encode())
    late = devices("late", thing("late"))
    got = _messages(late)
    late.subscribe("site/+/temp")
    assert sorted(_settle(got, 2)) == [(t, t.encode()) for t in ("site/1/temp", "site/2/temp")]
    got.clear()
    late.subscribe("site/#")  # both filters select site/1/temp: each subscription gets it once
    assert sorted(_settle(got, 3)) == [(t, t.encode()) for t in ("site/1/hum", "site/1/temp", "site/2/temp")]
    got.clear()
    iot_data.publish(topic="site/1/temp", retain=True, payload=b"")  # cleared, and sent as usual
    assert _settle(got, 1) == [("site/1/temp", b"")]  # to whom subscribes now (3.3.1.3)
    got.clear()
    late.subscribe("+/1/temp")
    assert _settle(got, 1) == [("other/1/temp", b"other/1/temp")]


def test_past_the_quota_a_retained_publish_is_throttled_and_kept_nowhere(
    cloud, thing, devices, iot_data, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messages, "MAX_RETAINED", 2)
    keeper, listener = devices("keeper", thing("keeper")), devices("listener", thing("listener"))
    listener.subscribe("kept/#")
    keeper.publish("kept/1", "one", retain=True)
    keeper.publish("kept/2", "two", retain=True)
    over = keeper.client.publish("kept/3", "three", 1, retain=True)
    assert not over.wait_for_publish(timeout=1)  # no PUBACK, as for any throttled publish
    assert not keeper.disconnected.is_set()
    assert listener.topics() == ["kept/1", "kept/2"]  # delivered to no one either
    assert cloud.journal.last(operation="Publish", params={"clientId": "keeper"}).code == "THROTTLED"
    keeper.publish("kept/1", "replaced", retain=True)  # a kept topic may still change
    keeper.publish("kept/4", "plain")  # and a message that is not retained goes through
    listed = iot_data.list_retained_messages()["retainedTopics"]
    assert [t["topic"] for t in listed] == ["kept/1", "kept/2"]
    assert iot_data.get_retained_message(topic="kept/1")["payload"] == b"replaced"


@pytest.mark.parametrize("topic", ["site/+", "site/#"])
def test_iot_data_refuses_a_topic_holding_a_wildcard(thing, devices, iot_data, topic: str) -> None:
    """No PUBLISH may carry a wildcard (MQTT 3.1.1, 3.3.2-2), so iot-data's Publish refuses one
    ([I]: InvalidRequestException, as for a topic over AWS's limits). It was kept as a retained
    message, and the connection of whoever subscribed to it next failed with a traceback."""
    for retain in (False, True):
        with pytest.raises(iot_data.exceptions.InvalidRequestException, match="wildcard"):
            iot_data.publish(topic=topic, payload=b"x", qos=1, retain=retain)
    assert iot_data.list_retained_messages()["retainedTopics"] == []
    late = devices("late", thing("late"))
    assert late.subscribe("site/#") == (1,)
    late.publish("site/1", "served")
    assert late.receive("site/1") == b"served"


def test_the_broker_never_sends_a_topic_no_publish_may_carry(
    thing, devices, iot_data, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever lets one through (here iot-data, its check taken away), the broker does not
    deliver it rather than fail the connection it was going to."""
    monkeypatch.setattr(messages, "name_problem", lambda topic: None)
    iot_data.publish(topic="site/+", payload=b"x", qos=1, retain=True)
    late = devices("late", thing("late"))
    assert late.subscribe("site/#") == (1,)
    iot_data.publish(topic="site/+", payload=b"y", qos=1)
    late.publish("site/1", "served")
    assert late.receive("site/1") == b"served"
    assert not late.disconnected.is_set()
