"""The clock moves by finite, bounded amounts only: NaN, infinities and absurd advances are
refused (admin API 400, Python ValueError) and leave the clock where it was."""

from __future__ import annotations

import pytest
from _enos import Enos
from werkzeug.test import Client

from iotfake import FakeCloud

#: the README's documented limit ("Hostile input": at most 100 years ahead in all), as a literal
CENTURY = 100 * 365.25 * 86400


@pytest.mark.parametrize(
    "body",
    [
        b'{"advance": NaN}',
        b'{"advance": Infinity}',
        b'{"advance": 1e400}',
        b'{"advance": 1' + b"0" * 400 + b"}",
        b'{"advance": 1e12}',
        b'{"advance": -0.5}',
        b'{"advance": "60"}',
    ],
)
def test_admin_refuses_non_finite_or_absurd_advances(body: bytes) -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    answer = client.post("/_iotfake/clock", data=body)
    assert answer.status_code == 400, answer.get_data()
    assert "advance" in answer.json["error"] or "the body" in answer.json["error"]
    assert cloud.clock.offset == 0
    enos = Enos.wsgi(cloud)  # and the fake still works
    assert enos.device(enos.product())["deviceKey"]


def test_the_refusal_names_the_limit() -> None:
    answer = Client(FakeCloud().wsgi_app).post("/_iotfake/clock", json={"advance": 10**12})
    assert answer.json["error"] == (
        'expected {"advance": seconds} with a number from 0 to 3155760000 (100 years)'
    )


def test_advances_add_up_to_at_most_a_century() -> None:
    cloud = FakeCloud()
    client = Client(cloud.wsgi_app)
    assert client.post("/_iotfake/clock", json={"advance": 60 * 365 * 86400}).status_code == 200
    again = client.post("/_iotfake/clock", json={"advance": 60 * 365 * 86400})
    assert again.status_code == 400
    assert "100 years" in again.json["error"]
    assert cloud.clock.offset == 60 * 365 * 86400


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), 10**400, CENTURY + 1, -1, True, "5"])
def test_python_advance_refuses_the_same(seconds: object) -> None:
    cloud = FakeCloud()
    with pytest.raises((ValueError, TypeError)):
        cloud.clock.advance(seconds)  # type: ignore[arg-type]
    assert cloud.clock.offset == 0


@pytest.mark.parametrize("offset", ["NaN", "inf", 1e300, -5, CENTURY * 2, [1], 10**400])
def test_put_state_refuses_a_bad_clock_offset_and_changes_nothing(offset: object) -> None:
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    cloud.clock.advance(30)
    snapshot = cloud.snapshot()
    snapshot["clock"]["offset"] = offset
    answer = client.put("/_iotfake/state", json=snapshot)
    assert answer.status_code == 400
    assert "offset" in answer.json["error"]
    assert cloud.clock.offset == 30
