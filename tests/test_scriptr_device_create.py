"""device.create: generated ids, required fields, the id and group rules, custom fields and types."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iotfake import FakeCloud


@pytest.fixture
def acme():
    return FakeCloud(seed=11).scriptr("acme")


def failure(answer: dict) -> tuple[str, str]:
    assert "result" not in answer, answer
    metadata = answer["metadata"]
    assert metadata["status"] == "failure" and metadata["statusCode"] == 400, metadata
    return metadata["errorCode"], metadata["errorDetail"]


def test_create_without_an_id_generates_one_like_scriptr(acme) -> None:
    answer = acme.device.create({"name": "Multitech Conduit 001", "password": "pw", "groups": "mydevices"})
    assert set(answer) == {"result", "metadata"}
    assert answer["metadata"] == {"status": "success"}
    device_id = answer["result"]["device"]["id"]
    assert set(answer["result"]) == {"device"} and set(answer["result"]["device"]) == {"id"}
    assert re.fullmatch(r"[A-Z][A-Z0-9]{9}", device_id)


def test_generated_ids_repeat_under_the_same_seed() -> None:
    def first_id() -> str:
        return (
            FakeCloud(seed=3)
            .scriptr("a")
            .device.create({"name": "n", "password": "p"})["result"]["device"]["id"]
        )

    assert first_id() == first_id()


def test_create_makes_no_token(acme) -> None:
    acme.device.create({"id": "meter-1", "name": "M", "password": "pw"})
    assert "auth_token" not in acme.device.get("meter-1")["result"]


def test_create_over_http_answers_the_same_dict(live) -> None:
    result = live.result("device/create", {"id": "meter-1", "name": "M", "password": "pw"})
    assert result == {"result": {"device": {"id": "meter-1"}}, "metadata": {"status": "success"}}


@pytest.mark.parametrize("missing", ["name", "password"])
def test_name_and_password_are_required(acme, missing: str) -> None:
    body = {"id": "meter-1", "name": "M", "password": "pw"}
    del body[missing]
    assert failure(acme.device.create(body)) == (
        "MISSING_PARAMETERS",
        f"Missing required parameter [{missing}].",
    )
    assert failure(acme.device.get("meter-1"))[0] == "INVALID_IDENTIFIER"


@pytest.mark.parametrize("bad", ["has space", "slash/no", "x" * 244, "tab\t", "ümlaut", "a:b"])
def test_ids_outside_the_pattern_are_invalid_identifier(acme, bad: str) -> None:
    answer = acme.device.create({"id": bad, "name": "M", "password": "pw"})
    assert failure(answer) == ("INVALID_IDENTIFIER", f"The device [{bad}] is invalid.")


def test_the_longest_id_and_every_allowed_character_pass(acme) -> None:
    for good in ["a" * 243, "Az09@_.-", "john@example.com"]:
        assert (
            acme.device.create({"id": good, "name": "M", "password": "pw"})["metadata"]["status"] == "success"
        )


def test_an_empty_id_generates_one(acme) -> None:
    answer = acme.device.create({"id": "", "name": "M", "password": "pw"})
    assert re.fullmatch(r"[A-Z][A-Z0-9]{9}", answer["result"]["device"]["id"])


def test_a_taken_id_is_duplicate_device(acme) -> None:
    acme.device.create({"id": "meter-1", "name": "M", "password": "pw"})
    answer = acme.device.create({"id": "meter-1", "name": "Other", "password": "pw"})
    assert failure(answer) == ("DUPLICATE_DEVICE", "The device [meter-1] already exists.")
    assert acme.device.get("meter-1")["result"]["name"] == "M"


def test_the_builtin_device_id_is_taken_from_the_start(acme) -> None:
    assert (
        failure(acme.device.create({"id": "scriptr", "name": "M", "password": "pw"}))[0] == "DUPLICATE_DEVICE"
    )


@pytest.mark.parametrize(
    ("groups", "stored"),
    [("g1", "g1"), (["g1", "g2"], ["g1", "g2"]), (["g1", "g1"], "g1"), ({"append": ["a", "b"]}, ["a", "b"])],
)
def test_groups_take_a_string_a_list_or_append(acme, groups, stored) -> None:
    acme.device.create({"id": "d", "name": "M", "password": "pw", "groups": groups})
    assert acme.device.get("d")["result"]["groups"] == stored


@pytest.mark.parametrize("empty", [None, "", []])
def test_empty_groups_store_none(acme, empty) -> None:
    acme.device.create({"id": "d", "name": "M", "password": "pw", "groups": empty})
    assert "groups" not in acme.device.get("d")["result"]


@pytest.mark.parametrize("bad", ["bad/name", "x" * 129, "", 5])
def test_group_names_follow_the_pattern(acme, bad) -> None:
    answer = acme.device.create({"id": "d", "name": "M", "password": "pw", "groups": ["ok", bad]})
    code, detail = failure(answer)
    assert code == "INVALID_FIELD_VALUE" and "[groups]" in detail


def test_a_group_name_may_hold_spaces_underscores_and_dashes(acme) -> None:
    name = "Field team_2-" + "x" * 115
    acme.device.create({"id": "d", "name": "M", "password": "pw", "groups": name})
    assert acme.device.get("d")["result"]["groups"] == name


@pytest.mark.parametrize(
    ("given", "stored"), [(True, "true"), ("TRUE", "true"), (False, "false"), (None, "false")]
)
def test_is_suspended_is_stored_as_a_string(acme, given, stored) -> None:
    acme.device.create({"id": "d", "name": "M", "password": "pw", "isSuspended": given})
    assert acme.device.get("d")["result"]["isSuspended"] == stored


def test_is_suspended_rejects_other_values(acme) -> None:
    answer = acme.device.create({"id": "d", "name": "M", "password": "pw", "isSuspended": "maybe"})
    assert failure(answer)[0] == "INVALID_FIELD_VALUE"


def test_custom_fields_are_stored_and_typed_by_meta_types(acme) -> None:
    acme.device.create(
        {
            "id": "d",
            "name": "M",
            "password": "pw",
            "description": "roof",
            "floor": 3,
            "location": "45.5,-73.6",
            "installed": "2024-05-01T10:00:00Z",
            "meta.types": {
                "floor": "numeric",
                "location": "geospatial",
                "installed": "date",
                "description": "text",
            },
        }
    )
    got = acme.device.get("d", {"includeFieldType": True})["result"]
    assert (got["description"], got["floor"], got["location"]) == ("roof", 3, "45.5,-73.6")
    assert got["meta.types"]["floor"] == "numeric"
    assert got["meta.types"]["location"] == "geospatial"
    assert got["meta.types"]["installed"] == "date"
    assert got["meta.types"]["description"] == "text"


@pytest.mark.parametrize(
    ("field", "kind", "value"),
    [
        ("floor", "numeric", "three"),
        ("on", "boolean", "yes"),
        ("at", "date", "May 1st"),
        ("p", "geospatial", "1"),
    ],
)
def test_a_value_that_does_not_fit_its_type_is_invalid_field_value(acme, field, kind, value) -> None:
    answer = acme.device.create(
        {"id": "d", "name": "M", "password": "pw", field: value, "meta.types": {field: kind}}
    )
    code, detail = failure(answer)
    assert code == "INVALID_FIELD_VALUE" and f"[{field}]" in detail
    assert failure(acme.device.get("d"))[0] == "INVALID_IDENTIFIER"


def test_an_unknown_field_type_is_invalid_field_value(acme) -> None:
    answer = acme.device.create({"id": "d", "name": "M", "password": "pw", "meta.types": {"x": "blob"}})
    assert failure(answer)[0] == "INVALID_FIELD_VALUE"


def test_nested_objects_are_not_fields(acme) -> None:
    answer = acme.device.create({"id": "d", "name": "M", "password": "pw", "config": {"a": 1}})
    assert failure(answer) == (
        "INVALID_FIELD_VALUE",
        "Invalid value for the field [config]: nested objects are not supported.",
    )


def test_system_fields_sent_by_the_caller_are_ignored(acme) -> None:
    acme.device.create(
        {"id": "d", "name": "M", "password": "pw", "creator": "mallory", "versionNumber": "9.0"}
    )
    got = acme.device.get("d")["result"]
    assert (got["creator"], got["versionNumber"]) == ("scriptr", "1.0")


def test_the_password_is_stored_hashed_and_never_returned(acme) -> None:
    acme.device.create({"id": "d", "name": "M", "password": "hunter2"})
    assert "password" not in acme.device.get("d")["result"]
    assert "password" not in acme.device.query({})["result"]["devices"][1]
    state = json.dumps(acme.cloud.snapshot())
    assert "hunter2" not in state and "pbkdf2_sha256$" in state


def test_seeded_groups_restrict_group_names(acme) -> None:
    acme.cloud.seed({"scriptr": {"accounts": [{"name": "acme", "groups": ["ops"]}]}})
    assert (
        acme.device.create({"id": "a", "name": "M", "password": "pw", "groups": "ops"})["metadata"]["status"]
        == "success"
    )
    code, detail = failure(acme.device.create({"id": "b", "name": "M", "password": "pw", "groups": "sales"}))
    assert code == "INVALID_FIELD_VALUE" and "does not exist" in detail


def test_a_password_hashed_with_another_round_count_still_verifies() -> None:
    """State files from before the count changed keep their devices' passwords working."""
    import hashlib

    from iotfake.registry.passwords import ITERATIONS, hash_password, verify_password

    old = "pbkdf2_sha256$100$salt$" + hashlib.pbkdf2_hmac("sha256", b"hunter2", b"salt", 100).hex()
    assert verify_password("hunter2", old) and not verify_password("hunter3", old)
    assert hash_password("hunter2", "salt").startswith(f"pbkdf2_sha256${ITERATIONS}$salt$")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=150), st.binary(max_size=40))
def test_one_round_is_the_standard_librarys_pbkdf2(password: bytes, salt: bytes) -> None:
    import hashlib

    from iotfake.registry import passwords

    assert passwords._one_round(password, salt) == hashlib.pbkdf2_hmac("sha256", password, salt, 1)
