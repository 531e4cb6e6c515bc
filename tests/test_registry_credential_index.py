"""Seeded credentials (AWS access keys, EnOS appKeys) are found through one registry-wide index.

Signed requests must not walk every tenant to learn whose key signed them: with thousands of
tenants each request would pay for all of them. The tests take the walk away and check that
token service, gateway and SigV4 still answer, before and after a snapshot round trip.
"""

from __future__ import annotations

import hashlib
import json

import boto3
import pytest
from botocore.config import Config
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.documents import DocumentError

APP_KEY, APP_SECRET = "app-index", "secret-index"
AWS_KEY = {"accessKeyId": "AKIAINDEXEDKEY000001", "secretAccessKey": "indexed-secret"}
DOC = {
    "enos": {
        "orgs": [
            {"orgId": "o1", "apps": [{"appKey": APP_KEY, "appSecret": APP_SECRET}]},
            {"orgId": "o2"},
        ]
    },
    "aws": {"accounts": [{"accountId": "555555555555", "accessKeys": [AWS_KEY]}]},
}
TIMESTAMP = 1700000000000


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def get_token(client: Client) -> dict:
    payload = {
        "appKey": APP_KEY,
        "timestamp": TIMESTAMP,
        "encryption": sha(f"{APP_KEY}{TIMESTAMP}{APP_SECRET}"),
    }
    return client.post("/apim-token-service/v2.0/token/get", json=payload).json


def search(client: Client, token: str, org: str) -> dict:
    query, body, stamp = f"action=search&orgId={org}", "{}", "1700000000123"
    params = "".join(k + v for k, v in sorted(p.split("=", 1) for p in query.split("&"))) + body
    headers = {
        "apim-accesstoken": token,
        "apim-signature": sha(token + params + stamp + APP_SECRET),
        "apim-timestamp": stamp,
    }
    return client.post(f"/connect-service/v2.1/devices?{query}", data=body, headers=headers).json


def no_walks(cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    def walk(*args, **kwargs):
        raise AssertionError("a credential lookup walked every tenant")

    monkeypatch.setattr(cloud.registry, "tenants", walk)


def test_enos_token_service_and_gateway_find_the_app_without_walking_tenants(monkeypatch) -> None:
    cloud = FakeCloud(seed=1, auth="strict").seed(DOC)
    client = Client(cloud.wsgi_app)
    no_walks(cloud, monkeypatch)
    answer = get_token(client)
    assert answer["status"] == 0, answer
    token = answer["data"]["accessToken"]
    assert get_token(client)["data"]["accessToken"] == token  # the live one again
    assert search(client, token, "o1")["code"] == 0
    assert search(client, token, "o2")["code"] == 99403


def test_aws_strict_signatures_find_the_key_without_walking_tenants(monkeypatch) -> None:
    cloud = FakeCloud(seed=1, auth="strict").seed(DOC)
    no_walks(cloud, monkeypatch)
    # no broker: its TLS listener reads every account's CAs once when it starts, by design
    with cloud.serve(mqtt=False) as server:
        iot = boto3.client(
            "iot",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id=AWS_KEY["accessKeyId"],
            aws_secret_access_key=AWS_KEY["secretAccessKey"],
            config=Config(retries={"total_max_attempts": 1}),
        )
        arn = iot.create_thing(thingName="t1")["thingArn"]
    assert arn == "arn:aws:iot:us-east-1:555555555555:thing/t1"


def test_an_app_granted_to_a_second_org_by_a_later_document_reaches_both(monkeypatch) -> None:
    cloud = FakeCloud(seed=1, auth="strict").seed(DOC)
    cloud.seed({"enos": {"orgs": [{"orgId": "o2", "apps": [{"appKey": APP_KEY, "appSecret": APP_SECRET}]}]}})
    restored = FakeCloud.from_snapshot(json.loads(cloud.state_json()))
    for each in (cloud, restored):
        client = Client(each.wsgi_app)
        token = get_token(client)["data"]["accessToken"]
        assert search(client, token, "o1")["code"] == 0
        assert search(client, token, "o2")["code"] == 0


def test_an_app_keeps_its_secret_across_documents_and_a_failed_load_claims_nothing() -> None:
    cloud = FakeCloud(seed=1).seed(DOC)
    with pytest.raises(DocumentError) as caught:
        cloud.seed({"enos": {"orgs": [{"orgId": "o3", "apps": [{"appKey": APP_KEY, "appSecret": "other"}]}]}})
    assert caught.value.path == "enos.orgs[0].apps[0].appSecret"
    fresh = {"appKey": "app-new", "appSecret": "one"}
    with pytest.raises(DocumentError):
        cloud.seed(
            {"enos": {"orgs": [{"orgId": "o3", "apps": [fresh], "devices": [{"productKey": "none"}]}]}}
        )
    cloud.seed({"enos": {"orgs": [{"orgId": "o4", "apps": [{**fresh, "appSecret": "two"}]}]}})


def test_reset_forgets_seeded_credentials() -> None:
    cloud = FakeCloud(seed=1, auth="strict").seed(DOC)
    cloud.reset()
    answer = get_token(Client(cloud.wsgi_app))
    assert answer["status"] == 1002


def test_get_token_finds_the_live_token_again_after_a_restore() -> None:
    cloud = FakeCloud(seed=1).seed(DOC)
    client = Client(cloud.wsgi_app)
    first = get_token(client)["data"]["accessToken"]
    restored = FakeCloud.from_snapshot(json.loads(cloud.state_json()))
    assert get_token(Client(restored.wsgi_app))["data"]["accessToken"] == first
    restored.clock.advance(7200)
    assert get_token(Client(restored.wsgi_app))["data"]["accessToken"] != first
