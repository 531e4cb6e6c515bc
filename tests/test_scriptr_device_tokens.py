"""Device tokens: generate, regenerate (the old one dies), revoke; they never expire."""

from __future__ import annotations

import base64


def code(response) -> str:
    metadata = response.json()["response"]["metadata"]
    return metadata.get("errorCode", metadata["status"])


def make(live, key: str = "m") -> None:
    assert (
        live.acme.device.create({"id": key, "name": "M", "password": "pw"})["metadata"]["status"] == "success"
    )


def test_generate_token_answers_the_token_and_it_authenticates(live) -> None:
    make(live)
    answer = live.result("device/generateToken", {"id": "m"})
    assert set(answer) == {"result", "metadata"} and set(answer["result"]) == {"token"}
    token = answer["result"]["token"]
    assert code(live.post("device/get", {"id": "m"}, token=token)) == "success"


def test_tokens_look_like_scriptrs(live) -> None:
    make(live)
    token = live.acme.device.generateToken("m")["result"]["token"]
    decoded = base64.b64decode(token + "=" * (-len(token) % 4)).decode()
    account_key, subject, secret = decoded.split(":")
    assert subject == "m" and len(account_key) == 10 and len(secret) == 32


def test_a_second_generate_token_fails_and_keeps_the_first(live) -> None:
    make(live)
    first = live.acme.device.generateToken("m")["result"]["token"]
    answer = live.acme.device.generateToken("m")
    assert answer["metadata"]["errorCode"] == "INVALID_PARAMETER"
    assert answer["metadata"]["errorDetail"] == "The device [m] already has a token."
    assert live.acme.device.get("m")["result"]["auth_token"] == first


def test_regenerate_replaces_the_token_and_the_old_one_stops_working(live) -> None:
    make(live)
    old = live.acme.device.generateToken("m")["result"]["token"]
    new = live.result("device/regenerateToken", {"id": "m"})["result"]["token"]
    assert new != old
    assert code(live.post("device/get", {"id": "m"}, token=new)) == "success"
    refused = live.post("device/get", {"id": "m"}, token=old)
    assert refused.status_code == 400
    assert refused.json() == {
        "response": {
            "metadata": {
                "status": "failure",
                "statusCode": 400,
                "errorCode": "INVALID_TOKEN",
                "errorDetail": "The token is invalid, revoked or expired.",
            }
        }
    }


def test_regenerate_without_a_token_is_token_not_found(live) -> None:
    make(live)
    answer = live.result("device/regenerateToken", {"id": "m"})
    assert answer["metadata"]["errorCode"] == "TOKEN_NOT_FOUND"
    assert "auth_token" not in live.acme.device.get("m")["result"]


def test_revoke_answers_metadata_only_and_the_token_stops_working(live) -> None:
    make(live)
    token = live.acme.device.generateToken("m")["result"]["token"]
    assert live.result("device/revokeToken", {"id": "m"}) == {"metadata": {"status": "success"}}
    assert code(live.post("device/get", {"id": "m"}, token=token)) == "INVALID_TOKEN"
    assert "auth_token" not in live.acme.device.get("m")["result"]
    assert live.acme.device.generateToken("m")["metadata"]["status"] == "success"


def test_revoke_without_a_token_is_token_not_found(live) -> None:
    make(live)
    assert live.acme.device.revokeToken("m")["metadata"]["errorCode"] == "TOKEN_NOT_FOUND"


def test_token_functions_on_a_missing_device_are_invalid_device(live) -> None:
    for function in ("generateToken", "regenerateToken", "revokeToken"):
        assert live.result(f"device/{function}", {"id": "ghost"})["metadata"]["errorCode"] == "INVALID_DEVICE"


def test_device_tokens_never_expire(live) -> None:
    make(live)
    token = live.acme.device.generateToken("m")["result"]["token"]
    live.cloud.clock.advance(10 * 365 * 86400)
    assert code(live.post("device/get", {"id": "m"}, token=token)) == "success"


def test_a_suspended_device_is_treated_as_deleted_by_auth(live) -> None:
    make(live)
    token = live.acme.device.generateToken("m")["result"]["token"]
    live.acme.device.update({"id": "m", "isSuspended": True})
    assert code(live.post("device/get", {"id": "m"}, token=token)) == "INVALID_TOKEN"
    live.acme.device.update({"id": "m", "isSuspended": "false"})
    assert code(live.post("device/get", {"id": "m"}, token=token)) == "success"


def test_regenerating_the_owner_token_retires_the_old_one(live) -> None:
    new = live.result("device/regenerateToken", {"id": "scriptr"})["result"]["token"]
    assert code(live.post("device/get", {"id": "scriptr"})) == "INVALID_TOKEN"
    assert code(live.post("device/get", {"id": "scriptr"}, token=new)) == "success"
    assert live.acme.token == new
