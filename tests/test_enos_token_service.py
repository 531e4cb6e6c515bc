"""The apim token service: get, same token before expiry, refresh, expiry on the fake's clock."""

from __future__ import annotations

import hashlib

import pytest
from freezegun import freeze_time
from werkzeug.test import Client

from iotfake import FakeCloud

APP_KEY = "5acb82e7-a11e-4300-9164-c8b20b638e8b"
APP_SECRET = "0a446215-a602-4307-9ff2-3feed3e983ce"
GET = "/apim-token-service/v2.0/token/get"
REFRESH = "/apim-token-service/v2.0/token/refresh"
SEEDED = {"enos": {"orgs": [{"orgId": "o1", "apps": [{"appKey": APP_KEY, "appSecret": APP_SECRET}]}]}}


def body(app_key: str = APP_KEY, secret: str = APP_SECRET, timestamp: int = 1572574909697, **extra) -> dict:
    encryption = hashlib.sha256(f"{app_key}{timestamp}{secret}".encode()).hexdigest()
    return {"appKey": app_key, "encryption": encryption, "timestamp": timestamp, **extra}


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud(seed=1).seed(SEEDED)


@pytest.fixture
def client(cloud: FakeCloud) -> Client:
    return Client(cloud.wsgi_app)


def test_get_answers_the_documented_shape(client: Client) -> None:
    response = client.post(GET, json=body())
    assert response.status_code == 200
    answer = response.json
    assert answer == {
        "status": 0,
        "msg": "SUCCESS",
        "business": "apim-token-service",
        "data": {"accessToken": answer["data"]["accessToken"], "expire": 7200},
    }
    assert len(answer["data"]["accessToken"]) >= 32


def test_same_token_before_expiry_with_the_time_left_then_a_new_one(cloud: FakeCloud, client: Client) -> None:
    with freeze_time("2024-01-01 00:00:00") as frozen:
        first = client.post(GET, json=body()).json["data"]
        frozen.tick(1000)
        again = client.post(GET, json=body(timestamp=1572574919697)).json["data"]
        assert again == {"accessToken": first["accessToken"], "expire": 6200}
        cloud.clock.advance(6200)
        fresh = client.post(GET, json=body()).json["data"]
        assert fresh["accessToken"] != first["accessToken"] and fresh["expire"] == 7200


def test_refresh_issues_a_new_token_and_retires_the_old(cloud: FakeCloud, client: Client) -> None:
    with freeze_time("2024-01-01 00:00:00") as frozen:
        old = client.post(GET, json=body()).json["data"]["accessToken"]
        frozen.tick(3600)
        answer = client.post(REFRESH, json=body(accessToken=old)).json
        assert answer["status"] == 0 and answer["business"] == "apim-token-service"
        new = answer["data"]
        assert new["accessToken"] != old and new["expire"] == 7200
        assert client.post(GET, json=body()).json["data"]["accessToken"] == new["accessToken"]
        again = client.post(REFRESH, json=body(accessToken=old)).json
        assert again["status"] == 1204 and again["data"] is None


def test_refresh_of_an_expired_token_is_1203(cloud: FakeCloud, client: Client) -> None:
    old = client.post(GET, json=body()).json["data"]["accessToken"]
    cloud.clock.advance(7200)
    answer = client.post(REFRESH, json=body(accessToken=old)).json
    assert answer == {
        "status": 1203,
        "msg": answer["msg"],
        "business": "apim-token-service",
        "data": None,
    }
    assert "expired" in answer["msg"]


def test_refresh_of_a_token_never_issued_or_issued_to_another_app_is_1204(client: Client) -> None:
    assert client.post(REFRESH, json=body(accessToken="made-up")).json["status"] == 1204
    other = client.post(GET, json=body(app_key="other-app", secret="x")).json["data"]["accessToken"]
    assert client.post(REFRESH, json=body(accessToken=other)).json["status"] == 1204


def test_wrong_encryption_for_a_seeded_app_is_1003(client: Client) -> None:
    answer = client.post(GET, json=body(secret="wrong")).json
    assert answer["status"] == 1003 and answer["data"] is None
    assert client.post(REFRESH, json=body(secret="wrong", accessToken="x")).json["status"] == 1003


def test_unknown_app_gets_a_token_in_lenient_mode_and_1002_in_strict() -> None:
    lenient = Client(FakeCloud(seed=1).wsgi_app)
    assert lenient.post(GET, json=body(app_key="anyone", secret="anything")).json["status"] == 0
    strict = Client(FakeCloud(seed=1, auth="strict").seed(SEEDED).wsgi_app)
    answer = strict.post(GET, json=body(app_key="anyone", secret="anything")).json
    assert answer["status"] == 1002 and "anyone" in answer["msg"]
    assert strict.post(GET, json=body()).json["status"] == 0


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"encryption": "x", "timestamp": 1}, 1202),
        ({"appKey": "", "encryption": "x", "timestamp": 1}, 1202),
        ({"appKey": APP_KEY, "timestamp": 1}, 1202),
        ({"appKey": APP_KEY, "encryption": "x"}, 1202),
        ({"appKey": 5, "encryption": "x", "timestamp": 1}, 1004),
        ({"appKey": APP_KEY, "encryption": "x", "timestamp": "soon"}, 1004),
        ({"appKey": APP_KEY, "encryption": "x", "timestamp": True}, 1004),
        ([APP_KEY], 1004),
    ],
)
def test_bad_token_requests(client: Client, payload, status: int) -> None:
    answer = client.post(GET, json=payload).json
    assert answer["status"] == status and answer["business"] == "apim-token-service"
    assert answer["data"] is None


def test_malformed_json_and_missing_access_token_on_refresh(client: Client) -> None:
    response = client.post(GET, data=b"{oops", content_type="application/json")
    assert response.status_code == 200 and response.json["status"] == 1004
    assert client.post(REFRESH, json=body()).json["status"] == 1202


def test_timestamp_may_be_a_digit_string(client: Client) -> None:
    payload = body()
    payload["timestamp"] = str(payload["timestamp"])
    assert client.post(GET, json=payload).json["status"] == 0


def test_tokens_are_journaled_as_gettoken_and_refreshtoken(cloud: FakeCloud, client: Client) -> None:
    token = client.post(GET, json=body()).json["data"]["accessToken"]
    client.post(REFRESH, json=body(accessToken=token))
    assert [e.operation for e in cloud.journal.calls(provider="enos")] == ["GetToken", "RefreshToken"]
    assert cloud.journal.calls(operation="GetToken")[0].params["appKey"] == APP_KEY
