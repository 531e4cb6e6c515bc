"""device.delete: the device and its token go; a missing device and the built-in one refuse."""

from __future__ import annotations


def test_delete_answers_metadata_only_and_the_id_becomes_free(live) -> None:
    live.acme.device.create({"id": "m", "name": "M", "password": "pw"})
    assert live.result("device/delete", {"id": "m"}) == {"metadata": {"status": "success"}}
    assert live.acme.device.get("m")["metadata"]["errorCode"] == "INVALID_IDENTIFIER"
    assert (
        live.acme.device.create({"id": "m", "name": "again", "password": "pw"})["metadata"]["status"]
        == "success"
    )
    assert (
        live.acme.user.create({"id": "m2", "name": "u", "password": "pw"})["metadata"]["status"] == "success"
    )


def test_a_deleted_devices_token_stops_authenticating(live) -> None:
    live.acme.device.create({"id": "m", "name": "M", "password": "pw"})
    token = live.acme.device.generateToken("m")["result"]["token"]
    assert live.post("device/get", {"id": "m"}, token=token).status_code == 200
    live.acme.device.delete("m")
    response = live.post("device/get", {"id": "scriptr"}, token=token)
    assert response.status_code == 400
    assert response.json()["response"]["metadata"]["errorCode"] == "INVALID_TOKEN"


def test_delete_of_a_missing_device_is_invalid_device(live) -> None:
    assert live.acme.device.delete("ghost") == {
        "metadata": {
            "status": "failure",
            "statusCode": 400,
            "errorCode": "INVALID_DEVICE",
            "errorDetail": "The device [ghost] does not exist.",
        }
    }


def test_delete_of_a_user_id_is_invalid_device_and_keeps_the_user(live) -> None:
    live.acme.user.create({"id": "ann", "name": "Ann", "password": "pw"})
    assert live.acme.device.delete("ann")["metadata"]["errorCode"] == "INVALID_DEVICE"
    assert live.acme.user.get("ann")["metadata"]["status"] == "success"


def test_the_builtin_device_cannot_be_deleted_or_suspended(live) -> None:
    assert live.acme.device.delete("scriptr")["metadata"]["errorCode"] == "INVALID_PARAMETER"
    answer = live.acme.device.update({"id": "scriptr", "isSuspended": True})
    assert answer["metadata"]["errorCode"] == "INVALID_PARAMETER"
    assert live.post("device/get", {"id": "scriptr"}).status_code == 200


def test_delete_without_an_id_is_missing_parameters(live) -> None:
    assert live.result("device/delete", {})["metadata"]["errorCode"] == "MISSING_PARAMETERS"
