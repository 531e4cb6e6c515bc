"""freezegun's frozen clock reaches the live server's thread: timestamps follow it, tokens expire."""

from __future__ import annotations

import pytest


def test_the_server_thread_reads_the_frozen_clock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import hashlib
from datetime import datetime, timezone

import pytest
from freezegun import freeze_time

PRODUCT = {"productName": {"defaultValue": "Meter"}, "productType": "Device", "dataFormat": "Json",
           "modelId": "meter", "biDirectionalAuth": False}
FROZEN = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
URL = "/connect-service/v2.1/products?action="

def create_time(enos):
    key = enos.post(URL + "create&orgId=o1", json=PRODUCT).json()["data"]
    return enos.get(URL + "get&orgId=o1&productKey=" + key).json()["data"]["createTime"]

@pytest.fixture
def frozen():
    with freeze_time(FROZEN) as frozen:
        yield frozen

def test_the_server_starts_while_frozen(frozen, iotfake_enos):
    assert create_time(iotfake_enos) == FROZEN.timestamp() * 1000
    frozen.tick(7200)
    assert create_time(iotfake_enos) == (FROZEN.timestamp() + 7200) * 1000

def test_frozen_inside_the_test(iotfake_enos, iotfake):
    with freeze_time(FROZEN):
        assert create_time(iotfake_enos) == FROZEN.timestamp() * 1000
        assert iotfake.clock.time() == FROZEN.timestamp()

@freeze_time(FROZEN)
def test_frozen_by_the_decorator(iotfake_enos):
    assert create_time(iotfake_enos) == FROZEN.timestamp() * 1000

def test_a_token_the_fake_issued_expires_by_the_frozen_clock(frozen, iotfake_enos):
    stamp = int(FROZEN.timestamp() * 1000)
    encryption = hashlib.sha256(f"app{stamp}secret".encode()).hexdigest()
    body = {"appKey": "app", "timestamp": stamp, "encryption": encryption}
    issued = iotfake_enos.post("/apim-token-service/v2.0/token/get", json=body).json()["data"]
    assert issued["expire"] == 7200
    iotfake_enos.headers["apim-accesstoken"] = issued["accessToken"]
    frozen.tick(7199)
    assert iotfake_enos.post(URL + "create&orgId=o1", json=PRODUCT).json()["code"] == 0
    frozen.tick(1)
    assert iotfake_enos.post(URL + "create&orgId=o1", json=PRODUCT).json()["apim_status"] == 4011
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=4)
