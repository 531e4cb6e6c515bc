"""Kept selections (``registry.selections``): one per tenant and spec, reused only while the
registry is unchanged; any write, in any tenant, and a rollback select again."""

from __future__ import annotations

from iotfake import FakeCloud
from iotfake.registry import Device
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
