"""cloud.snapshot() / restore() / FakeCloud.from_snapshot() carry all state, exactly."""

from __future__ import annotations

import json
import re

import pytest
from enos_calls import create, make_product
from werkzeug.test import Client

from iotfake import FakeCloud


def busy_cloud() -> FakeCloud:
    cloud = FakeCloud(seed=7, device_key_length=6)
    client = Client(cloud.wsgi_app)
    pk = make_product(client)
    for _ in range(3):
        create(client, pk)
    cloud.ids.device_name()  # builds the seeded Faker, which then keeps a random state of its own
    cloud.registry.tokens.issue(provider="enos", tenant="o1", subject="app", ttl=7200)
    cloud.clock.advance(30)
    cloud.faults.add(id="flaky", provider="enos", operation="CreateDevice", error="11714", every=2)
    cloud.faults.add(id="coin", provider="enos", operation="GetDevice", error="Internal", probability=0.5)
    cloud.faults.add(id="tps", provider="enos", operation="CreateProduct", throttle={"rate": 1, "burst": 5})
    make_product(client)
    create(client, pk)
    for _ in range(5):
        client.get(
            "/connect-service/v2.1/devices?action=get&orgId=o1&assetId=x", headers={"apim-accesstoken": "t"}
        )
    return cloud


def next_moves(cloud: FakeCloud) -> list:
    """What the cloud does next: generated ids, names, rule decisions, throttle answers."""
    client = Client(cloud.wsgi_app)
    pk = next(iter(cloud.registry.tenant("enos", "o1").products))
    answers = [create(client, pk).json for _ in range(4)]
    answers += [
        client.get(
            "/connect-service/v2.1/devices?action=get&orgId=o1&assetId=x", headers={"apim-accesstoken": "t"}
        ).json["code"]
        for _ in range(10)
    ]
    answers += [client.post("/connect-service/v2.1/products?action=create&orgId=o1", json={}).status_code]
    return [*answers, cloud.ids.device_name(), cloud.ids.uuid(), cloud.clock.offset]


def test_a_snapshot_survives_json_and_restores_to_an_identical_snapshot() -> None:
    cloud = busy_cloud()
    snapshot = json.loads(cloud.state_json())
    copy = FakeCloud.from_snapshot(snapshot)
    assert json.loads(copy.state_json()) == snapshot


def test_a_restored_cloud_behaves_exactly_like_the_original() -> None:
    original = busy_cloud()
    copy = FakeCloud.from_snapshot(json.loads(original.state_json()))
    assert next_moves(copy) == next_moves(original)


def test_restore_into_a_running_cloud_replaces_everything() -> None:
    original = busy_cloud()
    snapshot = original.snapshot()
    other = FakeCloud(seed=7, device_key_length=6)
    other.faults.add(id="stray", error="Internal")
    other.restore(snapshot)
    assert [r.id for r in other.faults.rules] == ["flaky", "coin", "tps"]
    assert other.faults.get("flaky").matched == original.faults.get("flaky").matched
    assert other.clock.offset == 30
    assert other.snapshot() == snapshot


def test_from_snapshot_takes_the_settings_unless_told_otherwise() -> None:
    snapshot = busy_cloud().snapshot()
    copy = FakeCloud.from_snapshot(snapshot)
    assert (copy.seed_value, copy.ids.device_key_length, copy.auth) == (7, 6, "lenient")
    assert FakeCloud.from_snapshot(snapshot, auth="off").auth == "off"


@pytest.mark.parametrize(
    "broken",
    [
        {"format": "nope"},
        {"format": "iotfake-state", "version": 99},
        {"format": "iotfake-state", "version": 1, "registry": {"tenants": [{"provider": "enos"}]}},
        {
            "format": "iotfake-state",
            "version": 1,
            "faults": {"rules": [{"action": {"error": "99999"}, "provider": "enos"}]},
        },
        {"format": "iotfake-state", "version": 1, "faults": {"rules": [], "next_id": 0}},
    ],
)
def test_a_bad_snapshot_changes_nothing(broken: dict) -> None:
    cloud = busy_cloud()
    before = cloud.snapshot()
    with pytest.raises((ValueError, KeyError, TypeError)):
        cloud.restore(broken)
    assert cloud.snapshot() == before


def _enos_snapshot() -> dict:
    source = FakeCloud(seed=3)
    source.seed({"enos": {"orgs": [{"orgId": "o1", "apps": [{"appKey": "ak", "appSecret": "as"}]}]}})
    return json.loads(json.dumps(source.snapshot()))


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (
            lambda d: d["registry"]["tenants"][0]["settings"].__setitem__("apps", 1.5),
            "registry.tenants[0].settings",
        ),
        (
            lambda d: d["registry"]["tenants"][0].__setitem__("uncounted", [{}]),
            "registry.tenants[0].uncounted[0]",
        ),
        (lambda d: d.__setitem__("clock", 5), "clock: cannot be restored"),
        (lambda d: d["ids"]["requests"].__setitem__(1, None), "ids: cannot be restored"),
    ],
)
def test_a_damaged_snapshot_is_refused_naming_where_and_changes_nothing(damage, named: str) -> None:
    """A snapshot whose credentials could not be read was half swapped in (its registry kept,
    the cloud's own next snapshot unrestorable); bare Python errors named nothing."""
    snapshot = _enos_snapshot()
    damage(snapshot)
    cloud = FakeCloud(seed=9).seed({"scriptr": {"accounts": [{"name": "keep"}]}})
    before = cloud.snapshot()
    with pytest.raises(ValueError, match=re.escape(named)):
        cloud.restore(snapshot)
    assert cloud.snapshot() == before
    FakeCloud.from_snapshot(cloud.snapshot())  # and what it holds still restores
