"""The scriptr error table: codes, statusCodes, which envelope, and no 5xx for bad input."""

from __future__ import annotations

import itertools

import pytest
from werkzeug.test import Client

from iotfake.registry import errors as domain


def module_failure(live, path: str, body) -> dict:
    """A module failure: HTTP 200, the envelope succeeds, the module's metadata fails."""
    response = live.post(path, body)
    assert response.status_code == 200, response.text
    envelope = response.json()["response"]
    assert envelope["metadata"]["status"] == "success"
    metadata = envelope["result"]["metadata"]
    assert set(envelope["result"]) == {"metadata"}
    assert metadata["status"] == "failure"
    assert set(metadata) == {"status", "statusCode", "errorCode", "errorDetail"}
    return metadata


@pytest.fixture
def seeded(live):
    live.acme.device.create({"id": "m", "name": "M", "password": "pw"})
    live.acme.user.create({"id": "ann", "name": "Ann", "password": "pw"})
    return live


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("device/create", {"id": "m", "name": "x", "password": "pw"}, "DUPLICATE_DEVICE"),
        ("device/create", {"id": "ann", "name": "x", "password": "pw"}, "DUPLICATE_USER"),
        ("device/create", {"id": "a b", "name": "x", "password": "pw"}, "INVALID_IDENTIFIER"),
        ("device/get", {"id": "ghost"}, "INVALID_IDENTIFIER"),
        ("device/update", {"id": "ghost", "name": "x"}, "INVALID_DEVICE"),
        ("device/delete", {"id": "ghost"}, "INVALID_DEVICE"),
        ("device/query", {"query": "name ="}, "INVALID_QUERY_REQUEST"),
        ("device/regenerateToken", {"id": "m"}, "TOKEN_NOT_FOUND"),
        ("device/revokeToken", {"id": "m"}, "TOKEN_NOT_FOUND"),
        ("device/query", {"count": "maybe"}, "INVALID_PARAMETER"),
        ("device/create", {"name": "x", "password": "pw", "bad name!": 1}, "INVALID_PARAMETER"),
        ("device/create", {"name": "x", "password": "pw", "groups": "a/b"}, "INVALID_FIELD_VALUE"),
        ("device/create", {"name": "x"}, "MISSING_PARAMETERS"),
        ("device/get", {}, "MISSING_PARAMETERS"),
        ("user/create", {"id": "m", "name": "x", "password": "pw"}, "DUPLICATE_DEVICE"),
        ("user/update", {"id": "ghost", "name": "x"}, "INVALID_USER"),
    ],
)
def test_module_failures(seeded, path: str, body: dict, code: str) -> None:
    before = seeded.cloud.snapshot()["registry"]
    metadata = module_failure(seeded, path, body)
    assert (metadata["errorCode"], metadata["statusCode"]) == (code, 400)
    assert seeded.cloud.snapshot()["registry"] == before


def inject(live, monkeypatch, error: domain.DomainError | str) -> None:
    """A real fault rule on every scriptr call, naming a domain error or a scriptr code."""
    name = error if isinstance(error, str) else error.name
    live.cloud.faults.add(provider="scriptr", operation="*", error=name)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (domain.Throttled(), 429, "TOO_MANY_REQUESTS"),
        (domain.Unauthorized(), 400, "INVALID_TOKEN"),
        (domain.TokenExpired(), 400, "INVALID_TOKEN"),
        (domain.Internal("boom"), 500, "INTERNAL_ERROR"),
        (domain.Unavailable(), 503, "SERVICE_UNAVAILABLE"),
        ("INVALID_TOKEN", 400, "INVALID_TOKEN"),
        ("INTERNAL_ERROR", 500, "INTERNAL_ERROR"),
    ],
)
def test_platform_failures_fail_the_envelope(live, monkeypatch, error, status: int, code: str) -> None:
    inject(live, monkeypatch, error)
    response = live.post("device/create", {"id": "m", "name": "M", "password": "pw"})
    assert response.status_code == status
    assert response.json() == {
        "response": {
            "metadata": {
                "status": "failure",
                "statusCode": status,
                "errorCode": code,
                "errorDetail": response.json()["response"]["metadata"]["errorDetail"],
            }
        }
    }
    assert response.json()["response"]["metadata"]["errorDetail"]


def test_a_throttle_rule_answers_429_with_retry_after(live) -> None:
    from freezegun import freeze_time

    live.cloud.faults.add(provider="scriptr", operation="device.get", throttle={"rate": 0.5, "burst": 1})
    with freeze_time("2030-01-01"):
        assert live.post("device/get", {"id": "scriptr"}).status_code == 200
        refused = live.post("device/get", {"id": "scriptr"})
    assert refused.status_code == 429
    assert refused.json()["response"]["metadata"]["errorCode"] == "TOO_MANY_REQUESTS"
    assert refused.headers["Retry-After"] == "2"


def test_a_rule_naming_an_unknown_scriptr_code_is_refused(live) -> None:
    from iotfake import DocumentError

    with pytest.raises(DocumentError, match="SOMETHING_NEW"):
        live.cloud.faults.add(provider="scriptr", operation="device.get", error="SOMETHING_NEW")


@pytest.mark.parametrize(
    ("error", "operation", "code"),
    [
        (domain.KeyCollision(key="m"), "device/create", "DUPLICATE_DEVICE"),
        (domain.KeyCollision(key="m"), "user/create", "DUPLICATE_USER"),
        (domain.QuotaExceeded(limit=3), "device/create", "DEVICE_LIMIT_EXCEEDED"),
        (domain.NotFound(key="m"), "device/update", "INVALID_DEVICE"),
        (domain.KeyAllocationFailed(), "device/create", "INTERNAL_ERROR"),
        ("DUPLICATE_DEVICE", "device/create", "DUPLICATE_DEVICE"),
        ("INVALID_DEVICE", "device/update", "INVALID_DEVICE"),
    ],
)
def test_injected_module_errors_nest_like_real_ones(
    live, monkeypatch, error, operation: str, code: str
) -> None:
    inject(live, monkeypatch, error)
    metadata = module_failure(live, operation, {"id": "m", "name": "M", "password": "pw"})
    assert metadata["errorCode"] == code
    assert live.cloud.journal.calls(provider="scriptr")[-1].code == code


def test_the_python_object_answers_platform_failures_as_metadata(live, monkeypatch) -> None:
    inject(live, monkeypatch, domain.Throttled())
    answer = live.acme.device.create({"id": "m", "name": "M", "password": "pw"})
    assert answer["metadata"]["status"] == "failure"
    assert (answer["metadata"]["statusCode"], answer["metadata"]["errorCode"]) == (429, "TOO_MANY_REQUESTS")


WEIRD = [None, "", "x", [], {"a": 1}, [1], True, -1, "a" * 300]
FUNCTIONS = [
    *(f"device/{f}" for f in ("create", "save", "update", "get", "query", "delete")),
    *(f"device/{f}" for f in ("generateToken", "regenerateToken", "revokeToken")),
    *(f"user/{f}" for f in ("create", "save", "update", "get", "delete", "generateToken", "revokeToken")),
]
KEYS = ["id", "name", "password", "groups", "isSuspended", "meta.types", "query", "sort", "fields",
        "resultsPerPage", "pageNumber", "count", "options", "expiry", "lifeTime", "token", "x"]  # fmt: skip


def test_bad_input_never_answers_5xx(seeded) -> None:
    client = Client(seeded.cloud.wsgi_app)  # in-process: thousands of calls, no sockets
    headers = {"Authorization": f"bearer {seeded.token}"}
    for path, (key, value) in itertools.product(FUNCTIONS, itertools.product(KEYS, WEIRD)):
        body = {"id": "m", "name": "n", "password": "p", key: value}
        response = client.post(f"/scriptr/{path}", json=body, headers=headers)
        assert response.status_code < 500, (path, body, response.text)
        assert response.json["response"]["metadata"]["status"] in ("success", "failure")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"id": NaN, "name": "n", "password": "p"}',
        b'{"id": "m", "floor": Infinity}',
        b"[" * 50_000,
        b"\xff\xfe",
        b"null",
    ],
)
def test_raw_bodies_never_answer_5xx(seeded, raw: bytes) -> None:
    for path in ("device/create", "device/update", "device/query", "user/create"):
        response = seeded.post(path, data=raw, headers={"Content-Type": "application/json"})
        assert response.status_code < 500, (path, raw[:20], response.text)
