"""The real ``enos-poseidon`` client against a live server in lenient mode.

poseidon signs nothing we can check: it sends an RSA-encrypted blob as ``apim-accesstoken``,
which lenient mode takes as the org's owner. It returns the parsed JSON body.
"""

from __future__ import annotations

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
