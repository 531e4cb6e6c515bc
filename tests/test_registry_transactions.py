"""Transactions: every registry write inside one is undone exactly when it fails, and committed
changes reach listeners, typed, after the lock is released."""

from __future__ import annotations

import contextlib
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iotfake import FakeCloud
from iotfake.documents import DocumentError
from iotfake.registry import Device, Product
from iotfake.registry.changes import MISSING, Change, RolledBack, position
from iotfake.registry.credentials import Credentials
from iotfake.registry.directory import Directory
from iotfake.registry.errors import DomainError
from iotfake.registry.groups import Groups


class Boom(Exception):
    pass


def _device(device_id: str, key: str) -> Device:
    return Device(id=device_id, key=key, product=None, attributes={"a": "1"})


def _populated() -> FakeCloud:
    cloud = FakeCloud(seed=3)
    tenant = cloud.registry.tenant("aws", "123456789012/us-east-1")
    tenant.add_product(Product(key="type-a", quota=10))
    tenant.add_product(Product(key="type-b"))
    for i in range(6):
        tenant.add_device(key=f"t{i}", product="type-a" if i % 2 else None, build=_device)
    Groups(tenant).add({"name": "g1", "parent": None, "version": 1})
    Groups(tenant).add({"name": "g2", "parent": "g1", "version": 1})
    Groups(tenant).add_member("g1", "t1")
    Credentials(tenant).add_policy({"name": "p1", "document": "{}"})
    tenant.settings["region"] = "us-east-1"
    return cloud


#: one write each, by name, against the populated tenant; some fail half way on purpose
OPERATIONS = {
    "add device": lambda t, c, i: t.add_device(key=f"new{i}", product="type-a", build=_device),
    "remove newest": lambda t, c, i: t.remove_device(t.device(key="t5")),
    "remove middle": lambda t, c, i: t.remove_device(t.device(key="t2")),
    "remove typed": lambda t, c, i: t.remove_device(t.device(key="t1")),
    "update": lambda t, c, i: t.update_device(t.device(key="t3"), {"attributes": {"b": str(i)}}),
    "move": lambda t, c, i: t.move_device(t.device(key="t0"), "type-b"),
    "move out": lambda t, c, i: t.move_device(t.device(key="t3"), None),
    "rekey": lambda t, c, i: t.rekey_device(t.device(key="t4"), f"renamed{i}"),
    "extra": lambda t, c, i: t.replace_extra(t.device(key="t0"), {"x": i}),
    "quota": lambda t, c, i: setattr(t, "quota", i),
    "add product": lambda t, c, i: t.add_product(Product(key=f"type-{i}")),
    "remove product": lambda t, c, i: t.remove_product("type-b"),
    "update product": lambda t, c, i: t.update_product(t.product("type-a"), attributes={"k": i}),
    "table insert": lambda t, c, i: Credentials(t).add_policy({"name": f"p{i}", "document": "{}"}),
    "table delete": lambda t, c, i: Credentials(t).remove_policy("p1"),
    "group member": lambda t, c, i: Groups(t).add_member("g1", "t3"),
    "group drop": lambda t, c, i: Groups(t).remove("g2"),
    "settings": lambda t, c, i: t.settings.update({"region": "eu-west-1", "n": i}),
    "settings clear": lambda t, c, i: t.settings.clear(),
    "tenant": lambda t, c, i: c.registry.tenant("enos", f"org{i}"),
    "token": lambda t, c, i: c.registry.tokens.issue(provider="aws", tenant=t.id, subject="s", ttl=5),
    "user": lambda t, c, i: Directory(t, c.registry.tokens).add_user(f"u{i}", {"id": f"u{i}"}),
}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(sorted(OPERATIONS)), min_size=1, max_size=8))
def test_a_failed_transaction_leaves_the_state_exactly_as_it_was(names: list[str]) -> None:
    cloud = _populated()
    tenant = cloud.registry.tenant("aws", "123456789012/us-east-1")
    before = cloud.snapshot()["registry"]
    with pytest.raises(Boom), cloud.registry.transaction():
        for i, name in enumerate(names):
            # a refusal (already removed, in use...) changes nothing by itself
            with contextlib.suppress(DomainError):
                OPERATIONS[name](tenant, cloud, i)
        raise Boom
    assert cloud.snapshot()["registry"] == before
    # the indexes agree with the records again, in order (listings page them)
    assert list(tenant.keys) == [d.key for d in tenant.devices.values()]
    for product in tenant.products.values():
        assert list(product.devices) == [d.key for d in tenant.devices.values() if d.product == product.key]


def test_a_nested_transaction_is_a_savepoint() -> None:
    cloud = _populated()
    tenant = cloud.registry.tenant("aws", "123456789012/us-east-1")
    with cloud.registry.transaction():
        tenant.add_device(key="kept", product=None, build=_device)
        with pytest.raises(Boom), cloud.registry.transaction():
            tenant.add_device(key="undone", product=None, build=_device)
            raise Boom
    assert "kept" in tenant.keys
    assert "undone" not in tenant.keys


def test_rolled_back_rolls_back_quietly() -> None:
    cloud = _populated()
    tenant = cloud.registry.tenant("aws", "123456789012/us-east-1")
    with cloud.registry.transaction():
        tenant.add_device(key="gone", product=None, build=_device)
        raise RolledBack
    assert "gone" not in tenant.keys


def test_listeners_hear_committed_changes_typed_and_outside_the_lock() -> None:
    cloud = _populated()
    tenant = cloud.registry.tenant("aws", "123456789012/us-east-1")
    heard: list[Change] = []
    lock_free: list[bool] = []

    def listen(batch: list[Change]) -> None:
        # another thread can take the lock: the writer no longer holds it
        def probe() -> None:
            taken = cloud.registry.lock.acquire(timeout=1)
            lock_free.append(taken)
            if taken:
                cloud.registry.lock.release()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        heard.extend(batch)

    unsubscribe = cloud.changes.subscribe(listen)
    with cloud.registry.transaction():
        device = tenant.add_device(key="d1", product="type-a", build=_device)
        Credentials(tenant).add_policy({"name": "p9", "document": "{}"})
    with pytest.raises(Boom), cloud.registry.transaction():
        tenant.add_device(key="never", product=None, build=_device)
        raise Boom
    assert lock_free == [True]
    assert [(c.scope, c.kind, c.key) for c in heard] == [
        (("aws", tenant.id), "devices", "d1"),
        (("aws", tenant.id), "policies", "p9"),
    ]
    assert heard[0].before is MISSING and heard[0].after is device
    assert heard[1].after == {"name": "p9", "document": "{}"}

    unsubscribe()
    with cloud.registry.transaction():
        tenant.add_device(key="d2", product=None, build=_device)
    assert len(heard) == 2


def test_writes_outside_a_transaction_reach_listeners_at_the_next_dispatch() -> None:
    cloud = _populated()
    tenant = cloud.registry.tenant("aws", "123456789012/us-east-1")
    heard: list[Change] = []
    cloud.changes.subscribe(heard.extend)
    device = tenant.device(key="t0")
    tenant.replace_extra(device, {"x": 1})
    assert heard == []  # still in the outbox: a bare write does not know when the lock is free
    cloud.changes.dispatch()
    assert [(c.kind, c.key, c.before, c.after) for c in heard] == [("devices", "t0", {"extra": None}, device)]


def test_a_failing_listener_does_not_fail_the_write() -> None:
    cloud = _populated()
    tenant = cloud.registry.tenant("aws", "123456789012/us-east-1")

    def broken(batch: list[Change]) -> None:
        raise RuntimeError("listener bug")

    heard: list[Change] = []
    cloud.changes.subscribe(broken)
    cloud.changes.subscribe(heard.extend)
    with cloud.registry.transaction():
        tenant.add_device(key="d1", product=None, build=_device)
    assert "d1" in tenant.keys
    assert [c.key for c in heard] == ["d1"]


def test_a_rejected_fixtures_document_rolls_back_every_provider_and_the_credential_index() -> None:
    cloud = FakeCloud(seed=1)
    cloud.seed({"enos": {"orgs": [{"orgId": "o1", "products": [{"productKey": "p1", "productName": "P"}]}]}})
    before = cloud.snapshot()
    bad = {
        "aws": {
            "accounts": [
                {
                    "accountId": "111122223333",
                    "accessKeys": [{"accessKeyId": "AKIAROLLBACK0000001", "secretAccessKey": "s"}],
                    "things": [{"thingName": "t1"}],
                }
            ]
        },
        "enos": {"orgs": [{"orgId": "o1", "products": [{"productKey": "p1", "productName": "again"}]}]},
    }
    with pytest.raises(DocumentError):
        cloud.seed(bad)
    assert cloud.snapshot() == before
    assert cloud.registry.keys.find("aws", "AKIAROLLBACK0000001") is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(sorted(OPERATIONS)), min_size=1, max_size=8))
def test_a_capture_is_the_state_of_its_instant_whatever_changes_after_it(names: list[str]) -> None:
    """Snapshots are built outside the lock from a capture: later writes must not leak into it."""
    cloud = _populated()
    tenant = cloud.registry.tenant("aws", "123456789012/us-east-1")
    expected = cloud.registry.snapshot()
    captured = cloud.registry.capture()
    for i, name in enumerate(names):
        with contextlib.suppress(DomainError):
            OPERATIONS[name](tenant, cloud, i)
    assert captured.snapshot() == expected
    assert tenant._captures == []  # the capture ended: later writes keep nothing for it


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 700), st.data())
def test_a_key_s_position_is_its_index_in_the_table_s_order(size, data) -> None:
    """``position`` searches from both ends (the undo of a delete reinserts the key there)."""
    table = {f"k{i}": i for i in range(size)}
    for gone in data.draw(st.lists(st.integers(0, max(size - 1, 0)), max_size=5)):
        table.pop(f"k{gone}", None)
    keys = list(table)
    for key in data.draw(st.lists(st.sampled_from(keys), max_size=5)) if keys else []:
        assert position(table, key) == keys.index(key)
    with pytest.raises(ValueError):
        position(table, "absent")


def test_a_removal_no_enclosing_transaction_can_undo_does_not_search_for_its_places(monkeypatch) -> None:
    """Finding a device's places in the tables' order takes a scan of each; only an enclosing
    transaction can undo the removal (it is the last write of its own), so only then is it done,
    and the rollback puts it back exactly where it was."""
    from iotfake.registry import tenant as tenant_module

    cloud = _populated()
    tenant = cloud.registry.tenant("aws", "123456789012/us-east-1")
    real = tenant_module.position

    def refused(*args: object) -> int:
        raise AssertionError("searched for a place no rollback can need")

    monkeypatch.setattr(tenant_module, "position", refused)
    tenant.remove_device(tenant.device(key="t2"))
    tenant.remove_device(tenant.device(key="t1"))  # typed, and in a group: cascades first
    assert [d.key for d in tenant.devices.values()] == ["t0", "t3", "t4", "t5"]
    monkeypatch.setattr(tenant_module, "position", real)
    with pytest.raises(Boom), cloud.registry.transaction():
        tenant.remove_device(tenant.device(key="t3"))
        raise Boom
    assert [d.key for d in tenant.devices.values()] == ["t0", "t3", "t4", "t5"]
    assert list(tenant.keys) == ["t0", "t3", "t4", "t5"]


def test_a_removed_device_takes_what_refers_to_it_by_value_and_leaves_the_rest() -> None:
    """A reference by value (a principal exclusively attached to a thing) cascades with the
    thing; the ask at C speed first must not hide it, nor take another thing's."""
    cloud = _populated()
    tenant = cloud.registry.tenant("aws", "123456789012/us-east-1")
    owners = tenant.table("exclusivePrincipals")
    owners["cert/a"], owners["cert/b"], owners["cert/c"] = "t3", "t4", "t3"
    tenant.remove_device(tenant.device(key="t3"))
    assert dict(owners) == {"cert/b": "t4"}
    tenant.remove_device(tenant.device(key="t5"))  # nothing refers to it
    assert dict(owners) == {"cert/b": "t4"}


def test_a_dispatch_with_nothing_left_waits_for_the_one_that_took_its_changes() -> None:
    """Call B's change went out in call C's batch: B must not answer before C's listeners (the
    write-ahead log) are done, or B is acknowledged before its change is written anywhere."""
    from iotfake.registry.changes import Changes

    changes = Changes()
    writing, release = threading.Event(), threading.Event()

    def slow_log(batch: list[Change]) -> None:
        writing.set()
        release.wait(5)

    changes.subscribe(slow_log)
    changes.record(None, None, "devices", "b", MISSING, {"key": "b"})  # B's change, not yet handed on
    taker = threading.Thread(target=changes.dispatch)  # C takes it, and writes slowly
    taker.start()
    assert writing.wait(5)
    answered = threading.Event()
    b = threading.Thread(target=lambda: (changes.dispatch(), answered.set()))
    b.start()
    assert not answered.wait(0.3)  # B waits for C's write
    release.set()
    assert answered.wait(5)
    taker.join()
    b.join()
