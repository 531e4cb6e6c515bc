"""Strict SigV4 signs the body that arrived, not the hash a header claims for it.

The outside battery swapped the body of a signed request and sent the original's hash in an
unsigned ``X-Amz-Content-SHA256``: it was accepted."""

from __future__ import annotations

import hashlib
import json

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from werkzeug.test import Client

from iotfake import FakeCloud

KEY, SECRET = "AKIAPAYLOADHASH00001", "secret"


def strict_cloud() -> FakeCloud:
    cloud = FakeCloud(auth="strict")
    cloud.seed({"aws": {"accounts": [{"accessKeys": [{"accessKeyId": KEY, "secretAccessKey": SECRET}]}]}})
    return cloud


def signed(body: bytes) -> dict[str, str]:
    request = AWSRequest(method="POST", url="http://iotfake/things/t1", data=body)
    SigV4Auth(Credentials(KEY, SECRET), "iot", "us-east-1").add_auth(request)
    return dict(request.headers)


def test_the_signed_body_is_accepted() -> None:
    body = json.dumps({"attributePayload": {"attributes": {"a": "1"}}}).encode()
    answer = Client(strict_cloud().wsgi_app).post(
        "/things/t1", data=body, headers=signed(body), base_url="http://iotfake"
    )
    assert answer.status_code == 200, answer.json


def test_a_swapped_body_with_the_original_hash_in_an_unsigned_header_is_refused() -> None:
    original = json.dumps({"attributePayload": {"attributes": {"a": "1"}}}).encode()
    swapped = json.dumps({"attributePayload": {"attributes": {"a": "evil"}}}).encode()
    headers = {**signed(original), "X-Amz-Content-SHA256": hashlib.sha256(original).hexdigest()}
    cloud = strict_cloud()
    answer = Client(cloud.wsgi_app).post(
        "/things/t1", data=swapped, headers=headers, base_url="http://iotfake"
    )
    assert answer.status_code == 403
    assert answer.json["__type"] == "InvalidSignatureException"
    assert "t1" not in cloud.registry.tenant("aws", "123456789012/us-east-1").keys
