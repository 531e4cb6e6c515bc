"""scriptr state survives snapshot and restore (and so ``--state`` files): ids, users, tokens."""

from __future__ import annotations

import json


def test_snapshot_restore_keeps_devices_users_and_tokens(live) -> None:
    live.acme.device.create({"id": "m", "name": "M", "password": "pw", "groups": "g"})
    device_token = live.acme.device.generateToken("m")["result"]["token"]
    live.acme.user.create({"id": "ann", "name": "Ann", "password": "pw"})
    user_token = live.acme.user.generateToken("ann")["result"]["token"]
    snapshot = json.loads(live.cloud.state_json())
    live.cloud.reset()
    gone = live.post("device/get", {"id": "m"}, token=device_token).json()["response"]["result"]
    assert gone["metadata"]["errorCode"] == "INVALID_IDENTIFIER"  # an unknown token acts in "default"
    live.cloud.restore(snapshot)
    assert (
        live.post("device/get", {"id": "m"}, token=device_token).json()["response"]["result"]["result"][
            "groups"
        ]
        == "g"
    )
    assert live.post("user/get", {"id": "ann"}, token=user_token).status_code == 200
    assert (
        live.acme.device.create({"id": "ann", "name": "x", "password": "pw"})["metadata"]["errorCode"]
        == "DUPLICATE_USER"
    )
    assert live.acme.user.generateToken("ann", {"password": "pw"})["metadata"]["status"] == "success"
