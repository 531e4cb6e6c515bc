"""Bearer tokens and auth_token, the three auth modes, and which account a call acts in."""

from __future__ import annotations

import pytest
import requests


def failure(response: requests.Response) -> dict:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body["response"]) == {"metadata"}
    return body["response"]["metadata"]


def created(response: requests.Response) -> bool:
    return response.json()["response"]["result"]["metadata"]["status"] == "success"


@pytest.mark.parametrize("scheme", ["bearer", "Bearer", "BEARER"])
def test_the_bearer_scheme_is_case_insensitive(live, scheme: str) -> None:
    response = live.post("device/query", {}, headers={"Authorization": f"{scheme} {live.token}"})
    assert response.status_code == 200
    assert live.cloud.journal.calls(provider="scriptr")[-1].tenant == "acme"


def test_auth_token_as_a_query_parameter(live) -> None:
    response = requests.get(
        f"{live.url}/scriptr/device/get", params={"id": "scriptr", "auth_token": live.token}, timeout=10
    )
    assert response.status_code == 200
    assert live.cloud.journal.calls(provider="scriptr")[-1].tenant == "acme"


def test_auth_token_in_a_json_body_is_not_stored_as_a_field(live) -> None:
    body = {"id": "m", "name": "M", "password": "pw", "auth_token": live.token}
    assert created(live.post("device/create", body, token=None))
    assert "auth_token" not in live.acme.device.get("m")["result"]


def test_auth_token_as_a_form_field(live) -> None:
    response = requests.post(
        f"{live.url}/scriptr/device/create",
        data={"id": "m", "name": "M", "password": "pw", "auth_token": live.token},
        timeout=10,
    )
    assert created(response)
    assert live.acme.device.get("m")["metadata"]["status"] == "success"


def test_lenient_requires_a_token(live) -> None:
    metadata = failure(live.post("device/query", {}, token=None))
    assert metadata["errorCode"] == "INVALID_TOKEN"
    assert metadata["status"] == "failure" and metadata["statusCode"] == 400


def test_lenient_takes_an_unknown_token_as_the_default_accounts_owner(live) -> None:
    assert created(live.post("device/create", {"id": "m", "name": "M", "password": "pw"}, token="made-up"))
    assert live.cloud.journal.calls(provider="scriptr")[-1].tenant == "default"
    assert live.cloud.scriptr("default").device.get("m")["result"]["creator"] == "scriptr"
    assert live.acme.device.get("m")["metadata"]["errorCode"] == "INVALID_IDENTIFIER"


def test_strict_accepts_only_issued_tokens(live) -> None:
    live.cloud.auth = "strict"
    assert failure(live.post("device/query", {}, token="made-up"))["errorCode"] == "INVALID_TOKEN"
    assert failure(live.post("device/query", {}, token=None))["errorCode"] == "INVALID_TOKEN"
    assert live.post("device/query", {}).status_code == 200


def test_strict_accepts_seeded_tokens(live) -> None:
    live.cloud.auth = "strict"
    live.cloud.seed({"scriptr": {"accounts": [{"name": "beta", "token": "seeded-owner"}]}})
    assert live.post("device/query", {}, token="seeded-owner").status_code == 200
    assert live.cloud.journal.calls(provider="scriptr")[-1].tenant == "beta"


def test_off_accepts_no_token_and_dead_tokens(live) -> None:
    live.cloud.auth = "off"
    assert live.post("device/query", {}, token=None).status_code == 200
    assert live.cloud.journal.calls(provider="scriptr")[-1].tenant == "default"
    live.acme.device.regenerateToken("scriptr")
    assert live.post("device/query", {}).status_code == 200
    assert live.cloud.journal.calls(provider="scriptr")[-1].tenant == "acme"


def test_accounts_are_isolated(live) -> None:
    beta = live.cloud.scriptr("beta")
    beta.device.create({"id": "m", "name": "beta's", "password": "pw"})
    live.acme.device.create({"id": "m", "name": "acme's", "password": "pw"})
    response = live.post("device/get", {"id": "m"}, token=beta.token)
    assert response.json()["response"]["result"]["result"]["name"] == "beta's"


def test_a_dead_token_changes_nothing(live) -> None:
    live.acme.device.regenerateToken("scriptr")
    failure(live.post("device/create", {"id": "m", "name": "M", "password": "pw"}))
    assert live.acme.device.get("m")["metadata"]["errorCode"] == "INVALID_IDENTIFIER"


def test_python_calls_act_as_the_owner_in_every_mode(live) -> None:
    live.cloud.auth = "strict"
    live.acme.device.revokeToken("scriptr")
    assert (
        live.acme.device.create({"id": "m", "name": "M", "password": "pw"})["metadata"]["status"] == "success"
    )
    assert live.cloud.journal.calls(operation="device.create")[-1].tenant == "acme"
