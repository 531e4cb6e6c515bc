"""A retrying client (EnOS's own Python SDK transport) gets through transient faults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from enos_calls import device_body, live_product
from poseidon import poseidon

from iotfake import FakeCloud
from iotfake.server import Server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# enos-poseidon derives its token from app credentials shaped like UUIDs
APP_KEY = "5f1c2a9e-7d3b-4c8a-9e21-0b6f4d2c8a17"
APP_SECRET = "a0e4b7c2-91d5-4f3e-8b6a-2c7d9e1f0a35"


def provision(url: str, product_key: str, attempts: int = 5) -> tuple[dict[str, Any], int]:
    """What a careful provisioning script does: retry while EnOS says "try again" (11714)."""
    for attempt in range(1, attempts + 1):
        answer = poseidon.urlopen(
            APP_KEY,
            APP_SECRET,
            f"{url}/connect-service/v2.1/devices?action=create&orgId=o1",
            data=device_body(product_key),
        )
        if answer["code"] != 11714:
            return answer, attempt
    raise AssertionError(f"still 11714 after {attempts} attempts")


def test_two_11714s_then_success(cloud: FakeCloud, server: Server) -> None:
    pk = live_product(server.url)
    cloud.load(FIXTURES / "flaky_key_allocation.json")
    answer, attempts = provision(server.url, pk)
    assert answer["code"] == 0 and attempts == 3
    assert len(cloud.registry.tenant("enos", "o1").devices) == 1
    cloud.journal.assert_fault_fired("flaky-key-allocation", times=2)
    assert [e.code for e in cloud.journal.calls(operation="CreateDevice")] == ["11714", "11714", "0"]


def test_a_client_with_too_few_attempts_sees_the_fault(cloud: FakeCloud, server: Server) -> None:
    pk = live_product(server.url)
    cloud.load(FIXTURES / "flaky_key_allocation.json")
    with pytest.raises(AssertionError, match="still 11714 after 2 attempts"):
        provision(server.url, pk, attempts=2)
    assert cloud.registry.tenant("enos", "o1").devices == {}
