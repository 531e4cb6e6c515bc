"""Limits and hostile input: oversized bodies and request lines, deep nesting, huge numbers, a
bounded journal, many tenants. Each is refused in a clear 4xx (or absorbed), never a 5xx, and
changes nothing it should not."""

from __future__ import annotations

import json
import socket

import pytest
import requests
from reliability_helpers import assert_consistent
from werkzeug.test import Client

from iotfake import FakeCloud

ENOS = {"apim-accesstoken": "t"}
SCRIPTR_CREATE = "/scriptr/device/create"
SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDLIMITS/20250101/us-east-1/iot/aws4_request, "
    "SignedHeaders=host, Signature=00",
}
PRODUCT = {
    "enos": {
        "orgs": [{"orgId": "o1", "products": [{"productKey": "PK1", "productName": "M", "modelId": "m"}]}]
    }
}
CREATE = "/connect-service/v2.1/devices?action=create&orgId=o1"
DEVICE = {"productKey": "PK1", "timezone": "+08:00", "deviceName": {"defaultValue": "m"}}


def raw_exchange(url: str, request: bytes) -> tuple[int, bytes]:
    """Send bytes no HTTP library would, read the answer to the end."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_bodies_over_the_limit_get_413_and_change_nothing() -> None:
    cloud = FakeCloud(seed=31, max_body=4096, max_admin_body=4096).seed(PRODUCT)
    big = json.dumps({**DEVICE, "deviceDesc": "x" * 5000}).encode()
    answer = Client(cloud.wsgi_app).post(CREATE, data=big, headers=ENOS)
    assert answer.status_code == 413 and "4096-byte limit" in answer.json["message"]
    with cloud.serve() as server:
        over_http = requests.post(server.url + CREATE, data=big, headers=ENOS, timeout=10)
        assert over_http.status_code == 413 and over_http.json()["code"] == 413
        chunked = requests.post(
            server.url + CREATE, data=iter([big[:3000], big[3000:]]), headers=ENOS, timeout=10
        )
        assert chunked.status_code == 413
        for path in (SCRIPTR_CREATE, "/things/big", "/_iotfake/seed"):
            assert requests.post(server.url + path, data=big, headers=SIGNED, timeout=10).status_code == 413
        # the server is still fine, and the limit is a limit, not a ban
        assert requests.post(server.url + CREATE, json=DEVICE, headers=ENOS, timeout=10).json()["code"] == 0
    assert len(cloud.registry.tenant("enos", "o1").devices) == 1


def test_request_lines_and_headers_too_long_get_json_4xx() -> None:
    with FakeCloud(seed=32).serve() as server:
        status, body = raw_exchange(
            server.url,
            b"GET /connect-service/v2.1/devices?" + b"q" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        assert (status, json.loads(body)["code"]) == (414, 414)
        status, body = raw_exchange(
            server.url, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 70_000 + b"\r\n\r\n"
        )
        assert (status, json.loads(body)["code"]) == (431, 431)
        many = b"".join(b"X-%d: 1\r\n" % n for n in range(150))
        status, body = raw_exchange(server.url, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
        assert (status, json.loads(body)["code"]) == (431, 431)
        assert requests.get(server.url + "/_iotfake/health", timeout=10).ok


def test_long_query_strings_within_the_line_limit_are_plain_bad_input() -> None:
    cloud = FakeCloud(seed=33).seed(PRODUCT)
    client = Client(cloud.wsgi_app)
    query = "action=get&orgId=o1&assetId=" + "a" * 60_000 + "&" + "&".join(f"k{n}=v" for n in range(2000))
    answer = client.get(f"/connect-service/v2.1/devices?{query}", headers=ENOS)
    assert answer.status_code == 200 and answer.json["code"] == 11404
    answer = client.get(f"/scriptr/device/get?id={'i' * 60_000}", headers={"Authorization": "bearer x"})
    assert answer.status_code < 500


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b'{"productKey": ' + b"7" * 10_000 + b"}",
        b"\xff\xfe{" + "\u00e9".encode("utf-16-le"),
    ],
    ids=["deep-list", "deep-object", "huge-integer", "not-utf8"],
)
def test_deep_and_huge_json_is_bad_input_everywhere(body: bytes) -> None:
    cloud = FakeCloud(seed=34).seed(PRODUCT)
    client = Client(cloud.wsgi_app)
    cloud.scriptr("default")  # accounts come into being on first use: let that happen first
    assert client.get("/things", headers=SIGNED).status_code == 200
    before = cloud.snapshot()["registry"]
    for path, headers in (
        (CREATE, ENOS),
        ("/connect-service/v2.1/devices?action=search&orgId=o1", ENOS),
        (SCRIPTR_CREATE, {"Authorization": "bearer x", "Content-Type": "application/json"}),
        ("/things/deep", SIGNED),
        ("/policies/deep", SIGNED),
        ("/_iotfake/seed", {}),
        ("/_iotfake/faults", {}),
    ):
        answer = client.post(path, data=body, headers=headers)
        assert 200 <= answer.status_code < 500, (path, answer.status_code, answer.data[:300])
        assert b"Traceback" not in answer.data
        json.loads(answer.data)
    assert cloud.snapshot()["registry"] == before


def test_a_policy_document_with_a_huge_integer_is_malformed() -> None:
    cloud = FakeCloud(seed=35)
    document = '{"Version": "2012-10-17", "Statement": ' + "9" * 5000 + "}"
    answer = Client(cloud.wsgi_app).post("/policies/p1", json={"policyDocument": document}, headers=SIGNED)
    assert answer.status_code == 400 and answer.json["__type"] == "MalformedPolicyException"


def test_the_journal_is_a_bounded_ring_under_load() -> None:
    cloud = FakeCloud(seed=36, journal_size=50).seed(PRODUCT)
    client = Client(cloud.wsgi_app)
    for _ in range(400):
        client.post(CREATE, json=DEVICE, headers=ENOS)
    assert len(cloud.journal) == 50
    assert cloud.journal.dropped == 350
    seqs = [entry.seq for entry in cloud.journal.calls()]
    assert seqs == list(range(351, 401))
    answer = client.get("/_iotfake/journal").json
    assert (len(answer["entries"]), answer["size"], answer["dropped"]) == (50, 50, 350)


def test_many_tenants_stay_apart() -> None:
    """A thousand orgs and scriptr accounts: each keeps its own devices, nothing leaks across."""
    cloud = FakeCloud(seed=37)
    client = Client(cloud.wsgi_app)
    orgs = 1000
    cloud.seed(
        {
            "enos": {
                "orgs": [
                    {
                        "orgId": f"org{n}",
                        "products": [{"productKey": "PK", "productName": "M", "modelId": "m"}],
                    }
                    for n in range(orgs)
                ]
            }
        }
    )
    for n in range(orgs):
        answer = client.post(
            f"/connect-service/v2.1/devices?action=create&orgId=org{n}",
            json={**DEVICE, "productKey": "PK", "deviceKey": "same-key"},
            headers=ENOS,
        ).json
        assert answer["code"] == 0, answer
    for n in range(0, orgs, 97):
        found = client.post(
            f"/connect-service/v2.1/devices?action=search&orgId=org{n}", json={}, headers=ENOS
        ).json
        assert found["pagination"]["totalSize"] == 1 and found["data"][0]["orgId"] == f"org{n}"
    accounts = [cloud.scriptr(f"acct{n}") for n in range(200)]
    for account in accounts:
        assert (
            account.device.create({"id": "dev", "name": "d", "password": "pw"})["metadata"]["status"]
            == "success"
        )
    assert len(cloud.registry.tenants("enos")) == orgs
    assert len(cloud.registry.tenants("scriptr")) == 200
    assert len({a.token for a in accounts}) == 200
    assert_consistent(cloud)
