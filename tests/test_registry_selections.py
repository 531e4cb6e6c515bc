"""Kept selections (``registry.selections``): one per tenant and spec, reused only while the
registry is unchanged; any write, in any tenant, and a rollback select again. A selection of
records (``records=True``) only while its tenant's devices and products are unchanged."""

from __future__ import annotations

from iotfake import FakeCloud
from iotfake.registry import Device, Product
from iotfake.registry.changes import RolledBack
from iotfake.registry.selections import selection


def _build(device_id: str, key: str) -> Device:
    return Device(id=device_id, key=key, product=None)


def test_a_selection_is_reused_until_the_registry_changes() -> None:
    cloud = FakeCloud()
    mine, other = (cloud.registry.tenant("aws", name) for name in ("a/us-east-1", "b/us-east-1"))
    calls = []

    def select(spec: str) -> list[str]:
        return selection(mine, spec, lambda: calls.append(spec) or sorted(mine.keys))

    mine.add_device(key="x", product=None, build=_build)
    first = select("all")
    assert select("all") is first and calls == ["all"]
    assert select("other spec") == first and calls == ["all", "other spec"]
    other.add_device(key="y", product=None, build=_build)  # a write elsewhere in the registry
    assert select("all") == ["x"] and calls[-1] == "all" and len(calls) == 3
    with cloud.registry.transaction():
        mine.add_device(key="w", product=None, build=_build)
        assert select("all") == ["w", "x"]
        raise RolledBack
    assert select("all") == ["x"] and len(calls) == 5  # selected inside, and again after the rollback
    assert selection(other, "all", lambda: ["from other"]) == ["from other"]  # one per tenant


def test_a_selection_of_records_stands_until_a_device_or_product_of_its_tenant_changes() -> None:
    """``records=True``: kept while the tenant's devices and products are what they were (a
    table's write, another tenant's device, leave it), selected again after one of them changes,
    after such a change is rolled back, and after a restore."""
    cloud = FakeCloud()
    mine, other = (cloud.registry.tenant("aws", name) for name in ("a/us-east-1", "b/us-east-1"))
    calls: list[str] = []

    def select() -> list[str]:
        return selection(mine, "all", lambda: calls.append("all") or sorted(mine.keys), records=True)

    device = mine.add_device(key="x", product=None, build=_build)
    first = select()
    mine.table("shadows")["x"] = {"": {"state": {}}}  # a record table of the tenant: not a device
    other.add_device(key="y", product=None, build=_build)
    mine.settings["indexing"] = {"thingIndexingMode": "REGISTRY"}
    assert select() is first and calls == ["all"]
    mine.update_device(device, {"attributes": {"site": "a"}})
    assert select() == ["x"] and len(calls) == 2
    mine.add_product(Product(key="p", name="meter"))
    assert select() == ["x"] and len(calls) == 3
    with cloud.registry.transaction():
        mine.replace_extra(device, {"token": "t"})
        assert select() == ["x"] and len(calls) == 4
        raise RolledBack
    assert select() == ["x"] and len(calls) == 5  # the undo moved the count too
    mine.restore(mine.snapshot())
    assert select() == ["x"] and len(calls) == 6
