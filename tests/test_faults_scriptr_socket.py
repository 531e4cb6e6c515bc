"""``drop`` and ``lost_response`` on scriptr calls: over a socket the connection closes without a
reply; through the Python module (no socket) the call answers SERVICE_UNAVAILABLE."""

from __future__ import annotations

import pytest
import requests
from _scriptr import ScriptrLive

DEVICE = {"id": "meter-1", "name": "Meter 1", "password": "s3cret"}
UNAVAILABLE = {
    "metadata": {
        "status": "failure",
        "statusCode": 503,
        "errorCode": "SERVICE_UNAVAILABLE",
        "errorDetail": "The service is temporarily unavailable.",
    }
}


def device_ids(live: ScriptrLive) -> list[str]:
    """The account's devices, the built-in ``scriptr`` device aside."""
    return sorted(key for key in live.cloud.registry.tenant("scriptr", "acme").keys if key != "scriptr")


def module_error(response: requests.Response) -> str:
    assert response.status_code == 200
    return response.json()["response"]["result"]["metadata"]["errorCode"]


def test_drop_closes_the_connection_before_the_module_runs(
    live: ScriptrLive, capfd: pytest.CaptureFixture[str]
) -> None:
    live.cloud.faults.add(id="cut", provider="scriptr", operation="device.create", drop=True, times=1)
    with pytest.raises(requests.ConnectionError):
        live.post("device/create", DEVICE)
    assert device_ids(live) == []
    assert live.result("device/create", DEVICE)["metadata"] == {"status": "success"}
    dropped, created = live.cloud.journal.calls(operation="device.create")
    assert (dropped.status, dropped.code, dropped.rule, dropped.action, dropped.outcome, dropped.tenant) == (
        None,
        None,
        "cut",
        "drop",
        "fault",
        "acme",
    )
    assert (created.status, created.code, created.rule) == (200, "success", None)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error on request" not in err


def test_drop_works_for_query_string_calls_and_the_server_stays_up(live: ScriptrLive) -> None:
    live.cloud.faults.add(provider="scriptr", operation="device.get", drop=True, times=2)
    for _ in range(2):
        with pytest.raises(requests.ConnectionError):
            live.get("device/get", {"id": "meter-1"})
    assert live.get("device/get", {"id": "meter-1"}).status_code == 200
    assert requests.get(f"{live.url}/_iotfake/health", timeout=10).json()["status"] == "ok"


def test_drop_through_the_python_module_answers_service_unavailable(live: ScriptrLive) -> None:
    live.cloud.faults.add(provider="scriptr", operation="device.create", drop=True, times=1)
    assert live.acme.device.create(DEVICE) == UNAVAILABLE
    assert device_ids(live) == []
    entry = live.cloud.journal.last(operation="device.create")
    assert (entry.status, entry.code, entry.action) == (503, "SERVICE_UNAVAILABLE", "drop")


def test_a_lost_create_makes_the_retry_meet_duplicate_device(
    live: ScriptrLive, capfd: pytest.CaptureFixture[str]
) -> None:
    live.cloud.faults.add(
        id="lost", provider="scriptr", operation="device.create", lost_response=True, times=1
    )
    with pytest.raises(requests.ConnectionError):
        live.post("device/create", DEVICE)
    assert device_ids(live) == ["meter-1"]  # committed before the reply was lost
    assert module_error(live.post("device/create", DEVICE)) == "DUPLICATE_DEVICE"
    assert device_ids(live) == ["meter-1"]
    lost, collided = live.cloud.journal.calls(operation="device.create")
    # the journal keeps the answer that was lost next to the one the retry got
    assert (lost.status, lost.code, lost.rule, lost.action, lost.outcome) == (
        None,
        "success",
        "lost",
        "lost_response",
        "fault",
    )
    assert (collided.status, collided.code, collided.rule) == (200, "DUPLICATE_DEVICE", None)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error on request" not in err


def test_a_lost_create_through_the_python_module(live: ScriptrLive) -> None:
    live.cloud.faults.add(provider="scriptr", operation="device.create", lost_response=True, times=1)
    assert live.acme.device.create(DEVICE) == UNAVAILABLE
    retry = live.acme.device.create(DEVICE)
    assert retry["metadata"]["errorCode"] == "DUPLICATE_DEVICE"
    assert retry["metadata"]["errorDetail"] == "The device [meter-1] already exists."
    assert device_ids(live) == ["meter-1"]


def test_a_lost_create_without_an_id_leaves_a_device_the_caller_never_learnt_of(live: ScriptrLive) -> None:
    """A generated id comes back only in the lost reply: the retry makes a second device."""
    live.cloud.faults.add(provider="scriptr", operation="device.create", lost_response=True, times=1)
    body = {"name": "Meter", "password": "s3cret"}
    with pytest.raises(requests.ConnectionError):
        live.post("device/create", body)
    known = live.result("device/create", body)["result"]["device"]["id"]
    ids = device_ids(live)
    assert len(ids) == 2 and known in ids
