"""The write-ahead log writes a link or an unlink of a relation as the one partner added or
removed, not the whole list: a thing joining a group of thousands logs one name. Replayed onto
any snapshot taken while the log ran (the entries it already holds included, as compaction
allows), the result is the registry as it was."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from iotfake import FakeCloud
from iotfake.durable import StateKeeper
from iotfake.registry import Device, changes
from iotfake.registry.changes import MISSING, Appended, Change
from iotfake.registry.groups import Groups
from iotfake.wal import encode, replay

TENANT = ("aws", "123456789012/us-east-1")


def _build(device_id: str, key: str) -> Device:
    return Device(id=device_id, key=key, product=None)


def _cloud(things: int = 6) -> tuple[FakeCloud, Groups]:
    cloud = FakeCloud(seed=3)
    tenant = cloud.registry.tenant(*TENANT)
    for i in range(things):
        tenant.add_device(key=f"t{i}", product=None, build=_build)
    groups = Groups(tenant)
    for name in ("g1", "g2"):
        groups.add({"name": name, "id": name, "version": 1, "created": 0, "properties": {}})
    return cloud, groups


def test_a_link_and_an_unlink_are_logged_as_the_partner_alone() -> None:
    members = [f"t{i}" for i in range(1000)]
    joined = encode(Change(TENANT, "groupMembers", "g", members, [*members, "new"]))
    assert joined == {"k": "groupMembers", "key": "g", "s": list(TENANT), "+": "new"}
    left = encode(Change(TENANT, "groupMembers", "g", members, members[:10] + members[11:]))
    assert left is not None and left["-"] == "t10" and "a" not in left
    # anything else a list change did is logged whole, as is a table that is not a relation
    swapped = encode(Change(TENANT, "groupMembers", "g", ["a", "b"], ["b", "a"]))
    assert swapped is not None and swapped["a"] == ["b", "a"]
    assert encode(Change(TENANT, "groupMembers", "g", MISSING, ["a"]))["a"] == ["a"]  # type: ignore[index]
    other = encode(Change(TENANT, "retained", "k", ["a"], ["a", "b"]))
    assert other is not None and other["a"] == ["a", "b"]
    grown = encode(Change(TENANT, "groupMembers", "g", Appended("new"), Appended("new")))
    assert grown == joined  # a long list grown in place: heard as the partner alone


steps = st.lists(
    st.tuples(st.sampled_from(["add", "remove"]), st.sampled_from(["g1", "g2"]), st.integers(0, 5)),
    min_size=1,
    max_size=30,
)


@settings(max_examples=400, deadline=None)
@given(steps, st.data())
def test_replaying_onto_any_snapshot_taken_meanwhile_gives_the_registry_back(plan, data) -> None:
    # lists grown in place (``Table.append``) from their first partner, or replaced while short
    with mock.patch.object(changes, "GROW_IN_PLACE", data.draw(st.sampled_from([1, 16]))):
        _replay_any_snapshot(plan, data)


def _replay_any_snapshot(plan: list, data: st.DataObject) -> None:
    cloud, groups = _cloud()
    entries: list[dict] = []
    cloud.changes.subscribe(lambda batch: entries.extend(e for e in map(encode, batch) if e))
    start = cloud.snapshot()
    snapshots = [(0, start)]
    for action, group, thing in plan:
        if action == "add":
            groups.add_member(group, f"t{thing}")
        else:
            groups.remove_member(group, f"t{thing}")
        cloud.changes.dispatch()
        snapshots.append((len(entries), cloud.snapshot()))
    final = cloud.snapshot()["registry"]
    # a snapshot captured after ``taken`` entries, the log replayed from ``since`` <= taken on
    taken, snapshot = data.draw(st.sampled_from(snapshots))
    since = data.draw(st.integers(0, taken))
    document = copy.deepcopy(snapshot)
    replay(document, iter(json.loads(json.dumps(entries[since:]))))
    assert _links(document["registry"]) == _links(final)


def _links(registry: dict) -> dict:
    (tenant,) = [t for t in registry["tenants"] if (t["provider"], t["id"]) == TENANT]
    return {name: rows for name, rows in tenant.get("tables", {}).items() if name.startswith("groupMembers")}


def test_a_server_killed_after_a_big_group_filled_comes_back_with_it(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    cloud, groups = _cloud(things=300)
    keeper = StateKeeper(cloud, state, interval=3600, fsync="no")
    keeper.load()
    keeper.start()
    for i in range(300):
        groups.add_member("g1", f"t{i}")
        cloud.changes.dispatch()
    for i in range(0, 300, 7):
        groups.remove_member("g1", f"t{i}")
        cloud.changes.dispatch()
    assert keeper.wal is not None
    logged = sum(path.stat().st_size for path in keeper.wal.segments())
    assert logged < 300 * 1000  # names, not lists of names: a list per link would be ~4 MB
    fresh = FakeCloud(seed=3)
    assert StateKeeper(fresh, state, fsync="no").load() is True
    assert fresh.snapshot()["registry"] == cloud.snapshot()["registry"]
    keeper._stop.set()


def test_a_relinked_partner_replayed_onto_a_snapshot_that_holds_it_comes_out_last() -> None:
    """The order a link leaves: t1 unlinked and linked again is last, before t2 joins."""
    cloud, groups = _cloud()
    groups.add_member("g1", "t1")
    groups.add_member("g1", "t0")
    entries: list[dict] = []
    cloud.changes.subscribe(lambda batch: entries.extend(e for e in map(encode, batch) if e))
    for step in (groups.remove_member, groups.add_member):
        step("g1", "t1")
        cloud.changes.dispatch()
    groups.add_member("g1", "t2")
    cloud.changes.dispatch()
    snapshot = cloud.snapshot()  # it holds every entry already
    replay(snapshot, iter(json.loads(json.dumps(entries))))
    assert _links(snapshot["registry"])["groupMembers"]["g1"] == ["t0", "t1", "t2"]
    assert _links(snapshot["registry"]) == _links(cloud.snapshot()["registry"])


def test_a_link_rolled_back_to_a_savepoint_is_not_in_the_log() -> None:
    """The link that makes a list long copies it and grows the copy in place from then on:
    listeners are handed a copy, or a later in-place change rolled back would show in the log."""
    cloud, groups = _cloud(things=20)
    entries: list[dict] = []
    cloud.changes.subscribe(lambda batch: entries.extend(e for e in map(encode, batch) if e))
    start = cloud.snapshot()
    with cloud.registry.transaction():
        for i in range(16):
            groups.add_member("g1", f"t{i}")
        with contextlib.suppress(RuntimeError), cloud.registry.transaction():
            groups.add_member("g1", "t16")
            groups.remove_member("g1", "t0")
            raise RuntimeError
    cloud.changes.dispatch()
    replay(start, iter(json.loads(json.dumps(entries))))
    assert _links(start["registry"]) == _links(cloud.snapshot()["registry"])
    assert _links(start["registry"])["groupMembers"]["g1"] == [f"t{i}" for i in range(16)]
