"""GET /_iotfake/state is a snapshot; PUT restores one exactly or changes nothing."""

from __future__ import annotations

import pytest
from enos_calls import create, get, make_product
from werkzeug.test import Client

from iotfake import FakeCloud

STATE = "/_iotfake/state"


def test_get_then_put_round_trips_devices_faults_and_clock(cloud: FakeCloud, client: Client) -> None:
    pk = make_product(client)
    device = create(client, pk, deviceKey="meter-1").json["data"]
    client.post(
        "/_iotfake/faults",
        json={
            "id": "flaky",
            "provider": "enos",
            "operation": "CreateDevice",
            "action": {"error": "11714"},
            "times": 3,
        },
    )
    client.post("/_iotfake/clock", json={"advance": 90})
    create(client, pk)  # the rule fires once
    saved = client.get(STATE)
    assert saved.status_code == 200 and saved.mimetype == "application/json"

    client.post("/_iotfake/reset")
    assert get(client, assetId=device["assetId"]).json["code"] == 11404

    assert client.put(STATE, data=saved.data, content_type="application/json").json == {"status": "restored"}
    assert client.get(STATE).json == saved.json
    assert cloud.faults.get("flaky").fired == 1
    assert cloud.clock.offset == 90
    assert get(client, assetId=device["assetId"]).json["data"]["deviceKey"] == "meter-1"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "a JSON body is required"),
        (b"{", "the body is not valid JSON"),
        (b"[]", "not a valid state snapshot: not an iotfake state snapshot"),
        (b'{"format": "iotfake-state", "version": 7}', "unsupported state version 7"),
        (b'{"format": "iotfake-state", "version": 1, "registry": []}', "not a valid state snapshot"),
        (
            b'{"format": "iotfake-state", "version": 1, "registry": {"tenants": [{}]}}',
            "not a valid state snapshot",
        ),
        (
            b'{"format": "iotfake-state", "version": 1, "clock": {"offset": "soon"}}',
            "not a valid state snapshot",
        ),
        (
            b'{"format": "iotfake-state", "version": 1, "faults": {"rules": [{"action": {"drop": 1}}]}}',
            "expected true",
        ),
    ],
)
def test_bad_snapshots_are_400_and_change_nothing(
    cloud: FakeCloud, client: Client, body: bytes, error: str
) -> None:
    make_product(client)
    cloud.faults.add(id="keep", error="Internal")
    before = cloud.snapshot()
    response = client.put(STATE, data=body, content_type="application/json")
    assert response.status_code == 400
    assert error in response.json["error"]
    assert cloud.snapshot() == before
