"""The ``scriptr`` section of fixtures documents: accounts, devices, users, tokens, limits, paths."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from iotfake import DocumentError, FakeCloud

FIXTURE = Path(__file__).parent.parent / "fixtures" / "scriptr_acme.json"
OWNER = "QUNNRTAwMDAwMTpzY3JpcHRyOm93bmVyLXRva2VuLWZvci10ZXN0cw"
METER_TOKEN = "QUNNRTAwMDAwMTptZXRlci0wMDE6ZGV2aWNlLXRva2Vu"


def test_the_example_fixture_loads_and_its_tokens_authenticate_in_strict_mode(live) -> None:
    live.cloud.auth = "strict"
    live.cloud.load(FIXTURE)
    response = live.post("device/get", {"id": "meter-001"}, token=METER_TOKEN)
    device = response.json()["response"]["result"]["result"]
    assert (device["name"], device["groups"], device["floor"], device["auth_token"]) == (
        "Meter 001",
        "meters",
        3,
        METER_TOKEN,
    )
    assert "password" not in device
    assert live.post("user/get", {"id": "ops@acme.example"}, token=OWNER).status_code == 200
    assert live.cloud.journal.calls(provider="scriptr")[-1].tenant == "acme"


def test_seeded_devices_follow_the_module_rules() -> None:
    cloud = FakeCloud(seed=1).load(FIXTURE)
    acme = cloud.scriptr("acme")
    assert acme.token == OWNER
    assert acme.max_devices == 100
    assert acme.device.create({"id": "gw-01", "name": "x", "password": "pw"})["metadata"]["errorCode"] == (
        "DUPLICATE_DEVICE"
    )
    assert acme.device.create({"id": "ops@acme.example", "name": "x", "password": "pw"})["metadata"][
        "errorCode"
    ] == ("DUPLICATE_USER")
    assert (
        acme.device.update({"id": "meter-001", "floor": "high"})["metadata"]["errorCode"]
        == "INVALID_FIELD_VALUE"
    )


def test_reseeding_an_account_replaces_its_owner_token(live) -> None:
    live.cloud.seed({"scriptr": {"accounts": [{"name": "acme", "token": "fresh-owner"}]}})
    assert live.acme.token == "fresh-owner"
    assert live.post("device/query", {}).json()["response"]["metadata"]["errorCode"] == "INVALID_TOKEN"
    assert live.post("device/query", {}, token="fresh-owner").status_code == 200


def test_a_seeded_user_token_expires_like_any_user_token(live) -> None:
    user = {"id": "ann", "name": "Ann", "token": "ann-token"}
    live.cloud.seed({"scriptr": {"accounts": [{"name": "acme", "users": [user]}]}})
    assert live.post("device/query", {}, token="ann-token").status_code == 200
    live.cloud.clock.advance(1800)
    assert live.post("device/query", {}, token="ann-token").status_code == 400


def account(**fields) -> dict:
    return {"scriptr": {"accounts": [{"name": "acme", **fields}]}}


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"scriptr": []}, "scriptr"),
        ({"scriptr": {"orgs": []}}, "scriptr.orgs"),
        ({"scriptr": {"accounts": [{}]}}, "scriptr.accounts[0].name"),
        ({"scriptr": {"accounts": [{"name": 5}]}}, "scriptr.accounts[0].name"),
        ({"scriptr": {"accounts": [{"name": "a"}, {"name": "a"}]}}, "scriptr.accounts[1].name"),
        (account(colour="red"), "scriptr.accounts[0].colour"),
        (account(token=""), "scriptr.accounts[0].token"),
        (account(maxDevices=-1), "scriptr.accounts[0].maxDevices"),
        (account(maxDevices="ten"), "scriptr.accounts[0].maxDevices"),
        (account(groups=["ok", "bad/name"]), "scriptr.accounts[0].groups[1]"),
        (account(devices={}), "scriptr.accounts[0].devices"),
        (
            account(devices=[{"name": "a"}, {"name": "b"}, {"name": "c"}, {"id": "x y", "name": "d"}]),
            "scriptr.accounts[0].devices[3].id",
        ),
        (account(devices=[{"id": "a"}]), "scriptr.accounts[0].devices[0].name"),
        (
            account(devices=[{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]),
            "scriptr.accounts[0].devices[1].id",
        ),
        (account(devices=[{"id": "scriptr", "name": "A"}]), "scriptr.accounts[0].devices[0].id"),
        (
            account(devices=[{"id": "a", "name": "A", "groups": "x/y"}]),
            "scriptr.accounts[0].devices[0].groups",
        ),
        (
            account(devices=[{"id": "a", "name": "A", "isSuspended": "no"}]),
            "scriptr.accounts[0].devices[0].isSuspended",
        ),
        (account(devices=[{"id": "a", "name": "A", "token": 7}]), "scriptr.accounts[0].devices[0].token"),
        (
            account(devices=[{"id": "a", "name": "A", "n": "x", "meta.types": {"n": "numeric"}}]),
            "scriptr.accounts[0].devices[0].n",
        ),
        (account(maxDevices=2, devices=[{"name": "A"}, {"name": "B"}]), "scriptr.accounts[0].devices[1]"),
        (account(users=[{"name": "no id"}]), "scriptr.accounts[0].users[0].id"),
        (
            account(devices=[{"id": "a", "name": "A"}], users=[{"id": "a", "name": "U"}]),
            "scriptr.accounts[0].users[0].id",
        ),
        (
            account(token="t1", devices=[{"id": "a", "name": "A", "token": "t1"}]),
            "scriptr.accounts[0].devices[0].token",
        ),
    ],
)
def test_invalid_documents_name_the_path_and_change_nothing(document: dict, path: str) -> None:
    cloud = FakeCloud(seed=1)
    cloud.scriptr("acme").device.create({"id": "kept", "name": "K", "password": "pw"})
    before = cloud.snapshot()["registry"]
    with pytest.raises(DocumentError) as caught:
        cloud.seed(document)
    assert caught.value.path == path, caught.value
    assert cloud.snapshot()["registry"] == before


def test_a_token_taken_by_another_account_is_refused() -> None:
    cloud = FakeCloud(seed=1)
    taken = cloud.scriptr("other").token
    with pytest.raises(DocumentError) as caught:
        cloud.seed(account(token=taken))
    assert caught.value.path == "scriptr.accounts[0].token"


def test_the_admin_seed_endpoint_takes_the_section(live) -> None:
    document = account(devices=[{"id": "a", "name": "A", "token": "tok-a"}])
    response = requests.post(f"{live.url}/_iotfake/seed", json=document, timeout=10)
    assert response.status_code == 200, response.text
    assert live.post("device/get", {"id": "a"}, token="tok-a").status_code == 200
