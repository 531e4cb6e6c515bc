"""freezegun's frozen clock reaches the live server's thread, however the freeze is applied."""

from __future__ import annotations

import pytest


def test_the_server_thread_reads_the_frozen_clock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
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
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)
