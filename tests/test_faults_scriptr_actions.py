"""What a fired rule does to scriptr calls, over HTTP (``requests``) and through the Python modules:
errors in scriptr's two envelopes, throttling, latency."""

from __future__ import annotations

import time

import pytest
from _scriptr import ScriptrLive
from freezegun import freeze_time

from iotfake import DocumentError
from iotfake.faults import FAULT_HEADER

DEVICE = {"id": "meter-1", "name": "Meter 1", "password": "s3cret"}


def platform_failure(response) -> tuple[int, str, str]:
    """A failure of the envelope itself: (HTTP status, errorCode, errorDetail)."""
    metadata = response.json()["response"]["metadata"]
    assert "result" not in response.json()["response"]
    assert metadata["status"] == "failure" and metadata["statusCode"] == response.status_code
    return response.status_code, metadata["errorCode"], metadata["errorDetail"]


def module_failure(response) -> tuple[int, str, str]:
    """A failure the module returned: HTTP 200, the envelope succeeded, ``result.metadata`` failed."""
    assert response.status_code == 200
    envelope = response.json()["response"]
    assert envelope["metadata"]["status"] == "success"
    metadata = envelope["result"]["metadata"]
    assert metadata["status"] == "failure" and "result" not in envelope["result"]
    return metadata["statusCode"], metadata["errorCode"], metadata["errorDetail"]


@pytest.mark.parametrize(
    ("code", "status", "detail"),
    [
        ("INVALID_TOKEN", 400, "The token is invalid, revoked or expired."),
        ("TOO_MANY_REQUESTS", 429, "Too many requests; slow down and retry later."),
        ("INTERNAL_ERROR", 500, "An internal error occurred."),
        ("SERVICE_UNAVAILABLE", 503, "The service is temporarily unavailable."),
    ],
)
def test_platform_codes_fail_the_envelope(live: ScriptrLive, code: str, status: int, detail: str) -> None:
    live.cloud.faults.add(id="r", provider="scriptr", operation="device.create", error=code)
    response = live.post("device/create", DEVICE)
    assert platform_failure(response) == (status, code, detail)
    assert response.headers[FAULT_HEADER] == "r"
    assert live.acme.device.get("meter-1")["metadata"]["errorCode"] == "INVALID_IDENTIFIER"  # never ran
    entry = live.cloud.journal.last(operation="device.create")
    assert (entry.status, entry.code, entry.rule, entry.action, entry.outcome, entry.tenant) == (
        status,
        code,
        "r",
        "error",
        "fault",
        "acme",
    )


@pytest.mark.parametrize(
    ("code", "detail"),
    [
        ("DUPLICATE_DEVICE", "A device with this id already exists."),
        ("INVALID_DEVICE", "The device does not exist."),
        ("DEVICE_LIMIT_EXCEEDED", "The account has reached its device limit."),
    ],
)
def test_module_codes_answer_as_the_module_would(live: ScriptrLive, code: str, detail: str) -> None:
    live.cloud.faults.add(provider="scriptr", operation="device.create", error=code)
    assert module_failure(live.post("device/create", DEVICE)) == (400, code, detail)


@pytest.mark.parametrize(
    ("name", "status", "code", "detail"),
    [
        ("KeyCollision", 400, "DUPLICATE_DEVICE", "The device [meter-1] already exists."),
        ("NotFound", 400, "INVALID_DEVICE", "The device [meter-1] does not exist."),
        ("QuotaExceeded", 400, "DEVICE_LIMIT_EXCEEDED", "The account has reached its device limit."),
        ("KeyAllocationFailed", 500, "INTERNAL_ERROR", "No free identifier could be generated; try again."),
        ("InvalidArgument", 400, "INVALID_PARAMETER", "InvalidArgument (injected by iotfake fault rule 'r')"),
    ],
)
def test_domain_names_the_module_answers(
    live: ScriptrLive, name: str, status: int, code: str, detail: str
) -> None:
    live.cloud.faults.add(id="r", provider="scriptr", operation="device.create", error=name)
    assert module_failure(live.post("device/create", DEVICE)) == (status, code, detail)
    # the Python module meets the same rule, with the same answer
    answer = live.acme.device.create(DEVICE)
    assert answer == {
        "metadata": {"status": "failure", "statusCode": status, "errorCode": code, "errorDetail": detail}
    }


@pytest.mark.parametrize(
    ("operation", "path", "kind"), [("device.get", "device/get", "device"), ("user.get", "user/get", "user")]
)
def test_a_not_found_on_a_get_answers_as_a_real_miss(
    live: ScriptrLive, operation: str, path: str, kind: str
) -> None:
    """A get of a record that is not there answers INVALID_IDENTIFIER; the injected NotFound
    answered INVALID_DEVICE / INVALID_USER, which no real miss of these operations does."""
    real = module_failure(live.get(path, {"id": "nobody-here"}))
    live.cloud.faults.add(id="r", provider="scriptr", operation=operation, error="NotFound")
    injected = module_failure(live.get(path, {"id": "nobody-here"}))
    assert injected[:2] == real[:2] == (400, "INVALID_IDENTIFIER")
    assert injected[2] == f"The {kind} [nobody-here] is invalid."


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("Unauthorized", 400, "INVALID_TOKEN"),
        ("TokenExpired", 400, "INVALID_TOKEN"),
        ("Throttled", 429, "TOO_MANY_REQUESTS"),
        ("Internal", 500, "INTERNAL_ERROR"),
        ("Unavailable", 503, "SERVICE_UNAVAILABLE"),
    ],
)
def test_domain_names_the_platform_answers(live: ScriptrLive, name: str, status: int, code: str) -> None:
    live.cloud.faults.add(provider="scriptr", operation="device.*", error=name)
    assert platform_failure(live.post("device/create", DEVICE))[:2] == (status, code)
    assert platform_failure(live.get("device/get", {"id": "meter-1"}))[:2] == (status, code)
    answer = live.acme.device.create(DEVICE)
    assert (answer["metadata"]["statusCode"], answer["metadata"]["errorCode"]) == (status, code)


def test_throttle_answers_429_with_retry_after_and_refills_with_the_clock(live: ScriptrLive) -> None:
    with freeze_time("2030-01-01 00:00:00"):
        live.cloud.faults.add(
            id="tps", provider="scriptr", operation="device.create", throttle={"rate": 0.25, "burst": 2}
        )
        answers = [live.post("device/create", {**DEVICE, "id": f"m{i}"}) for i in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert platform_failure(answers[2])[:2] == (429, "TOO_MANY_REQUESTS")
        assert answers[2].headers["Retry-After"] == "4"  # a token every 4 s
        assert answers[2].headers[FAULT_HEADER] == "tps"
        # the Python module shares the account's bucket
        assert live.acme.device.create({**DEVICE, "id": "m3"})["metadata"]["errorCode"] == "TOO_MANY_REQUESTS"
        live.cloud.clock.advance(4)
        assert live.post("device/create", {**DEVICE, "id": "m4"}).status_code == 200
    entry = live.cloud.journal.calls(operation="device.create")[2]
    assert (entry.status, entry.code, entry.rule, entry.action) == (
        429,
        "TOO_MANY_REQUESTS",
        "tps",
        "throttle",
    )


def test_each_account_has_its_own_bucket(live: ScriptrLive) -> None:
    other = live.cloud.scriptr("globex")
    live.cloud.faults.add(provider="scriptr", operation="device.create", throttle={"rate": 0.001, "burst": 1})
    assert [live.post("device/create", {**DEVICE, "id": f"m{i}"}).status_code for i in range(2)] == [200, 429]
    assert live.post("device/create", DEVICE, token=other.token).status_code == 200


def test_latency_delays_http_and_python_callers_alike(live: ScriptrLive) -> None:
    rule = live.cloud.faults.add(provider="scriptr", operation="device.get", latency_ms=40, times=2)
    live.acme.device.create(DEVICE)
    started = time.perf_counter()
    assert live.post("device/get", {"id": "meter-1"}).status_code == 200
    assert live.acme.device.get("meter-1")["metadata"]["status"] == "success"
    assert time.perf_counter() - started >= 0.08
    entries = live.cloud.journal.calls(operation="device.get")
    assert [(e.rule, e.action, e.outcome) for e in entries] == [(rule.id, "latency", "ok")] * 2


def test_an_unknown_scriptr_code_is_refused(live: ScriptrLive) -> None:
    with pytest.raises(DocumentError) as caught:
        live.cloud.faults.add(provider="scriptr", operation="device.create", error="INVALID_TOKENS")
    assert caught.value.path == "action.error"
    assert "INVALID_TOKEN" in caught.value.message
