"""scriptr's HTTP envelope around the built-in device scripts: GET or POST, JSON, query or form."""

from __future__ import annotations

import re

import requests

DEVICE = {"id": "meter-1", "name": "Meter 1", "password": "s3cret"}


def test_success_wraps_the_module_answer_in_the_response_envelope(live) -> None:
    response = live.post("device/create", DEVICE)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"response"}
    metadata = body["response"]["metadata"]
    assert set(metadata) == {"requestId", "status", "statusCode"}
    assert metadata["status"] == "success"
    assert metadata["statusCode"] == "200"  # a string on success, as scriptr sends it
    assert re.fullmatch(r"[0-9a-f-]{36}", metadata["requestId"])
    assert body["response"]["result"] == {
        "result": {"device": {"id": "meter-1"}},
        "metadata": {"status": "success"},
    }


def test_a_module_failure_nests_in_a_successful_envelope(live) -> None:
    live.post("device/create", DEVICE)
    response = live.post("device/create", DEVICE)
    assert response.status_code == 200
    envelope = response.json()["response"]
    assert envelope["metadata"]["status"] == "success"
    assert envelope["result"] == {
        "metadata": {
            "status": "failure",
            "statusCode": 400,
            "errorCode": "DUPLICATE_DEVICE",
            "errorDetail": "The device [meter-1] already exists.",
        }
    }
    assert "result" not in envelope["result"]


def test_query_parameters_on_get_carry_the_arguments(live) -> None:
    live.post("device/create", DEVICE)
    response = live.get("device/get", {"id": "meter-1", "includeFieldType": "true"})
    result = response.json()["response"]["result"]["result"]
    assert result["id"] == "meter-1"
    assert result["meta.types"]["name"] == "string"


def test_form_fields_on_post_carry_the_arguments_and_repeat_into_lists(live) -> None:
    response = requests.post(
        f"{live.url}/scriptr/device/create",
        data=[("id", "meter-2"), ("name", "M2"), ("password", "pw"), ("groups", "a"), ("groups", "b")],
        headers={"Authorization": f"bearer {live.token}"},
        timeout=10,
    )
    assert response.json()["response"]["result"]["metadata"]["status"] == "success"
    got = live.result("device/get", {"id": "meter-2"})["result"]
    assert got["groups"] == ["a", "b"]


def test_the_json_body_wins_over_the_query_string(live) -> None:
    live.post("device/create", DEVICE)
    live.post("device/create", {**DEVICE, "id": "meter-9"})
    response = live.post("device/get?id=meter-1", {"id": "meter-9"})
    assert response.json()["response"]["result"]["result"]["id"] == "meter-9"


def test_bad_json_is_a_platform_invalid_parameter_and_creates_nothing(live) -> None:
    response = requests.post(
        f"{live.url}/scriptr/device/create",
        data=b'{"name": "x", ',
        headers={"Authorization": f"bearer {live.token}", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    metadata = response.json()["response"]["metadata"]
    assert metadata["status"] == "failure"
    assert metadata["statusCode"] == 400
    assert metadata["errorCode"] == "INVALID_PARAMETER"
    assert "not valid JSON" in metadata["errorDetail"]
    assert "result" not in response.json()["response"]
    assert live.acme.device.query({"count": True})["result"]["count"] == 1  # the built-in device only


def test_bad_json_with_auth_token_in_the_query_string_is_still_invalid_parameter(live) -> None:
    response = requests.post(
        f"{live.url}/scriptr/device/create",
        params={"auth_token": live.token},
        data=b"{oops",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["response"]["metadata"]["errorCode"] == "INVALID_PARAMETER"


def test_a_json_body_that_is_not_an_object_is_invalid_parameter(live) -> None:
    response = live.post("device/get", ["meter-1"])
    assert response.status_code == 400
    assert response.json()["response"]["metadata"]["errorCode"] == "INVALID_PARAMETER"


def test_an_unknown_function_is_script_not_found(live) -> None:
    response = live.post("device/explode", {"id": "x"})
    assert response.status_code == 404
    assert response.json()["response"]["metadata"]["errorCode"] == "SCRIPT_NOT_FOUND"
    assert live.cloud.journal.calls(provider="scriptr")[-1].operation == "device.unknown"


def test_every_call_is_journaled_with_its_account_and_outcome(live) -> None:
    live.post("device/create", DEVICE)
    live.post("device/create", DEVICE)
    calls = live.cloud.journal.calls(provider="scriptr", operation="device.create")
    assert [(c.tenant, c.outcome, c.code) for c in calls] == [
        ("acme", "ok", "success"),
        ("acme", "error", "DUPLICATE_DEVICE"),
    ]
    assert calls[0].params == {"id": "meter-1", "account": "acme"}
