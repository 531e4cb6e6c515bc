"""What a fired rule does, in-process: errors in EnOS's own shape, latency, drop, lost response."""

from __future__ import annotations

import time

import pytest
from enos_calls import create, make_product
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.faults import FAULT_HEADER


@pytest.fixture
def pk(client: Client) -> str:
    return make_product(client)


def test_a_provider_code_answers_in_the_providers_envelope(cloud: FakeCloud, client: Client, pk: str) -> None:
    cloud.faults.add(id="flaky", provider="enos", operation="CreateDevice", error="11714")
    response = create(client, pk)
    assert response.status_code == 200  # EnOS business errors travel with HTTP 200
    body = response.json
    assert set(body) == {"code", "msg", "requestId", "data"}
    assert body["code"] == 11714 and body["data"] is None
    assert body["msg"] == "The key of the device cannot be assigned temporarily. Try again."
    assert response.headers[FAULT_HEADER] == "flaky"
    assert cloud.registry.tenant("enos", "o1").devices == {}  # the handler never ran


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("KeyCollision", 200, 11702),
        ("KeyAllocationFailed", 200, 11714),
        ("QuotaExceeded", 200, 11739),
        ("NotFound", 200, 11404),
        ("Internal", 200, 99500),
        ("Unavailable", 503, 99500),
        ("Throttled", 429, 429),
    ],
)
def test_a_domain_name_is_mapped_by_the_provider(
    cloud: FakeCloud, client: Client, pk: str, name: str, status: int, code: int
) -> None:
    cloud.faults.add(provider="enos", operation="CreateDevice", error=name)
    response = create(client, pk)
    assert (response.status_code, response.json["code"]) == (status, code)


def test_an_injected_collision_names_the_requested_key(cloud: FakeCloud, client: Client, pk: str) -> None:
    cloud.faults.add(provider="enos", operation="CreateDevice", error="KeyCollision")
    body = create(client, pk, deviceKey="meter-1").json
    assert (body["code"], body["msg"]) == (11702, "deviceKey already exists: meter-1")


@pytest.mark.parametrize(("name", "apim_status"), [("TokenExpired", 4011), ("Unauthorized", 4012)])
def test_token_trouble_is_answered_by_the_gateway(
    cloud: FakeCloud, client: Client, pk: str, name: str, apim_status: int
) -> None:
    """enos-poseidon rebuilds its token on apim_status 4011/4012 in a 2xx body: that is the shape."""
    cloud.faults.add(provider="enos", operation="CreateDevice", error=name)
    response = create(client, pk)
    assert response.status_code == 200
    assert response.json["apim_status"] == apim_status


def test_latency_delays_the_answer_and_changes_nothing_else(
    cloud: FakeCloud, client: Client, pk: str
) -> None:
    rule = cloud.faults.add(provider="enos", operation="CreateDevice", latency_ms=50, times=1)
    started = time.perf_counter()
    response = create(client, pk)
    assert time.perf_counter() - started >= 0.05
    assert response.json["code"] == 0
    entry = cloud.journal.last(operation="CreateDevice")
    assert (entry.rule, entry.action, entry.outcome) == (rule.id, "latency", "ok")
    assert entry.duration_ms is not None and entry.duration_ms >= 50


def test_a_latency_range_waits_at_least_its_minimum(cloud: FakeCloud, client: Client, pk: str) -> None:
    cloud.faults.add(provider="enos", operation="CreateDevice", latency_ms=(30, 40), seed=3)
    started = time.perf_counter()
    create(client, pk)
    assert time.perf_counter() - started >= 0.03


def test_latency_can_precede_an_error(cloud: FakeCloud, client: Client, pk: str) -> None:
    cloud.faults.add(provider="enos", operation="CreateDevice", action={"error": "11714", "latency_ms": 30})
    started = time.perf_counter()
    assert create(client, pk).json["code"] == 11714
    assert time.perf_counter() - started >= 0.03


def test_drop_in_process_answers_a_clear_5xx_and_runs_no_handler(
    cloud: FakeCloud, client: Client, pk: str
) -> None:
    cloud.faults.add(id="cut", provider="enos", operation="CreateDevice", drop=True)
    response = create(client, pk, deviceKey="meter-1")
    assert response.status_code == 503
    assert response.json["code"] == 99500
    assert response.headers[FAULT_HEADER] == "cut"
    assert cloud.registry.tenant("enos", "o1").devices == {}
    entry = cloud.journal.last(operation="CreateDevice")
    assert (entry.status, entry.rule, entry.action, entry.outcome) == (503, "cut", "drop", "fault")


def test_lost_response_commits_then_fails_the_reply(cloud: FakeCloud, client: Client, pk: str) -> None:
    cloud.faults.add(id="lost", provider="enos", operation="CreateDevice", lost_response=True, times=1)
    first = create(client, pk, deviceKey="meter-1")
    assert first.status_code == 503 and first.json["code"] == 99500
    assert first.headers[FAULT_HEADER] == "lost"
    retry = create(client, pk, deviceKey="meter-1")
    assert retry.json["code"] == 11702
    assert [d.key for d in cloud.registry.tenant("enos", "o1").devices.values()] == ["meter-1"]
    lost, again = cloud.journal.calls(operation="CreateDevice")
    # the journal keeps the answer that was lost (code 0) next to what the client got (503)
    assert (lost.status, lost.code, lost.rule, lost.action, lost.outcome) == (
        503,
        "0",
        "lost",
        "lost_response",
        "fault",
    )
    assert (again.code, again.rule, again.outcome) == ("11702", None, "error")


def test_lost_response_loses_error_answers_too(cloud: FakeCloud, client: Client, pk: str) -> None:
    cloud.faults.add(provider="enos", operation="CreateDevice", lost_response=True)
    assert create(client, "no-such-product").status_code == 503
    assert cloud.journal.last(operation="CreateDevice").code == "11611"


def test_faults_come_after_authentication(cloud: FakeCloud, client: Client, pk: str) -> None:
    rule = cloud.faults.add(provider="enos", error="Internal")
    response = client.post("/connect-service/v2.1/devices?action=create&orgId=o1", json={})  # no token
    assert response.status_code == 401
    assert rule.matched == 0 and FAULT_HEADER not in response.headers
