"""Over a real socket, drop and lost_response close the connection without a reply."""

from __future__ import annotations

import pytest
import requests
from enos_calls import H, live_create, live_product

from iotfake import FakeCloud
from iotfake.server import Server


def test_drop_closes_the_connection_without_a_reply(
    cloud: FakeCloud, server: Server, capfd: pytest.CaptureFixture[str]
) -> None:
    pk = live_product(server.url)
    cloud.faults.add(id="cut", provider="enos", operation="CreateDevice", drop=True, times=1)
    with pytest.raises(requests.ConnectionError):
        live_create(requests, server.url, pk, deviceKey="meter-1")
    assert cloud.registry.tenant("enos", "o1").devices == {}  # dropped before the handler
    assert live_create(requests, server.url, pk, deviceKey="meter-1").json()["code"] == 0
    dropped, created = cloud.journal.calls(operation="CreateDevice")
    assert (dropped.status, dropped.rule, dropped.action, dropped.outcome) == (None, "cut", "drop", "fault")
    assert created.status == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error on request" not in err


def test_drop_works_for_gets_and_the_server_stays_up(cloud: FakeCloud, server: Server) -> None:
    cloud.faults.add(provider="enos", operation="GetDevice", drop=True, times=3)
    url = f"{server.url}/connect-service/v2.1/devices?action=get&orgId=o1&assetId=x"
    for _ in range(3):
        with pytest.raises(requests.ConnectionError):
            requests.get(url, headers=H, timeout=10)
    assert requests.get(url, headers=H, timeout=10).json()["code"] == 11404
    assert requests.get(f"{server.url}/_iotfake/health", timeout=10).json()["status"] == "ok"


def test_a_lost_create_response_makes_the_retry_collide(
    cloud: FakeCloud, server: Server, capfd: pytest.CaptureFixture[str]
) -> None:
    pk = live_product(server.url)
    cloud.faults.add(id="lost", provider="enos", operation="CreateDevice", lost_response=True, times=1)
    with pytest.raises(requests.ConnectionError):
        live_create(requests, server.url, pk, deviceKey="meter-1")
    retry = live_create(requests, server.url, pk, deviceKey="meter-1").json()
    assert retry["code"] == 11702
    devices = cloud.registry.tenant("enos", "o1").devices
    assert [d.key for d in devices.values()] == ["meter-1"]  # exactly one device
    lost, collided = cloud.journal.calls(operation="CreateDevice")
    assert (lost.status, lost.code, lost.rule, lost.action) == (None, "0", "lost", "lost_response")
    assert (collided.status, collided.code, collided.rule) == (200, "11702", None)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error on request" not in err
