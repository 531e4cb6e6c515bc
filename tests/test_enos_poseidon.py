"""The real ``enos-poseidon`` client against a live server in lenient mode.

poseidon signs nothing we can check: it sends an RSA-encrypted blob as ``apim-accesstoken``,
which lenient mode takes as the org's owner. It returns the parsed JSON body.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from poseidon import poseidon

from iotfake import FakeCloud

# poseidon parses key.split("-")[1] and secret.split("-")[1] as hex: UUID-shaped credentials
APP_KEY = "5acb82e7-a11e-4300-9164-c8b20b638e8b"
APP_SECRET = "0a446215-a602-4307-9ff2-3feed3e983ce"


@pytest.fixture
def url() -> Iterator[str]:
    with FakeCloud(seed=1).serve() as server:
        yield f"{server.url}/connect-service/v2.1"


def call(url: str, data: dict | None = None) -> dict:
    answer = poseidon.urlopen(APP_KEY, APP_SECRET, url, data=data)
    assert isinstance(answer, dict), answer
    return answer


def test_create_get_and_search_through_poseidon(url: str) -> None:
    product = {
        "productName": {"defaultValue": "Meter"},
        "productType": "Device",
        "dataFormat": "Json",
        "modelId": "meter",
        "biDirectionalAuth": False,
    }
    pk = call(f"{url}/products?action=create&orgId=o1", product)["data"]
    created = call(
        f"{url}/devices?action=create&orgId=o1",
        {
            "productKey": pk,
            "timezone": "+08:00",
            "deviceName": {"defaultValue": "meter 1"},
            "deviceKey": "meter-001",
        },
    )
    assert created["code"] == 0 and created["data"]["deviceKey"] == "meter-001"
    got = call(f"{url}/devices?action=get&orgId=o1&assetId={created['data']['assetId']}")
    assert got["data"]["deviceKey"] == "meter-001" and got["data"]["productKey"] == pk
    found = call(f"{url}/devices?action=search&orgId=o1", {"expression": "deviceKey = 'meter-001'"})
    assert [d["assetId"] for d in found["data"]] == [created["data"]["assetId"]]
    assert found["pagination"]["totalSize"] == 1


def test_business_errors_reach_poseidon_as_answers(url: str) -> None:
    answer = call(
        f"{url}/devices?action=create&orgId=o1",
        {"productKey": "NoSuchPk", "timezone": "+08:00", "deviceName": {"defaultValue": "m"}},
    )
    assert answer["code"] == 11611 and answer["data"] is None


@pytest.fixture
def served() -> Iterator[tuple[FakeCloud, str, str]]:
    cloud = FakeCloud(seed=1)
    with cloud.serve() as server:
        url = f"{server.url}/connect-service/v2.1"
        product = {
            "productName": {"defaultValue": "M"},
            "productType": "Device",
            "dataFormat": "Json",
            "modelId": "m",
            "biDirectionalAuth": False,
        }
        yield cloud, url, call(f"{url}/products?action=create&orgId=o1", product)["data"]


def test_a_4012_fault_drives_poseidons_token_retry(served) -> None:
    """poseidon rebuilds its token on apim_status 4012 and retries once: a rule answering 4012
    once shows the retry work (poseidon 0.2.0 hands back the retried body as a JSON string)."""
    cloud, url, pk = served
    rule = cloud.faults.add(provider="enos", operation="GetProduct", error="4012", times=1)
    answer = poseidon.urlopen(APP_KEY, APP_SECRET, f"{url}/products?action=get&orgId=o1&productKey={pk}")
    assert json.loads(answer)["data"]["productKey"] == pk
    calls = cloud.journal.calls(operation="GetProduct")
    assert [(c.rule, c.code) for c in calls] == [(rule.id, "4012"), (None, "0")]


def test_a_4011_fault_shows_poseidons_refresh_giving_up(served) -> None:
    """On 4011 (expired, with apim_refreshtoken) poseidon 0.2.0's refresh path fails inside and
    it returns the 4011 body without a retry: what a test of a poseidon caller must expect."""
    cloud, url, pk = served
    cloud.faults.add(provider="enos", operation="GetProduct", error="4011", times=1)
    answer = call(f"{url}/products?action=get&orgId=o1&productKey={pk}")
    assert answer["apim_status"] == 4011 and answer["apim_refreshtoken"]
    assert [c.code for c in cloud.journal.calls(operation="GetProduct")] == ["4011"]
