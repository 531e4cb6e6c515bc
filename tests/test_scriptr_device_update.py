"""device.update and device.save: partial changes, group edits, clearing, versions, INVALID_DEVICE."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from iotfake import FakeCloud

BASE = {"id": "meter-1", "name": "Meter 1", "password": "pw", "groups": ["a", "b"], "floor": "3"}


@pytest.fixture
def acme():
    account = FakeCloud(seed=12).scriptr("acme")
    assert account.device.create(BASE)["metadata"]["status"] == "success"
    return account


def get(acme, key: str = "meter-1") -> dict:
    return acme.device.get(key)["result"]


def test_update_changes_only_the_fields_given(acme) -> None:
    answer = acme.device.update({"id": "meter-1", "name": "Renamed"})
    assert answer == {"result": {"device": {"id": "meter-1"}}, "metadata": {"status": "success"}}
    got = get(acme)
    assert (got["name"], got["groups"], got["floor"]) == ("Renamed", ["a", "b"], "3")


def test_update_of_a_missing_device_is_invalid_device(acme) -> None:
    answer = acme.device.update({"id": "nope", "name": "x"})
    assert answer == {
        "metadata": {
            "status": "failure",
            "statusCode": 400,
            "errorCode": "INVALID_DEVICE",
            "errorDetail": "The device [nope] does not exist.",
        }
    }


def test_update_without_an_id_is_missing_parameters(acme) -> None:
    assert acme.device.update({"name": "x"})["metadata"]["errorCode"] == "MISSING_PARAMETERS"


def test_update_of_a_user_id_is_invalid_device(acme) -> None:
    acme.user.create({"id": "ann", "name": "Ann", "password": "pw"})
    assert acme.device.update({"id": "ann", "name": "x"})["metadata"]["errorCode"] == "INVALID_DEVICE"


def test_groups_append_and_delete(acme) -> None:
    acme.device.update({"id": "meter-1", "groups": {"append": ["c", "a"], "delete": "b"}})
    assert get(acme)["groups"] == ["a", "c"]


def test_a_group_string_replaces_the_groups(acme) -> None:
    acme.device.update({"id": "meter-1", "groups": "z"})
    assert get(acme)["groups"] == "z"


@pytest.mark.parametrize("empty", [None, ""])
def test_null_or_empty_clears_groups_and_fields(acme, empty) -> None:
    acme.device.update({"id": "meter-1", "groups": empty, "floor": empty, "description": empty})
    got = get(acme)
    assert "groups" not in got and "floor" not in got and "description" not in got


@pytest.mark.parametrize("field", ["name", "password"])
def test_name_and_password_cannot_be_cleared(acme, field) -> None:
    answer = acme.device.update({"id": "meter-1", field: ""})
    assert answer["metadata"]["errorCode"] == "INVALID_FIELD_VALUE"
    assert get(acme)["name"] == "Meter 1"


def test_a_failed_update_changes_nothing(acme) -> None:
    before = get(acme)
    answer = acme.device.update({"id": "meter-1", "name": "New", "groups": ["ok", "not/ok"]})
    assert answer["metadata"]["errorCode"] == "INVALID_FIELD_VALUE"
    assert get(acme) == before


def test_declaring_a_type_checks_the_stored_value(acme) -> None:
    assert (
        acme.device.update({"id": "meter-1", "meta.types": {"floor": "numeric"}})["metadata"]["status"]
        == "success"
    )
    answer = acme.device.update({"id": "meter-1", "floor": "third"})
    assert answer["metadata"]["errorCode"] == "INVALID_FIELD_VALUE"
    assert get(acme)["floor"] == "3"


def test_update_bumps_the_version_and_records_who_and_when(acme) -> None:
    with freeze_time("2030-01-02 03:04:05"):
        acme.device.update({"id": "meter-1", "name": "x"})
    got = get(acme)
    assert got["versionNumber"] == "2.0"
    assert got["latest"] == "true"
    assert got["lastModifiedBy"] == "scriptr"
    assert got["lastModifiedDate"] == "2030-01-02T03:04:05+0000"
    assert got["creationDate"] != got["lastModifiedDate"]


def test_a_device_token_caller_is_recorded_as_last_modifier(live) -> None:
    live.acme.device.create({"id": "gw", "name": "Gateway", "password": "pw"})
    token = live.acme.device.generateToken("gw")["result"]["token"]
    live.result("device/create", {"id": "child", "name": "C", "password": "pw"}, token=token)
    got = live.acme.device.get("child")["result"]
    assert (got["creator"], got["lastModifiedBy"]) == ("gw", "gw")


def test_save_creates_when_the_id_is_new(acme) -> None:
    answer = acme.device.save({"id": "meter-2", "name": "M2", "password": "pw"})
    assert answer == {"result": {"device": {"id": "meter-2"}}, "metadata": {"status": "success"}}
    assert get(acme, "meter-2")["versionNumber"] == "1.0"


def test_save_updates_when_the_id_exists_without_needing_a_password(acme) -> None:
    assert acme.device.save({"id": "meter-1", "name": "Saved"})["metadata"]["status"] == "success"
    got = get(acme)
    assert (got["name"], got["versionNumber"]) == ("Saved", "2.0")


def test_save_without_an_id_generates_one(acme) -> None:
    answer = acme.device.save({"name": "M", "password": "pw"})
    assert len(answer["result"]["device"]["id"]) == 10


def test_save_of_a_user_id_is_duplicate_user(acme) -> None:
    acme.user.create({"id": "ann", "name": "Ann", "password": "pw"})
    assert (
        acme.device.save({"id": "ann", "name": "x", "password": "pw"})["metadata"]["errorCode"]
        == "DUPLICATE_USER"
    )


def test_update_and_save_over_http(live) -> None:
    live.result("device/create", BASE)
    assert live.result("device/update", {"id": "meter-1", "floor": "4"})["metadata"]["status"] == "success"
    assert live.result("device/save", {"id": "meter-1", "floor": "5"})["metadata"]["status"] == "success"
    missing = live.result("device/update", {"id": "nope", "floor": "4"})
    assert missing["metadata"]["errorCode"] == "INVALID_DEVICE"
    assert live.acme.device.get("meter-1")["result"]["floor"] == "5"
