"""Device groups with a hierarchy (AWS IoT thing groups), as JSON-able records plus a membership relation.

Membership rules follow AWS IoT: a thing joins at most ``MAX_GROUPS_PER_DEVICE`` groups and at
most one group of any one hierarchy (two groups with the same root). A hierarchy is at most
``MAX_DEPTH`` groups deep and a group has at most ``MAX_CHILDREN`` direct children (AWS's thing
group quotas, both hard limits): past either, ``add`` refuses the new group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .credentials import Credentials
from .errors import Internal, InvalidArgument, KeyCollision, NotFound
from .kinds import GROUP_MEMBERS, THING_GROUPS
from .records import Records
from .relations import Relation

if TYPE_CHECKING:
    from .tenant import Tenant

#: the table (see ``kinds``) and the relation table: group name -> member device key
GROUPS, MEMBERS = THING_GROUPS, GROUP_MEMBERS
MAX_GROUPS_PER_DEVICE = 10
MAX_DEPTH = 7
MAX_CHILDREN = 100


class Groups:
    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        #: group name -> member device key
        self.members = Relation(tenant, MEMBERS)

    def table(self) -> dict[str, dict[str, Any]]:
        return self.tenant.table(GROUPS)

    def add(self, record: dict[str, Any]) -> dict[str, Any]:
        """Insert a group record (``name``, optional ``parent`` that must exist)."""
        with self.tenant.lock:
            table = self.table()
            if record["name"] in table:
                raise KeyCollision(key=record["name"], existing=table[record["name"]])
            if record.get("parent") is not None:
                self._check_room(record["name"], record["parent"])
            table[record["name"]] = record
            return record

    def _check_room(self, name: str, parent: str) -> None:
        """Refuse a new child of ``parent`` (which must exist) past the depth or width limit."""
        self.get(parent)
        if len(self.ancestors(parent)) + 2 > MAX_DEPTH:
            raise InvalidArgument(
                f"Thing group {name} cannot be created under {parent}: a thing group hierarchy is at "
                f"most {MAX_DEPTH} levels deep",
                field="parentGroupName",
            )
        if Records(self.tenant, "thing group").count("parent", value=parent) >= MAX_CHILDREN:
            raise InvalidArgument(
                f"Thing group {name} cannot be created under {parent}: a thing group has at most "
                f"{MAX_CHILDREN} child groups",
                field="parentGroupName",
            )

    def get(self, name: str) -> dict[str, Any]:
        record = self.table().get(name)
        if record is None:
            raise NotFound(kind="thing group", key=name)
        return record

    def find(self, name: str) -> dict[str, Any] | None:
        return self.table().get(name)

    def ancestors(self, name: str) -> list[str]:
        """Names from the root down to the group's parent.

        Restore refuses cyclic hierarchies and ``add`` cannot make one, but a walk under the
        registry lock must end whatever the table holds: a cycle is an Internal error, not a hang.
        """
        table = self.table()
        chain: list[str] = []
        seen = {name}
        parent = self.get(name).get("parent")
        while parent is not None:
            if parent in seen:
                raise Internal(f"the thing group hierarchy above {name} has a cycle at {parent}")
            seen.add(parent)
            chain.append(parent)
            record = table.get(parent)
            if record is None:
                raise Internal(f"the thing group {parent} above {name} does not exist")
            parent = record.get("parent")
        return chain[::-1]

    def root(self, name: str) -> str:
        chain = self.ancestors(name)
        return chain[0] if chain else name

    def children(self, name: str) -> list[str]:
        return [n for n, record in self.table().items() if record.get("parent") == name]

    def descendants(self, name: str) -> list[str]:
        """Every group below ``name``, breadth first (a cycle: Internal, as in ``ancestors``)."""
        found: list[str] = []
        seen = {name}
        pending = self.children(name)
        while pending:
            child = pending.pop(0)
            if child in seen:
                raise Internal(f"the thing group hierarchy below {name} has a cycle at {child}")
            seen.add(child)
            found.append(child)
            pending.extend(self.children(child))
        return found

    def remove(
        self, name: str, *, expected_version: int | None = None, target: str | None = None
    ) -> dict[str, Any] | None:
        """Delete a childless group (None if there was none); members simply leave it (the
        catalog's rules), and the policies attached to it under ``target`` (its ARN) are
        detached in the same step."""
        with self.tenant.changes.transaction(self.tenant.lock):
            if self.find(name) is None:
                return None
            record = Records(self.tenant, "thing group").delete(name, expected_version=expected_version)
            if target is not None:
                Credentials(self.tenant).targets.drop_right(target)
            return record

    def add_member(self, name: str, device_key: str) -> bool:
        with self.tenant.lock:
            self.get(name)
            current = self.members.lefts(device_key)
            if name in current:
                return False
            if len(current) >= MAX_GROUPS_PER_DEVICE:
                raise InvalidArgument(
                    f"Thing {device_key} cannot be added to more than {MAX_GROUPS_PER_DEVICE} thing groups",
                    field="thingName",
                )
            root = self.root(name)
            clash = next((g for g in current if self.root(g) == root), None)
            if clash is not None:
                raise InvalidArgument(
                    f"Thing {device_key} is already in thing group {clash} of the same hierarchy as {name}",
                    field="thingGroupName",
                )
            return self.members.link(name, device_key)

    def remove_member(self, name: str, device_key: str) -> bool:
        return self.members.unlink(name, device_key)

    def groups_of(self, device_key: str) -> list[str]:
        return self.members.lefts(device_key)

    def groups_reader(self) -> Callable[[str], Sequence[str]]:
        """``groups_of`` for many things in a row; the answers are shared: do not change them."""
        return self.members.lefts_reader()

    def things_in(self, name: str) -> list[str]:
        return self.members.rights(name)

    def drop_device(self, device_key: str) -> None:
        self.members.drop_right(device_key)
