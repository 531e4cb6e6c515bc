"""device.get: the fields scriptr shows, system fields, includeFieldType, a missing device."""

from __future__ import annotations

import json

from freezegun import freeze_time

from iotfake import FakeCloud


def test_get_returns_every_field_with_the_system_fields() -> None:
    acme = FakeCloud(seed=1).scriptr("acme")
    with freeze_time("2024-03-01 12:00:00"):
        acme.device.create(
            {
                "id": "meter-1",
                "name": "Meter",
                "password": "pw",
                "groups": ["a", "b"],
                "description": "d",
                "floor": "3",
            }
        )
    answer = acme.device.get("meter-1")
    assert answer["metadata"] == {"status": "success"}
    assert answer["result"] == {
        "id": "meter-1",
        "name": "Meter",
        "description": "d",
        "groups": ["a", "b"],
        "isSuspended": "false",
        "floor": "3",
        "creator": "scriptr",
        "versionNumber": "1.0",
        "latest": "true",
        "lastModifiedBy": "scriptr",
        "creationDate": "2024-03-01T12:00:00+0000",
        "lastModifiedDate": "2024-03-01T12:00:00+0000",
    }


def test_the_token_shows_as_auth_token() -> None:
    acme = FakeCloud(seed=1).scriptr("acme")
    acme.device.create({"id": "meter-1", "name": "Meter", "password": "pw"})
    token = acme.device.generateToken("meter-1")["result"]["token"]
    assert acme.device.get("meter-1")["result"]["auth_token"] == token


def test_include_field_type_adds_meta_types_for_every_field() -> None:
    acme = FakeCloud(seed=1).scriptr("acme")
    acme.device.create({"id": "m", "name": "M", "password": "pw", "n": 2, "meta.types": {"n": "numeric"}})
    result = acme.device.get("m", {"includeFieldType": True})["result"]
    types = result.pop("meta.types")
    assert set(types) == set(result)
    assert types["n"] == "numeric"
    assert types["creationDate"] == "date"
    assert types["name"] == "string"
    assert "meta.types" not in acme.device.get("m")["result"]


def test_get_of_a_missing_device_is_invalid_identifier() -> None:
    acme = FakeCloud(seed=1).scriptr("acme")
    assert acme.device.get("ghost") == {
        "metadata": {
            "status": "failure",
            "statusCode": 400,
            "errorCode": "INVALID_IDENTIFIER",
            "errorDetail": "The device [ghost] is invalid.",
        }
    }


def test_get_without_an_id_is_missing_parameters(live) -> None:
    answer = live.result("device/get", {})
    assert answer["metadata"]["errorCode"] == "MISSING_PARAMETERS"
    assert answer["metadata"]["errorDetail"] == "Missing required parameter [id]."


def test_get_over_http_with_options_or_flat_parameters(live) -> None:
    live.acme.device.create({"id": "m", "name": "M", "password": "pw"})
    nested = live.result("device/get", {"id": "m", "options": {"includeFieldType": True}})["result"]
    flat = live.get("device/get", {"id": "m", "includeFieldType": "true"}).json()["response"]["result"][
        "result"
    ]
    assert nested == flat
    assert "meta.types" in flat
    as_text = json.dumps({"includeFieldType": True})  # options over a query string: JSON text
    queried = live.get("device/get", {"id": "m", "options": as_text}).json()["response"]["result"]["result"]
    assert queried == flat


def test_the_builtin_device_holds_the_owner_token(live) -> None:
    builtin = live.acme.device.get("scriptr")["result"]
    assert builtin["auth_token"] == live.token
    assert builtin["name"] == "scriptr"
