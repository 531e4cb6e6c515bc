"""The gateway in front of Connect, in each auth mode (DESIGN.md: off, lenient, strict)."""

from __future__ import annotations

import hashlib
import json

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.clients import EnosGatewayAuth
from iotfake.transports import requests_session

APP_KEY, APP_SECRET = "app-one", "secret-one"
DOC = {
    "enos": {
        "orgs": [
            {"orgId": "o1", "apps": [{"appKey": APP_KEY, "appSecret": APP_SECRET}]},
            {"orgId": "o2", "apps": [{"appKey": "app-two", "appSecret": "secret-two"}]},
        ]
    }
}
SEARCH = "/connect-service/v2.1/devices?action=search&orgId=o1"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def get_token(client: Client, app_key: str = APP_KEY, secret: str = APP_SECRET) -> str:
    payload = {
        "appKey": app_key,
        "timestamp": 1700000000000,
        "encryption": sha(f"{app_key}1700000000000{secret}"),
    }
    answer = client.post("/apim-token-service/v2.0/token/get", json=payload).json
    assert answer["status"] == 0, answer
    return answer["data"]["accessToken"]


def signed(
    token: str, query: str, body: str, secret: str = APP_SECRET, timestamp: str = "1700000000123"
) -> dict:
    pairs = sorted(tuple(p.split("=", 1)) for p in query.split("&"))
    params = "".join(k + v for k, v in pairs) + body
    return {
        "apim-accesstoken": token,
        "apim-signature": sha(token + params + timestamp + secret),
        "apim-timestamp": timestamp,
    }


def test_off_accepts_no_credentials_at_all() -> None:
    client = Client(FakeCloud(seed=1, auth="off").wsgi_app)
    assert client.post(SEARCH, json={}).json["code"] == 0


def test_lenient_requires_the_header() -> None:
    response = Client(FakeCloud(seed=1).wsgi_app).post(SEARCH, json={})
    assert response.status_code == 401
    assert response.json == {"apim_status": 4010, "apim_message": "the apim-accesstoken header is missing"}


def test_lenient_takes_a_token_it_never_issued_as_the_org_owner() -> None:
    client = Client(FakeCloud(seed=1).wsgi_app)
    answer = client.post(SEARCH, json={}, headers={"apim-accesstoken": "base64-rsa-blob=="}).json
    assert answer["code"] == 0


def test_lenient_answers_an_expired_fake_token_with_4011() -> None:
    cloud = FakeCloud(seed=1).seed(DOC)
    client = Client(cloud.wsgi_app)
    token = get_token(client)
    assert client.post(SEARCH, json={}, headers={"apim-accesstoken": token}).json["code"] == 0
    cloud.clock.advance(7199)
    assert client.post(SEARCH, json={}, headers={"apim-accesstoken": token}).json["code"] == 0
    cloud.clock.advance(1)
    response = client.post(SEARCH, json={}, headers={"apim-accesstoken": token})
    assert response.status_code == 200
    assert response.json == {
        "apim_status": 4011,
        "apim_message": "the access token has expired",
        "apim_refreshtoken": token,
    }
    assert cloud.journal.calls(operation="SearchDevice")[-1].code == "4011"


def test_lenient_answers_a_refreshed_away_token_with_4012() -> None:
    cloud = FakeCloud(seed=1).seed(DOC)
    client = Client(cloud.wsgi_app)
    token = get_token(client)
    payload = {
        "appKey": APP_KEY,
        "timestamp": 1,
        "encryption": sha(f"{APP_KEY}1{APP_SECRET}"),
        "accessToken": token,
    }
    new = client.post("/apim-token-service/v2.0/token/refresh", json=payload).json["data"]["accessToken"]
    response = client.post(SEARCH, json={}, headers={"apim-accesstoken": token})
    assert response.status_code == 200 and response.json["apim_status"] == 4012
    assert client.post(SEARCH, json={}, headers={"apim-accesstoken": new}).json["code"] == 0


def test_lenient_records_the_app_behind_an_issued_token_as_creator() -> None:
    cloud = FakeCloud(seed=1).seed(DOC)
    client = Client(cloud.wsgi_app)
    token = get_token(client)
    product = {
        "productName": {"defaultValue": "M"},
        "productType": "Device",
        "dataFormat": "Json",
        "modelId": "m",
        "biDirectionalAuth": False,
    }
    headers = {"apim-accesstoken": token}
    pk = client.post(
        "/connect-service/v2.1/products?action=create&orgId=o1", json=product, headers=headers
    ).json["data"]
    got = client.get(
        f"/connect-service/v2.1/products?action=get&orgId=o1&productKey={pk}", headers=headers
    ).json
    assert got["data"]["createBy"] == APP_KEY == got["data"]["updateBy"]


@pytest.fixture
def strict() -> tuple[FakeCloud, Client, str]:
    cloud = FakeCloud(seed=1, auth="strict").seed(DOC)
    client = Client(cloud.wsgi_app)
    return cloud, client, get_token(client)


def test_strict_accepts_a_correctly_signed_call(strict) -> None:
    _, client, token = strict
    body = json.dumps({"pagination": {"pageNo": 1, "pageSize": 5}})
    query = "action=search&orgId=o1"
    response = client.post(
        f"/connect-service/v2.1/devices?{query}", data=body, headers=signed(token, query, body)
    )
    assert response.json["code"] == 0 and response.json["pagination"]["pageSize"] == 5


def test_strict_signs_get_calls_over_the_query_alone(strict) -> None:
    _, client, token = strict
    query = "action=get&orgId=o1&assetId=abc"
    response = client.get(f"/connect-service/v2.1/devices?{query}", headers=signed(token, query, ""))
    assert response.json["code"] == 11404


def test_strict_signs_a_repeated_query_parameter_once_with_its_first_value(strict) -> None:
    """The signing page's reference code (okhttp: ``queryParameterNames()`` sorted, each with
    ``queryParameter(name)``, its first value) puts a repeated name into ``paramsData`` once,
    as Connect reads it (the first ``assetId`` names the device): the fake signed every value,
    so such a correctly signed call was refused with 4010."""
    _, client, token = strict
    query = "action=get&orgId=o1&assetId=abc&assetId=def"
    params = "actionget" + "assetIdabc" + "orgIdo1"
    timestamp = "1700000000123"
    headers = {
        "apim-accesstoken": token,
        "apim-signature": sha(token + params + timestamp + APP_SECRET),
        "apim-timestamp": timestamp,
    }
    response = client.get(f"/connect-service/v2.1/devices?{query}", headers=headers)
    assert response.status_code == 200 and response.json["code"] == 11404, response.json
    signed_twice = "actionget" + "assetIdabc" + "assetIddef" + "orgIdo1"
    every_value = {**headers, "apim-signature": sha(token + signed_twice + timestamp + APP_SECRET)}
    refused = client.get(f"/connect-service/v2.1/devices?{query}", headers=every_value)
    assert refused.status_code == 401 and refused.json["apim_status"] == 4010


def test_the_plugins_signer_signs_a_repeated_name_as_the_gateway_does(strict) -> None:
    """``iotfake.clients.EnosGatewayAuth`` (the ``iotfake_enos`` session's signer) over requests."""
    cloud, _, token = strict
    session = requests_session(cloud)
    session.auth = EnosGatewayAuth(lambda: token, APP_SECRET)
    answer = session.get("/connect-service/v2.1/devices?action=get&orgId=o1&assetId=abc&assetId=def")
    assert answer.status_code == 200 and answer.json()["code"] == 11404


def test_strict_rejects_a_bad_signature_a_tampered_body_and_missing_headers(strict) -> None:
    _, client, token = strict
    query = "action=search&orgId=o1"
    headers = signed(token, query, "{}")
    tampered = client.post(f"/connect-service/v2.1/devices?{query}", data='{"x":1}', headers=headers)
    assert tampered.status_code == 401 and tampered.json["apim_status"] == 4010
    assert "apim-signature does not match" in tampered.json["apim_message"]
    wrong_secret = signed(token, query, "{}", secret="nope")
    assert (
        client.post(f"/connect-service/v2.1/devices?{query}", data="{}", headers=wrong_secret).status_code
        == 401
    )
    for missing in ("apim-signature", "apim-timestamp"):
        partial = {k: v for k, v in headers.items() if k != missing}
        response = client.post(f"/connect-service/v2.1/devices?{query}", data="{}", headers=partial)
        assert response.status_code == 401 and missing in response.json["apim_message"]


def test_strict_refuses_tokens_it_did_not_issue(strict) -> None:
    _, client, _ = strict
    query = "action=search&orgId=o1"
    response = client.post(
        f"/connect-service/v2.1/devices?{query}", data="{}", headers=signed("made-up", query, "{}")
    )
    assert response.status_code == 200 and response.json["apim_status"] == 4012


def test_strict_unknown_org_is_99400(strict) -> None:
    _, client, token = strict
    query = "action=search&orgId=o404"
    answer = client.post(
        f"/connect-service/v2.1/devices?{query}", data="{}", headers=signed(token, query, "{}")
    ).json
    assert answer["code"] == 99400 and answer["msg"] == "Invalid Argument orgId:  orgId does not exist"


def test_strict_app_outside_its_org_is_99403(strict) -> None:
    _, client, token = strict
    query = "action=search&orgId=o2"
    answer = client.post(
        f"/connect-service/v2.1/devices?{query}", data="{}", headers=signed(token, query, "{}")
    ).json
    assert answer["code"] == 99403 and "o2" in answer["msg"]


def test_strict_expired_token_is_4011(strict) -> None:
    cloud, client, token = strict
    cloud.clock.advance(7200)
    query = "action=search&orgId=o1"
    answer = client.post(
        f"/connect-service/v2.1/devices?{query}", data="{}", headers=signed(token, query, "{}")
    ).json
    assert answer["apim_status"] == 4011
