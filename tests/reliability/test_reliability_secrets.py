"""Secrets and tokens are unguessable unless a seed asks for determinism: two unseeded clouds
never hand out the same ones, two clouds with the same seed always do."""

from __future__ import annotations

from typing import Any

from _enos import PRODUCT
from werkzeug.test import Client

from iotfake import FakeCloud

ENOS = {"apim-accesstoken": "t"}
ORG = {"enos": {"orgs": [{"orgId": "o1"}]}}


def secrets_of(cloud: FakeCloud) -> dict[str, Any]:
    """The same calls on any cloud; every credential the fake generated on the way."""
    cloud.seed(ORG)
    client = Client(cloud.wsgi_app)
    base = "/connect-service/v2.1"
    pk = client.post(f"{base}/products?action=create&orgId=o1", json=PRODUCT, headers=ENOS).json["data"]
    product = client.get(f"{base}/products?action=get&orgId=o1&productKey={pk}", headers=ENOS).json["data"]
    device = client.post(
        f"{base}/devices?action=create&orgId=o1",
        json={"productKey": pk, "timezone": "+08:00", "deviceName": {"defaultValue": "m"}},
        headers=ENOS,
    ).json["data"]
    token = client.post(
        "/apim-token-service/v2.0/token/get",
        json={"appKey": "unknown-app", "encryption": "x", "timestamp": "1700000000000"},
    ).json["data"]["accessToken"]
    acme = cloud.scriptr("acme")
    acme.device.create({"id": "meter-1", "name": "m", "password": "pw"})
    device_token = acme.device.generateToken("meter-1")["result"]["token"]
    acme.user.create({"id": "ann", "name": "Ann", "password": "pw"})
    user_token = acme.user.generateToken("ann")["result"]["token"]
    return {
        "productSecret": product["productSecret"],
        "deviceSecret": device["deviceSecret"],
        "enosAccessToken": token,
        "scriptrOwnerToken": acme.token,
        "scriptrDeviceToken": device_token,
        "scriptrUserToken": user_token,
    }


def test_unseeded_clouds_never_share_a_secret() -> None:
    runs = [secrets_of(FakeCloud()) for _ in range(5)]
    for name in runs[0]:
        values = [run[name] for run in runs]
        assert len(set(values)) == len(values), name


def test_a_reset_unseeded_cloud_starts_new_secrets() -> None:
    cloud = FakeCloud()
    first = secrets_of(cloud)
    cloud.reset()
    again = secrets_of(cloud)
    assert all(first[name] != again[name] for name in first)


def test_clouds_with_the_same_seed_share_every_secret() -> None:
    assert secrets_of(FakeCloud(seed=41)) == secrets_of(FakeCloud(seed=41))
    assert secrets_of(FakeCloud(seed="ci-run")) == secrets_of(FakeCloud(seed="ci-run"))
    different = secrets_of(FakeCloud(seed=42))
    same = secrets_of(FakeCloud(seed=41))
    assert all(different[name] != same[name] for name in same)


def test_unseeded_secrets_do_not_follow_from_the_ids() -> None:
    """Ids come from a fast PRNG whose output a client sees; secrets must not come from it, or
    enough device keys would predict the next secret."""
    cloud = FakeCloud()
    twin = FakeCloud()
    twin.ids._random.setstate(cloud.ids._random.getstate())  # the same id stream in both
    ours, theirs = secrets_of(cloud), secrets_of(twin)
    assert all(ours[name] != theirs[name] for name in ours)
