"""The real ``enos-poseidon`` client against a live server in lenient mode.

poseidon signs nothing we can check: it sends an RSA-encrypted blob as ``apim-accesstoken``,
which lenient mode takes as the org's owner. It returns the parsed JSON body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import requests
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


# -- the gateway's 4011/4012 retry path, driven by fault rules (issue 13) ------------------------------
PRODUCT = {
    "productName": {"defaultValue": "Meter"},
    "productType": "Device",
    "dataFormat": "Json",
    "modelId": "meter",
    "biDirectionalAuth": False,
}


@pytest.mark.parametrize("code", ["4011", "4012"])
def test_a_token_refusal_once_is_ridden_out_by_poseidons_own_retry(code: str) -> None:
    cloud = FakeCloud(seed=1)
    with cloud.serve() as server:
        url = f"{server.url}/connect-service/v2.1"
        pk = call(f"{url}/products?action=create&orgId=o1", PRODUCT)["data"]
        rule = cloud.faults.add(provider="enos", operation="GetProduct", error=code, times=1)
        answer = poseidon.urlopen(APP_KEY, APP_SECRET, f"{url}/products?action=get&orgId=o1&productKey={pk}")
    # poseidon hands back the retried answer's text unparsed
    assert isinstance(answer, str) and json.loads(answer)["data"]["productKey"] == pk
    cloud.journal.assert_fault_fired(rule.id, times=1)
    assert [(e.code, e.outcome) for e in cloud.journal.calls(operation="GetProduct")] == [
        (code, "fault"),
        ("0", "ok"),
    ]
    refused = cloud.journal.calls(operation="GetProduct")[0]
    assert refused.status == 200


def test_a_4011_carries_a_refresh_token_poseidon_can_pack() -> None:
    """poseidon RSA-OAEP-encrypts the refresh token into its next credential (214 bytes at most):
    echoing its own 344-character blob back would make the retry fail before it is sent."""
    cloud = FakeCloud(seed=1)
    cloud.faults.add(provider="enos", operation="GetProduct", error="4011", times=1)
    with cloud.serve() as server:
        got = requests.get(
            f"{server.url}/connect-service/v2.1/products?action=get&orgId=o1&productKey=p",
            headers={"apim-accesstoken": "x" * 344},
            timeout=10,
        ).json()
    assert got["apim_status"] == 4011
    assert re.fullmatch(r"[0-9a-f]{64}", got["apim_refreshtoken"])


def test_poseidons_retry_of_a_call_with_a_body_gives_up_on_the_first_answer() -> None:
    """poseidon's retry json-encodes the already encoded body, fails and returns the refusal: a
    4011/4012 on a create or search reaches the caller (what the real gateway would cause too)."""
    cloud = FakeCloud(seed=1)
    cloud.faults.add(provider="enos", operation="SearchProduct", error="4012", times=1)
    with cloud.serve() as server:
        answer = call(f"{server.url}/connect-service/v2.1/products?action=search&orgId=o1", {})
    assert answer["apim_status"] == 4012
    assert len(cloud.journal.calls(operation="SearchProduct")) == 1  # no second request was sent


@pytest.mark.parametrize(("auth", "works"), [("off", True), ("lenient", True), ("strict", False)])
def test_which_auth_modes_poseidon_works_with(auth: str, works: bool) -> None:
    """poseidon builds its token on the client side; only the real gateway can open it. ``strict``
    accepts only tokens the fake issued, so poseidon gets 4012 (twice: it retries once)."""
    cloud = FakeCloud(seed=1, auth=auth).seed({"enos": {"orgs": [{"orgId": "o1"}]}})
    with cloud.serve() as server:
        answer = poseidon.urlopen(
            APP_KEY,
            APP_SECRET,
            f"{server.url}/connect-service/v2.1/products?action=get&orgId=o1&productKey=p",
        )
    answer = json.loads(answer) if isinstance(answer, str) else answer
    if works:
        assert answer["code"] == 11611  # Connect answered: no such product
    else:
        assert answer["apim_status"] == 4012
        assert len(cloud.journal.calls()) == 2
