"""Fault rules take finite, bounded numbers: a throttle rate of 1e-320 (whose wait is infinite),
an epoch of 10**400, NaN are refused when the rule is added, naming the field. Retry-After
headers are whole, bounded numbers however slow the throttle."""

from __future__ import annotations

import pytest
from _enos import TOKEN
from aws_helpers import SIGNED
from freezegun import freeze_time
from werkzeug.test import Client

from iotfake import DocumentError, FakeCloud
from iotfake.faults.retry_after import milliseconds, seconds

HUGE = 10**400
#: the README's documented bounds ("Hostile input": throttle rate from one call a day;
#: Retry-After at most a day), as literals so that a change to the code's constants fails here
DAY = 86_400
MIN_RATE = 1 / DAY


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ({"action": {"throttle": {"rate": 1e-320}}}, "action.throttle.rate"),
        ({"action": {"throttle": {"rate": MIN_RATE / 2}}}, "action.throttle.rate"),
        ({"action": {"throttle": {"rate": HUGE}}}, "action.throttle.rate"),
        ({"action": {"throttle": HUGE}}, "action.throttle.rate"),
        ({"action": {"throttle": {"rate": 1, "burst": HUGE}}}, "action.throttle.burst"),
        ({"action": {"throttle": {"rate": 1, "burst": 1e300}}}, "action.throttle.burst"),
        ({"action": {"latency_ms": HUGE}}, "action.latency_ms"),
        ({"action": {"drop": True}, "from": HUGE}, "from"),
        ({"action": {"drop": True}, "until": HUGE}, "until"),
        ({"action": {"drop": True}, "until": -(10**12)}, "until"),
        ({"action": {"drop": True}, "from": 1e300}, "from"),
        ({"action": {"drop": True}, "probability": HUGE}, "probability"),
        ({"action": {"drop": True}, "times": HUGE}, "times"),
        ({"action": {"drop": True}, "every": HUGE}, "every"),
        ({"action": {"drop": True}, "after": HUGE}, "after"),
    ],
)
def test_admin_refuses_unbounded_numbers_naming_the_field(rule: dict, path: str) -> None:
    cloud = FakeCloud(seed=1)
    answer = Client(cloud.wsgi_app).post("/_iotfake/faults", json=rule)
    assert answer.status_code == 400, answer.get_data()
    assert answer.json["path"] == path
    assert list(cloud.faults) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"until": float("nan")},
        {"from": float("inf")},
        {"probability": float("nan")},
        {"throttle": {"rate": float("nan")}},
        {"throttle": {"rate": float("inf")}},
        {"throttle": {"rate": 1, "burst": float("inf")}},
        {"latency_ms": float("nan")},
    ],
)
def test_python_api_refuses_non_finite_numbers(fields: dict) -> None:
    cloud = FakeCloud(seed=1)
    action = {} if {"throttle", "latency_ms"} & set(fields) else {"drop": True}
    with pytest.raises(DocumentError):
        cloud.faults.add(provider="enos", **action, **fields)
    assert list(cloud.faults) == []


def test_the_slowest_throttle_still_answers_with_whole_retry_headers() -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    slowest = {"rate": MIN_RATE, "burst": 1}  # one call a day
    for provider in ("aws", "scriptr", "enos"):
        cloud.faults.add(provider=provider, throttle=slowest)
    with freeze_time("2030-01-01"):
        aws = [client.get("/things", headers=SIGNED) for _ in range(2)]
        scriptr = [
            client.post("/scriptr/device/get", json={"id": "x"}, headers={"Authorization": "bearer t"})
            for _ in range(2)
        ]
        enos = [
            client.post("/connect-service/v2.1/devices?action=search&orgId=o1", json={}, headers=TOKEN)
            for _ in range(2)
        ]
    assert aws[1].status_code == 400 and aws[1].headers["x-amzn-ErrorType"] == "ThrottlingException:"
    assert aws[1].headers["x-amz-retry-after"] == str(DAY * 1000)
    assert scriptr[1].status_code == 429 and scriptr[1].headers["Retry-After"] == str(DAY)
    assert enos[1].status_code == 429 and enos[1].headers["Retry-After"] == str(DAY)
    assert all(r.status_code < 500 for r in aws + scriptr + enos)


@pytest.mark.parametrize(
    ("wait", "header_seconds", "header_ms"),
    [
        (None, "1", "1"),
        (0.0, "1", "1"),
        (0.0004, "1", "1"),
        (1 / 3, "1", "334"),
        (2.5, "3", "2500"),
        (0.1 + 0.2, "1", "300"),  # float noise does not round up a millisecond
        (float("inf"), str(DAY), str(DAY * 1000)),
        (float("nan"), str(DAY), str(DAY * 1000)),
        (1e300, str(DAY), str(DAY * 1000)),
        (-5.0, "1", "1"),
    ],
)
def test_retry_after_formatting(wait: float | None, header_seconds: str, header_ms: str) -> None:
    assert seconds(wait) == header_seconds
    assert milliseconds(wait) == header_ms
