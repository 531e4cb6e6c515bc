"""The fake's clock follows freezegun and the admin offset."""

from __future__ import annotations

from freezegun import freeze_time
from werkzeug.test import Client

from iotfake import FakeCloud


def test_clock_reads_frozen_time_and_offset() -> None:
    cloud = FakeCloud()
    with freeze_time("2030-01-01 00:00:00") as frozen:
        assert cloud.clock.time() == 1893456000.0
        frozen.tick(5)
        assert cloud.clock.ms() == 1893456005000
        cloud.clock.advance(3600)
        assert cloud.clock.time() == 1893456000.0 + 5 + 3600


def test_admin_clock_advances_and_refuses_going_back() -> None:
    cloud = FakeCloud()
    client = Client(cloud.wsgi_app)
    with freeze_time("2030-01-01"):
        answer = client.post("/_iotfake/clock", json={"advance": 7200})
        assert answer.status_code == 200
        assert answer.json["offset"] == 7200
        assert answer.json["time"] == 1893456000.0 + 7200
        for bad in ({"advance": -1}, {"advance": "soon"}, [], {"advance": True}):
            refused = client.post("/_iotfake/clock", json=bad)
            assert refused.status_code == 400 and "advance" in refused.json["error"]
        assert cloud.clock.offset == 7200
