"""iot-data shadows through boto3: documents, delta, metadata, versions, limits, named shadows."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from freezegun import freeze_time

from iotfake import FakeCloud


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeCloud, str]]:
    cloud = FakeCloud(seed=8)
    with cloud.serve() as server:
        yield cloud, server.url


@pytest.fixture
def data(served):
    cloud, url = served
    cloud.reset()
    return boto3.client(
        "iot-data",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )


def update(data, thing: str, document: dict, **names) -> dict:
    return json.loads(
        data.update_thing_shadow(thingName=thing, payload=json.dumps(document), **names)["payload"].read()
    )


def get(data, thing: str, **names) -> dict:
    return json.loads(data.get_thing_shadow(thingName=thing, **names)["payload"].read())


def test_an_update_answers_what_it_set_with_metadata_version_and_client_token(data) -> None:
    with freeze_time("2026-01-02 03:04:05"):
        answer = update(
            data, "lamp", {"state": {"desired": {"color": "red", "led": {"on": True}}}, "clientToken": "t-1"}
        )
    stamp = 1767323045
    assert answer == {
        "state": {"desired": {"color": "red", "led": {"on": True}}},
        "metadata": {"desired": {"color": {"timestamp": stamp}, "led": {"on": {"timestamp": stamp}}}},
        "version": 1,
        "timestamp": stamp,
        "clientToken": "t-1",
    }


def test_get_shows_the_delta_between_desired_and_reported(data) -> None:
    update(data, "lamp", {"state": {"desired": {"color": "red", "level": 3, "led": {"on": True, "hz": 50}}}})
    update(data, "lamp", {"state": {"reported": {"color": "red", "level": 2, "led": {"on": True}}}})
    shadow = get(data, "lamp")
    assert shadow["state"]["delta"] == {"level": 3, "led": {"hz": 50}}
    assert shadow["version"] == 2
    update(data, "lamp", {"state": {"reported": {"level": 3, "led": {"hz": 50}}}})
    assert "delta" not in get(data, "lamp")["state"]


def test_null_removes_a_field_and_a_null_section_clears_it(data) -> None:
    update(data, "lamp", {"state": {"desired": {"a": 1, "b": {"c": 2, "d": 3}}, "reported": {"a": 1}}})
    update(data, "lamp", {"state": {"desired": {"a": None, "b": {"c": None}}}})
    shadow = get(data, "lamp")
    assert shadow["state"]["desired"] == {"b": {"d": 3}}
    assert shadow["metadata"]["desired"] == {
        "b": {"d": {"timestamp": shadow["metadata"]["desired"]["b"]["d"]["timestamp"]}}
    }
    update(data, "lamp", {"state": {"desired": None}})
    assert "desired" not in get(data, "lamp")["state"]


def test_a_stale_version_is_a_409_conflict_and_changes_nothing(data) -> None:
    update(data, "lamp", {"state": {"reported": {"a": 1}}})
    with pytest.raises(data.exceptions.ConflictException, match="Version conflict") as raised:
        update(data, "lamp", {"state": {"reported": {"a": 2}}, "version": 7})
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert get(data, "lamp")["state"]["reported"] == {"a": 1}
    assert update(data, "lamp", {"state": {"reported": {"a": 2}}, "version": 1})["version"] == 2


@pytest.mark.parametrize(
    ("payload", "error", "message"),
    [
        (b"not json", "InvalidRequestException", "Invalid JSON"),
        (b"{}", "InvalidRequestException", "Missing required node: state"),
        (b'{"state": 1}', "InvalidRequestException", "State node must be an object"),
        (b'{"state": {"desired": [1]}}', "InvalidRequestException", "Desired node must be an object"),
        (b'{"state": {"delta": {}}}', "InvalidRequestException", "State contains an invalid node"),
        (b'{"state": {}, "version": "2"}', "InvalidRequestException", "Invalid version"),
        (
            json.dumps({"state": {"reported": {"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}}}).encode(),
            "InvalidRequestException",
            "too many levels of nesting; maximum is 6",
        ),
        (
            json.dumps({"state": {"reported": {"big": "x" * 8200}}}).encode(),
            "RequestEntityTooLargeException",
            "exceeds the maximum size",
        ),
        (b'{"state": {"reported": {"a": "\xff"}}}', "UnsupportedDocumentEncodingException", "UTF-8"),
    ],
)
def test_bad_documents_get_the_shadow_services_errors(data, payload: bytes, error: str, message: str) -> None:
    with pytest.raises(getattr(data.exceptions, error), match=message):
        data.update_thing_shadow(thingName="lamp", payload=payload)
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        get(data, "lamp")


def test_six_levels_are_allowed_and_8_kb_of_state_fits(data) -> None:
    deep = {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}
    update(data, "lamp", {"state": {"reported": deep}})
    update(data, "lamp", {"state": {"desired": {"big": "x" * 8000}}})


def test_named_shadows_are_separate_documents_listed_per_thing(data) -> None:
    update(data, "lamp", {"state": {"reported": {"classic": True}}})
    for name in ("config", "firmware", "alarms"):
        update(data, "lamp", {"state": {"reported": {"name": name}}}, shadowName=name)
    assert get(data, "lamp", shadowName="config")["state"]["reported"] == {"name": "config"}
    assert get(data, "lamp")["state"]["reported"] == {"classic": True}
    first = data.list_named_shadows_for_thing(thingName="lamp", pageSize=2)
    assert first["results"] == ["alarms", "config"]
    rest = data.list_named_shadows_for_thing(thingName="lamp", pageSize=2, nextToken=first["nextToken"])
    assert rest["results"] == ["firmware"] and "nextToken" not in rest
    with pytest.raises(data.exceptions.ResourceNotFoundException, match="No shadow exists with name: 'nope'"):
        get(data, "lamp", shadowName="nope")


def test_delete_answers_the_version_and_a_new_shadow_carries_the_version_on(data) -> None:
    update(data, "lamp", {"state": {"reported": {"a": 1}}})
    update(data, "lamp", {"state": {"reported": {"a": 2}}})
    deleted = json.loads(data.delete_thing_shadow(thingName="lamp")["payload"].read())
    assert deleted["version"] == 2 and isinstance(deleted["timestamp"], int)
    with pytest.raises(data.exceptions.ResourceNotFoundException, match="No shadow exists with name: 'lamp'"):
        get(data, "lamp")
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.delete_thing_shadow(thingName="lamp")
    assert update(data, "lamp", {"state": {"reported": {"a": 3}}})["version"] == 3


def test_a_fault_rule_throttles_shadow_updates_with_iot_datas_429(data, served) -> None:
    cloud, _ = served
    cloud.faults.add(provider="aws", operation="UpdateThingShadow", error="ThrottlingException", times=1)
    with pytest.raises(data.exceptions.ThrottlingException) as raised:
        update(data, "lamp", {"state": {"reported": {"a": 1}}})
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert update(data, "lamp", {"state": {"reported": {"a": 1}}})["version"] == 1
    assert [c.operation for c in cloud.journal.calls()][-2:] == ["UpdateThingShadow", "UpdateThingShadow"]


def test_shadows_survive_a_snapshot_and_show_in_fleet_indexing(data, served) -> None:
    cloud, url = served
    iot = boto3.client(
        "iot", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="x",
    )  # fmt: skip
    iot.create_thing(thingName="lamp")
    iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY_AND_SHADOW"})
    update(data, "lamp", {"state": {"reported": {"color": "green"}}})
    found = iot.search_index(queryString="shadow.reported.color:green")["things"]
    assert [t["thingName"] for t in found] == ["lamp"]
    copy = FakeCloud.from_snapshot(cloud.snapshot())
    assert copy.registry.tenant("aws", "123456789012/us-east-1").table("shadows") == cloud.registry.tenant(
        "aws", "123456789012/us-east-1"
    ).table("shadows")


def test_the_data_client_works_in_process_too() -> None:
    from iotfake.transports import route_botocore

    cloud = FakeCloud(seed=1)
    client = boto3.client("iot-data", endpoint_url="http://iotfake", region_name="eu-west-1",
                          aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x")  # fmt: skip
    route_botocore(client, cloud)
    update(client, "lamp", {"state": {"reported": {"a": 1}}})
    assert get(client, "lamp")["state"]["reported"] == {"a": 1}
    assert "lamp" in cloud.registry.tenant("aws", "123456789012/eu-west-1").table("shadows")


def test_fixtures_seed_shadows_through_the_update_rules() -> None:
    from iotfake.documents import DocumentError

    cloud = FakeCloud(seed=1)
    cloud.seed({"aws": {"accounts": [{"shadows": [
        {"thingName": "lamp", "state": {"reported": {"on": True}}},
        {"thingName": "lamp", "shadowName": "cfg", "state": {"desired": {"hz": 50}}},
    ]}]}})  # fmt: skip
    table = cloud.registry.tenant("aws", "123456789012/us-east-1").table("shadows")
    assert table["lamp"][""]["state"] == {"reported": {"on": True}}
    assert table["lamp"]["cfg"]["version"] == 1
    with pytest.raises(DocumentError, match=r"aws.accounts\[0\].shadows\[0\]: State node must be an object"):
        cloud.seed({"aws": {"accounts": [{"shadows": [{"thingName": "x", "state": 3}]}]}})
    with pytest.raises(DocumentError, match=r"shadows\[0\].thingName"):
        cloud.seed({"aws": {"accounts": [{"shadows": [{"thingName": "bad name!", "state": {}}]}]}})


def test_metadata_mirrors_state_leaf_for_leaf_even_for_a_field_named_timestamp(data) -> None:
    """A field named ``timestamp`` is state like any other: its metadata stays after a partial
    update of its object (the guide: metadata holds a timestamp for each attribute)."""
    with freeze_time("2026-01-02 03:04:05"):
        update(data, "lamp", {"state": {"reported": {"sensor": {"value": 1, "timestamp": 1700000000}}}})
    with freeze_time("2026-01-02 03:04:06"):
        update(data, "lamp", {"state": {"reported": {"sensor": {"value": 2}}}})
    shadow = get(data, "lamp")
    assert shadow["state"]["reported"] == {"sensor": {"value": 2, "timestamp": 1700000000}}
    assert shadow["metadata"] == {
        "reported": {"sensor": {"value": {"timestamp": 1767323046}, "timestamp": {"timestamp": 1767323045}}}
    }
    with freeze_time("2026-01-02 03:04:07"):
        update(data, "lamp", {"state": {"reported": {"sensor": {"timestamp": {"s": 1}}}}})
    assert get(data, "lamp")["metadata"]["reported"]["sensor"] == {
        "value": {"timestamp": 1767323046},
        "timestamp": {"s": {"timestamp": 1767323047}},
    }


def test_the_8_kb_limit_counts_the_utf8_bytes_of_the_state(data) -> None:
    """The state's size is its UTF-8 bytes (``{"reported":{"big":"…"}}`` is 23 bytes around the
    text): 6 KB of Chinese text fits, 8,192 bytes fit, 8,193 are a 413."""
    assert update(data, "lamp", {"state": {"reported": {"name": "温" * 2000}}})["version"] == 1
    data.delete_thing_shadow(thingName="lamp")
    for text in ("x" * 8169, "é" * 4084 + "x"):  # 8,192 bytes each
        update(data, "lamp", {"state": {"reported": {"big": text}}})
    for text in ("x" * 8170, "é" * 4084 + "xx"):  # 8,193 bytes each
        with pytest.raises(data.exceptions.RequestEntityTooLargeException) as raised:
            update(data, "lamp", {"state": {"reported": {"big": text}}})
        assert raised.value.response["Error"]["Message"] == "The payload exceeds the maximum size allowed"
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert get(data, "lamp")["version"] == 3


@pytest.mark.parametrize(
    "value", [[None, "RED", "GREEN"], {"inner": ["RED", None]}, [["RED"], [None]], [{"on": True}, None]]
)
def test_an_array_holding_null_is_refused_and_changes_nothing(data, value) -> None:
    """The guide: "Arrays can't have null values ... will be rejected" (a 400)."""
    update(data, "lamp", {"state": {"desired": {"colors": ["RED"]}}})
    with pytest.raises(data.exceptions.InvalidRequestException) as raised:
        update(data, "lamp", {"state": {"desired": {"colors": value}}})
    assert raised.value.response["Error"]["Message"] == "Arrays can't have null values"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    shadow = get(data, "lamp")
    assert (shadow["state"]["desired"], shadow["version"]) == ({"colors": ["RED"]}, 1)


def test_the_client_token_is_at_most_64_utf8_bytes(data) -> None:
    """The guide: "A client token that is longer than 64 bytes causes a 400 (Bad Request)
    response and an Invalid clientToken error message"."""
    for token in ("é" * 32, "x" * 64):  # 64 bytes each
        assert (
            update(data, "lamp", {"state": {"desired": {"a": 1}}, "clientToken": token})["clientToken"]
            == token
        )
    for token in ("é" * 33, "x" * 65, "x" * 63 + "é"):  # 66, 65, 65 bytes
        with pytest.raises(data.exceptions.InvalidRequestException) as raised:
            update(data, "lamp", {"state": {"desired": {"a": 2}}, "clientToken": token})
        assert raised.value.response["Error"]["Message"] == "Invalid clientToken"
    assert get(data, "lamp")["version"] == 2
