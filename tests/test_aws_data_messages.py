"""iot-data Publish, retained messages and the document rules' properties."""

from __future__ import annotations

import json

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iotfake import FakeCloud
from iotfake.providers.aws_iot import messages
from iotfake.providers.aws_iot.shadow_document import apply_update, compute_delta
from iotfake.transports import route_botocore


@pytest.fixture
def data():
    client = boto3.client("iot-data", endpoint_url="http://iotfake", region_name="us-east-1",
                          aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x")  # fmt: skip
    route_botocore(client, FakeCloud(seed=2))
    return client


def test_a_retained_message_is_kept_per_topic_and_an_empty_one_clears_it(data) -> None:
    data.publish(topic="site/1/temp", qos=1, retain=True, payload=b'{"t": 21}')
    data.publish(topic="site/1/temp", qos=0, retain=True, payload=b'{"t": 22}')
    data.publish(topic="site/2/temp", retain=False, payload=b"not kept")
    kept = data.get_retained_message(topic="site/1/temp")
    assert (kept["topic"], kept["payload"], kept["qos"]) == ("site/1/temp", b'{"t": 22}', 0)
    assert kept["lastModifiedTime"] > 0
    listed = data.list_retained_messages()["retainedTopics"]
    assert [(t["topic"], t["payloadSize"]) for t in listed] == [("site/1/temp", 9)]
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.get_retained_message(topic="site/2/temp")
    data.publish(topic="site/1/temp", retain=True, payload=b"")
    assert data.list_retained_messages()["retainedTopics"] == []


def test_retained_listings_page(data) -> None:
    for i in range(5):
        data.publish(topic=f"t/{i}", retain=True, payload=b"x")
    pages = data.get_paginator("list_retained_messages").paginate(PaginationConfig={"PageSize": 2})
    assert [t["topic"] for page in pages for t in page["retainedTopics"]] == [f"t/{i}" for i in range(5)]


def test_publish_refuses_qos_2_and_retaining_reserved_topics(data) -> None:
    with pytest.raises(data.exceptions.InvalidRequestException, match="less than or equal to 1"):
        data.publish(topic="a", qos=2, payload=b"x")
    with pytest.raises(data.exceptions.InvalidRequestException, match="reserved topics"):
        data.publish(topic="$aws/things/t/shadow/update", retain=True, payload=b"{}")


def test_past_the_retained_quota_a_new_topic_is_throttled_and_a_kept_one_may_change(
    data, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messages, "MAX_RETAINED", 2)
    data.publish(topic="t/1", retain=True, payload=b"1")
    data.publish(topic="t/2", retain=True, payload=b"2")
    with pytest.raises(data.exceptions.ThrottlingException):
        data.publish(topic="t/3", retain=True, payload=b"3")
    data.publish(topic="t/3", retain=True, payload=b"")  # clearing nothing is no new message
    data.publish(topic="t/3", payload=b"3")  # nor is one that is not retained
    data.publish(topic="t/1", retain=True, payload=b"one")
    data.publish(topic="t/2", retain=True, payload=b"")  # a freed place may be taken again
    data.publish(topic="t/3", retain=True, payload=b"3")
    listed = data.list_retained_messages()["retainedTopics"]
    assert sorted((t["topic"], t["payloadSize"]) for t in listed) == [("t/1", 3), ("t/3", 1)]


# -- the document rules, against a plain reference -------------------------------------------------
leaf = st.one_of(st.integers(-5, 5), st.booleans(), st.text("ab", max_size=2))
values = st.recursive(
    leaf, lambda inner: st.dictionaries(st.sampled_from("xyz"), inner, max_size=3), max_leaves=6
)
patches = st.dictionaries(st.sampled_from("abc"), st.one_of(st.none(), values), max_size=3)


def reference_merge(current: dict, patch: dict) -> dict:
    out = dict(current)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            merged = reference_merge(out[key], value)
            if merged:
                out[key] = merged
            else:
                out.pop(key)
        elif isinstance(value, dict):
            cleaned = reference_merge({}, value)
            if cleaned:
                out[key] = cleaned
            else:
                out.pop(key, None)
        else:
            out[key] = value
    return out


def contains(reported: object, desired: object) -> bool:
    if isinstance(desired, dict):
        return isinstance(reported, dict) and all(
            k in reported and contains(reported[k], v) for k, v in desired.items()
        )
    return type(reported) is type(desired) and reported == desired


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["desired", "reported"]), patches), min_size=1, max_size=6))
def test_updates_merge_like_the_reference_and_delta_is_empty_iff_reported_holds_desired(updates) -> None:
    document, expected = None, {"desired": {}, "reported": {}}
    for version, (section, patch) in enumerate(updates, start=1):
        document = apply_update(document, {"state": {section: patch}}, now=version)
        expected[section] = reference_merge(expected[section], patch)
        assert document["version"] == version
        assert document["state"] == {s: v for s, v in expected.items() if v}
        metadata = document.get("metadata", {})
        assert set(metadata.get(section, {})) == set(expected[section])  # a stamp for what is there
    desired, reported = expected["desired"], expected["reported"]
    assert (compute_delta(desired, reported) == {}) == contains(reported, desired)
    json.dumps(document)  # stays JSON
