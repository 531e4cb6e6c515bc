"""The user module: answers without result, shared ids with devices, expiring tokens."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from iotfake import FakeCloud

ANN = {"id": "ann@acme.io", "name": "Ann", "password": "pw", "groups": "ops"}


@pytest.fixture
def acme():
    account = FakeCloud(seed=14).scriptr("acme")
    assert account.user.create(ANN) == {"metadata": {"status": "success"}}
    return account


def code(answer: dict) -> str:
    return answer["metadata"].get("errorCode", answer["metadata"]["status"])


def test_create_update_save_answer_without_a_result(acme) -> None:
    assert acme.user.update({"id": ANN["id"], "name": "Ann B"}) == {"metadata": {"status": "success"}}
    assert acme.user.save({"id": "bob", "name": "Bob", "password": "pw"}) == {
        "metadata": {"status": "success"}
    }
    assert acme.user.save({"id": "bob", "name": "Bobby"}) == {"metadata": {"status": "success"}}
    got = acme.user.get("bob")["result"]
    assert (got["name"], got["versionNumber"]) == ("Bobby", "2.0")


def test_get_shows_fields_without_the_password(acme) -> None:
    got = acme.user.get(ANN["id"])["result"]
    assert got["id"] == ANN["id"] and got["name"] == "Ann" and got["groups"] == "ops"
    assert "password" not in got and "tokens" not in got


def test_a_user_needs_an_id_a_name_and_a_password(acme) -> None:
    assert code(acme.user.create({"name": "x", "password": "pw"})) == "MISSING_PARAMETERS"
    assert code(acme.user.create({"id": "x", "password": "pw"})) == "MISSING_PARAMETERS"
    assert code(acme.user.create({"id": "bad id", "name": "x", "password": "pw"})) == "INVALID_IDENTIFIER"


def test_missing_users(acme) -> None:
    assert acme.user.get("ghost")["metadata"]["errorDetail"] == "The user [ghost] is invalid."
    assert code(acme.user.get("ghost")) == "INVALID_IDENTIFIER"
    assert code(acme.user.update({"id": "ghost", "name": "x"})) == "INVALID_USER"
    assert code(acme.user.delete("ghost")) == "INVALID_USER"
    assert code(acme.user.generateToken("ghost")) == "INVALID_USER"


def test_users_and_devices_share_one_id_space(acme) -> None:
    assert acme.device.create({"id": ANN["id"], "name": "d", "password": "pw"})["metadata"] == {
        "status": "failure",
        "statusCode": 400,
        "errorCode": "DUPLICATE_USER",
        "errorDetail": f"The user [{ANN['id']}] already exists.",
    }
    acme.device.create({"id": "meter-1", "name": "d", "password": "pw"})
    answer = acme.user.create({"id": "meter-1", "name": "u", "password": "pw"})
    assert code(answer) == "DUPLICATE_DEVICE"
    assert code(acme.user.create({"id": "scriptr", "name": "u", "password": "pw"})) == "DUPLICATE_DEVICE"
    assert code(acme.user.create(ANN)) == "DUPLICATE_USER"


def test_a_deleted_user_frees_the_id_for_a_device(acme) -> None:
    assert acme.user.delete(ANN["id"]) == {"metadata": {"status": "success"}}
    assert code(acme.device.create({"id": ANN["id"], "name": "d", "password": "pw"})) == "success"


def test_user_tokens_expire_after_1800_seconds_by_default(live) -> None:
    live.acme.user.create(ANN)
    with freeze_time("2030-01-01 00:00:00") as frozen:
        token = live.result("user/generateToken", {"id": ANN["id"]})["result"]["token"]
        frozen.tick(1799)
        assert live.post("device/query", {}, token=token).status_code == 200
        frozen.tick(1)
        refused = live.post("device/query", {}, token=token)
        assert refused.status_code == 400
        assert refused.json()["response"]["metadata"]["errorCode"] == "INVALID_TOKEN"


def test_expiry_and_lifetime_follow_the_fakes_clock(live) -> None:
    live.acme.user.create(ANN)
    token = live.acme.user.generateToken(ANN["id"], {"expiry": 86400, "lifeTime": 600})["result"]["token"]
    live.cloud.clock.advance(599)
    assert live.post("device/query", {}, token=token).status_code == 200
    live.cloud.clock.advance(1)
    assert live.post("device/query", {}, token=token).status_code == 400
    assert "tokens" not in live.acme.user.get(ANN["id"])["result"]


def test_a_user_token_acts_in_its_account_as_the_user(live) -> None:
    live.acme.user.create(ANN)
    token = live.acme.user.generateToken(ANN["id"])["result"]["token"]
    live.result("device/create", {"id": "d", "name": "d", "password": "pw"}, token=token)
    assert live.acme.device.get("d")["result"]["creator"] == ANN["id"]


@pytest.mark.parametrize(
    "options",
    [{"expiry": 86401}, {"lifeTime": 604801}, {"expiry": 0}, {"expiry": "soon"}, {"lifeTime": -5}],
)
def test_expiry_and_lifetime_have_limits(acme, options) -> None:
    answer = acme.user.generateToken(ANN["id"], options)
    assert code(answer) == "INVALID_PARAMETER"
    assert "tokens" not in acme.user.get(ANN["id"])["result"]


def test_the_largest_expiry_and_lifetime_are_accepted(acme) -> None:
    assert code(acme.user.generateToken(ANN["id"], {"expiry": 86400, "lifeTime": 604800})) == "success"


def test_at_most_20_live_tokens_per_user(acme) -> None:
    tokens = [acme.user.generateToken(ANN["id"])["result"]["token"] for _ in range(20)]
    assert len(set(tokens)) == 20
    assert acme.user.get(ANN["id"])["result"]["tokens"] == tokens
    assert code(acme.user.generateToken(ANN["id"])) == "TOKEN_LIMIT_EXCEEDED"
    acme.user.revokeToken(ANN["id"], tokens[0])
    assert code(acme.user.generateToken(ANN["id"])) == "success"


def test_expired_tokens_free_their_slots(acme) -> None:
    for _ in range(20):
        acme.user.generateToken(ANN["id"], {"expiry": 60})
    acme.cloud.clock.advance(60)
    assert code(acme.user.generateToken(ANN["id"])) == "success"


def test_generate_token_checks_a_given_password(acme) -> None:
    assert code(acme.user.generateToken(ANN["id"], {"password": "wrong"})) == "INVALID_PARAMETER"
    assert code(acme.user.generateToken(ANN["id"], {"password": "pw"})) == "success"


def test_revoke_one_token_or_all(live) -> None:
    live.acme.user.create(ANN)
    one, two, three = (live.acme.user.generateToken(ANN["id"])["result"]["token"] for _ in range(3))
    assert live.result("user/revokeToken", {"id": ANN["id"], "token": one}) == {
        "metadata": {"status": "success"}
    }
    assert live.post("device/query", {}, token=one).status_code == 400
    assert live.post("device/query", {}, token=two).status_code == 200
    assert code(live.acme.user.revokeToken(ANN["id"], one)) == "TOKEN_NOT_FOUND"
    live.acme.user.revokeToken(ANN["id"])
    assert [live.post("device/query", {}, token=t).status_code for t in (two, three)] == [400, 400]
    assert code(live.acme.user.revokeToken(ANN["id"])) == "TOKEN_NOT_FOUND"


def test_deleting_a_user_kills_its_tokens(live) -> None:
    live.acme.user.create(ANN)
    token = live.acme.user.generateToken(ANN["id"])["result"]["token"]
    live.result("user/delete", {"id": ANN["id"]})
    assert live.post("device/query", {}, token=token).status_code == 400


def test_a_suspended_users_tokens_do_not_authenticate(live) -> None:
    live.acme.user.create(ANN)
    token = live.acme.user.generateToken(ANN["id"])["result"]["token"]
    live.acme.user.update({"id": ANN["id"], "isSuspended": "true"})
    assert live.post("device/query", {}, token=token).status_code == 400


def test_user_functions_over_http(live) -> None:
    assert live.result("user/create", ANN) == {"metadata": {"status": "success"}}
    assert live.result("user/update", {"id": ANN["id"], "team": "blue"}) == {
        "metadata": {"status": "success"}
    }
    assert live.result("user/save", {"id": "bob", "name": "Bob", "password": "pw"}) == {
        "metadata": {"status": "success"}
    }
    assert live.acme.user.get(ANN["id"])["result"]["team"] == "blue"
    assert live.get("user/get", {"id": ANN["id"]}).json()["response"]["result"]["result"]["name"] == "Ann"
    token = live.get("user/generateToken", {"id": ANN["id"], "expiry": "60"}).json()["response"]["result"]
    assert set(token["result"]) == {"token"}
