"""Readers that make a record table on first use wait for the registry lock.

``Directory.users``, the relation properties and ``Tenant.table`` are read without the lock, and
the first read of a table makes it. Made without the lock, a new table could appear while a
snapshot walked the tenant's tables: "dictionary changed size during iteration", a 500 on
GET /_iotfake/state or a dead ``--state`` writer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from iotfake import FakeCloud
from iotfake.registry.credentials import Credentials
from iotfake.registry.directory import Directory
from iotfake.registry.groups import Groups
from iotfake.registry.tenant import Tenant


def readers(cloud: FakeCloud) -> list[tuple[str, Callable[[Tenant], object]]]:
    return [
        ("users", lambda tenant: Directory(tenant, cloud.registry.tokens).users),
        ("groupMembers~", lambda tenant: Groups(tenant).groups_of("t1")),
        ("thingPrincipals", lambda tenant: Credentials(tenant).principals.rights("t1")),
        ("anything", lambda tenant: tenant.table("anything")),
    ]


@pytest.mark.parametrize("index", range(4))
def test_a_reader_that_makes_a_table_waits_while_a_snapshot_holds_the_lock(index: int) -> None:
    cloud = FakeCloud(seed=1)
    tenant = cloud.registry.tenant("aws", "123456789012/us-east-1")
    name, read = readers(cloud)[index]
    with cloud.registry.lock:  # what a snapshot holds while it walks the tables
        reader = threading.Thread(target=read, args=(tenant,))
        reader.start()
        reader.join(0.2)
        assert reader.is_alive(), "the table was made while the lock was held"
        assert name not in tenant.tables
    reader.join()
    assert name in tenant.tables
