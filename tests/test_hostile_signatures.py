"""A signature or encryption with non-ASCII characters is a wrong signature, answered with each
provider's own refusal (``hmac.compare_digest`` raises TypeError on non-ASCII text)."""

from __future__ import annotations

import hashlib

import pytest
import requests
from werkzeug.test import Client

from iotfake import FakeCloud

APP_KEY, APP_SECRET = "app-one", "secret-one"
ENOS_APPS = {"enos": {"orgs": [{"orgId": "o1", "apps": [{"appKey": APP_KEY, "appSecret": APP_SECRET}]}]}}
AWS_KEY = "AKIAFAKESTRICT000001"
AWS_ACCOUNT = {
    "accountId": "111122223333",
    "region": "eu-central-1",
    "accessKeys": [{"accessKeyId": AWS_KEY, "secretAccessKey": "strict-secret"}],
}


@pytest.mark.parametrize("auth", ["lenient", "strict"])
@pytest.mark.parametrize("encryption", ["é", "é" * 64, "\u00ff" * 3])
def test_enos_token_service_answers_invalid_encryption(auth: str, encryption: str) -> None:
    cloud = FakeCloud(seed=1, auth=auth).seed(ENOS_APPS)
    answer = Client(cloud.wsgi_app).post(
        "/apim-token-service/v2.0/token/get",
        json={"appKey": APP_KEY, "timestamp": 1700000000000, "encryption": encryption},
    )
    assert answer.status_code == 200
    assert answer.json["status"] == 1003
    assert answer.json["msg"].startswith("Invalid encryption")


def test_enos_gateway_answers_a_non_ascii_signature_as_a_mismatch() -> None:
    cloud = FakeCloud(seed=1, auth="strict").seed(ENOS_APPS)
    client = Client(cloud.wsgi_app)
    encryption = hashlib.sha256(f"{APP_KEY}1700000000000{APP_SECRET}".encode()).hexdigest()
    got = client.post(
        "/apim-token-service/v2.0/token/get",
        json={"appKey": APP_KEY, "timestamp": 1700000000000, "encryption": encryption},
    ).json
    token = got["data"]["accessToken"]
    with cloud.serve() as server:
        answer = requests.post(
            f"{server.url}/connect-service/v2.1/devices?action=search&orgId=o1",
            data=b"{}",
            headers={
                "apim-accesstoken": token,
                "apim-timestamp": "1700000000123",
                "apim-signature": "é".encode().decode("latin-1"),  # the UTF-8 bytes, as sent
            },
            timeout=10,
        )
    assert answer.status_code == 401
    assert answer.json()["apim_status"] == 4010
    assert "apim-signature does not match" in answer.json()["apim_message"]


@pytest.mark.parametrize("signature", ["éé", "0123abcd" + "ÿ" * 56])
def test_aws_strict_answers_a_non_ascii_signature_as_invalid(signature: str) -> None:
    cloud = FakeCloud(seed=1, auth="strict").seed({"aws": {"accounts": [AWS_ACCOUNT]}})
    header = (
        f"AWS4-HMAC-SHA256 Credential={AWS_KEY}/20250101/eu-central-1/iot/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={signature}"
    )
    with cloud.serve() as server:
        answer = requests.get(
            f"{server.url}/things",
            headers={"Authorization": header.encode().decode("latin-1"), "X-Amz-Date": "20250101T000000Z"},
            timeout=10,
        )
    assert answer.status_code == 403
    assert answer.headers["x-amzn-ErrorType"] == "InvalidSignatureException:"
    assert answer.json()["message"].startswith("The request signature we calculated does not match")
