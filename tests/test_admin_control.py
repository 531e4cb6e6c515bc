"""health, reset, seed (fault rules included) and clock on the admin API."""

from __future__ import annotations

import pytest
from enos_calls import create, make_product
from freezegun import freeze_time
from werkzeug.test import Client

from iotfake import FakeCloud


def test_health(client: Client) -> None:
    body = client.get("/_iotfake/health").json
    assert body["status"] == "ok" and "enos" in body["providers"] and body["seed"] == 1


def test_reset_forgets_devices_faults_and_journal(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    create(client, pk)
    cloud.faults.add(error="Internal")
    assert client.post("/_iotfake/reset").json == {"status": "reset"}
    assert (cloud.registry.tenants(), cloud.faults.rules, len(cloud.journal)) == ([], [], 0)


def test_seed_loads_fault_rules(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    rules = [
        {
            "id": "flaky",
            "provider": "enos",
            "operation": "CreateDevice",
            "action": {"error": "11714"},
            "times": 1,
        }
    ]
    assert client.post("/_iotfake/seed", json={"faults": rules}).json == {"status": "seeded"}
    assert [create(client, pk).json["code"] for _ in range(2)] == [11714, 0]


@pytest.mark.parametrize(
    ("body", "path", "error"),
    [
        (
            {"faults": [{"action": {"drop": True}}, {"provider": "enos", "action": {"error": "1"}}]},
            "faults[1].action.error",
            "nor a code enos knows",
        ),
        ({"faults": {"action": {"oops": True}}}, "faults.action.oops", "unknown action"),
        ({"faults": 3}, "faults", "expected a list"),
        ({"fault": []}, "fault", "unknown section"),
    ],
)
def test_a_bad_seed_is_400_naming_the_path_and_loads_nothing(
    cloud: FakeCloud, client: Client, body: dict, path: str, error: str
) -> None:
    response = client.post("/_iotfake/seed", json=body)
    assert response.status_code == 400
    assert response.json["path"] == path and error in response.json["error"]
    assert cloud.faults.rules == []


def test_clock_advance_moves_tokens_and_buckets(cloud: FakeCloud, client: Client) -> None:
    with freeze_time("2030-01-01 00:00:00"):
        pk = make_product(client)
        cloud.faults.add(provider="enos", operation="CreateDevice", throttle={"rate": 1, "burst": 1})
        assert [create(client, pk).status_code for _ in range(2)] == [200, 429]
        body = client.post("/_iotfake/clock", json={"advance": 1}).json
        assert body == {"time": 1_893_456_001.0, "offset": 1.0}
        assert client.get("/_iotfake/clock").json["offset"] == 1.0
        assert create(client, pk).status_code == 200


@pytest.mark.parametrize("body", [{"advance": -1}, {"advance": "1"}, {"advance": True}, {}, [1]])
def test_bad_clock_bodies_are_400(client: Client, body: object) -> None:
    response = client.post("/_iotfake/clock", json=body)
    assert response.status_code == 400
    assert response.json == {
        "error": 'expected {"advance": seconds} with a number from 0 to 3155760000 (100 years)'
    }
