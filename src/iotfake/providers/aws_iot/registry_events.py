"""The registry's event messages (the developer guide's "Registry events"), made from committed
changes: things, thing types and their associations, thing groups, memberships and hierarchy.

AWS publishes them only for the types an account enabled (``event_configurations``): "These
events, however, are not available by default". So :func:`events` asks the account's settings
first, one dictionary lookup, and an account that enabled nothing costs nothing more.

Transport-free, as ``jobs_topics``: the MQTT side calls :func:`events` with the writes of one
dispatch, in the thread that committed them and right after (a thing is edited in place, so the
record read later would already say what a later write made it), and routes what it returns.

Choices where AWS documents nothing ([I] in the README): a thing created with a type, or deleted
with one, also publishes its type association (``CREATED``, ``DELETED``); deleting a thing or a
group publishes the memberships and the hierarchy link it ends; a group without parent says
``null`` for ``parentGroupName`` and ``parentGroupId``; ``deprecationDate`` is in milliseconds, as
``timestamp``; ``membershipId`` is the same for a pair's ``ADDED`` and ``REMOVED`` (made from the
group's and the thing's ids); a write that changed nothing a payload holds (a thing's
connectivity, written at each connect) publishes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from ...registry import Tenant
from ...registry.changes import MISSING, Appended, Removed
from ...registry.kinds import GROUP_MEMBERS, THING_GROUPS
from . import arns
from .event_configurations import enabled
from .shadow_document import compact

DEVICES, PRODUCTS = "devices", "products"
#: the registry tables whose writes may make registry events
WATCHED = frozenset({DEVICES, PRODUCTS, THING_GROUPS, GROUP_MEMBERS})
#: the operation names of each topic's last level
OPERATIONS = {"created": "CREATED", "updated": "UPDATED", "deleted": "DELETED"}
ID_STREAM = "registry event"

Message = tuple[str, bytes]
Write = tuple[str, Any, Any, Any]  # kind, key, before, after


def events(tenant: Tenant, writes: Iterable[Write]) -> list[Message]:
    """The event messages of one dispatch's writes (``(kind, key, before, after)``, in commit
    order) to an AWS account's tables, for the event types it enabled."""
    types = enabled(tenant)
    if not types:
        return []
    maker = _Maker(tenant, types, list(writes))
    with tenant.lock:  # the groups and things the payloads name, as they are now
        return maker.run()


class _Maker:
    def __init__(self, tenant: Tenant, types: frozenset[str], writes: list[Write]) -> None:
        self.tenant, self.types, self.writes = tenant, types, writes
        self.account = arns.split_tenant(tenant.id)[0]
        self.out: list[Message] = []
        #: what this dispatch deleted, by table and key: a membership ended by a thing's (or a
        #: group's) deletion still names its id
        self.gone: dict[tuple[str, str], Any] = {
            (kind, key): before for kind, key, before, after in writes if after is MISSING and before
        }

    def run(self) -> list[Message]:
        seen: set[tuple[str, str]] = set()
        for index, (kind, key, _, _) in enumerate(self.writes):
            if kind == DEVICES and (kind, key) not in seen:
                seen.add((kind, key))
                self._thing(key, [w for w in self.writes[index:] if w[0] == kind and w[1] == key])
            elif kind == PRODUCTS and (kind, key) not in seen:
                seen.add((kind, key))
                self._type(key, [w for w in self.writes[index:] if w[0] == kind and w[1] == key])
            elif kind == THING_GROUPS:
                self._group(key, self.writes[index][2], self.writes[index][3])
            elif kind == GROUP_MEMBERS:
                self._memberships(key, self.writes[index][2], self.writes[index][3])
        return self.out

    def _publish(self, topic: str, event_type: str, body: dict[str, Any]) -> None:
        head = {
            "eventType": event_type,
            "eventId": self.tenant.ids.uuid_for(ID_STREAM),
            "timestamp": self.tenant.clock.ms(),
        }
        self.out.append((topic, compact({**head, **body})))

    # -- things and their types' associations -------------------------------------------------
    def _thing(self, name: str, writes: list[Write]) -> None:
        first, last = writes[0][2], writes[-1][3]
        if first is MISSING and last is MISSING:
            return  # made and deleted in one go
        if first is MISSING:
            operation, device, was_type = "created", last, None
        elif last is MISSING:
            operation, device, was_type = "deleted", first, first.product
        else:
            moved = [w[2] for w in writes if isinstance(w[2], dict)]
            if not any("version" in before for before in moved):
                return  # not the registry record (connectivity): its version did not move
            device = self.tenant.keys.get(name)
            if device is None:
                return
            operation = "updated"
            was_type = next((b["product"] for b in moved if "product" in b), device.product)
        if "THING" in self.types:
            self._publish(
                f"$aws/events/thing/{name}/{operation}",
                "THING_EVENT",
                {
                    "operation": OPERATIONS[operation],
                    "accountId": self.account,
                    "thingId": device.id,
                    "thingName": name,
                    "versionNumber": device.version,
                    "thingTypeName": device.product,
                    "attributes": dict(device.attributes or {}),
                },
            )
        if "THING_TYPE_ASSOCIATION" in self.types:
            now_type = None if operation == "deleted" else device.product
            if was_type != now_type:
                for type_name, association in ((was_type, "DELETED"), (now_type, "CREATED")):
                    if type_name is not None:
                        self._association(device, type_name, association)

    def _association(self, device: Any, type_name: str, operation: str) -> None:
        # the guide's example names no account, unlike every other registry event
        self._publish(
            f"$aws/events/thingTypeAssociation/thing/{device.key}/{type_name}",
            "THING_TYPE_ASSOCIATION_EVENT",
            {
                "operation": operation,
                "thingId": device.id,
                "thingName": device.key,
                "thingTypeName": type_name,
            },
        )

    def _type(self, name: str, writes: list[Write]) -> None:
        if "THING_TYPE" not in self.types:
            return
        first, last = writes[0][2], writes[-1][3]
        if first is MISSING and last is MISSING:
            return
        if first is MISSING:
            operation, product = "created", last
        elif last is MISSING:
            operation, product = "deleted", first
        else:
            operation, product = "updated", self.tenant.products.get(name)
        if product is None or not hasattr(product, "attributes"):
            return
        attributes = product.attributes or {}
        properties = attributes.get("properties") or {}
        deprecated_at = attributes.get("deprecationDate")
        self._publish(
            f"$aws/events/thingType/{name}/{operation}",
            "THING_TYPE_EVENT",
            {
                "operation": OPERATIONS[operation],
                "accountId": self.account,
                "thingTypeId": attributes.get("id"),
                "thingTypeName": name,
                "isDeprecated": bool(attributes.get("deprecated")),
                "deprecationDate": None if deprecated_at is None else int(deprecated_at * 1000),
                "searchableAttributes": list(properties.get("searchableAttributes") or []),
                "description": properties.get("thingTypeDescription"),
            },
        )

    # -- thing groups, their members and their hierarchy ------------------------------------------
    def _group(self, name: str, before: Any, after: Any) -> None:
        if before is MISSING:
            operation, group = "created", after
        elif after is MISSING:
            operation, group = "deleted", before
        elif before != after:
            operation, group = "updated", after
        else:
            return
        parent = self._group_record(group.get("parent"))
        if "THING_GROUP_HIERARCHY" in self.types and parent is not None and operation != "updated":
            self._publish(
                f"$aws/events/thingGroupHierarchy/thingGroup/{parent['name']}/childThingGroup/{name}/"
                + ("added" if operation == "created" else "removed"),
                "THING_GROUP_HIERARCHY_EVENT",
                {
                    "operation": "ADDED" if operation == "created" else "REMOVED",
                    "accountId": self.account,
                    "thingGroupId": parent["id"],
                    "thingGroupName": parent["name"],
                    "childGroupId": group["id"],
                    "childGroupName": name,
                },
            )
        if "THING_GROUP" not in self.types:
            return
        properties = group.get("properties") or {}
        self._publish(
            f"$aws/events/thingGroup/{name}/{operation}",
            "THING_GROUP_EVENT",
            {
                "operation": OPERATIONS[operation],
                "accountId": self.account,
                "thingGroupId": group["id"],
                "thingGroupName": name,
                "versionNumber": group.get("version", 1),
                "parentGroupName": parent["name"] if parent is not None else None,
                "parentGroupId": parent["id"] if parent is not None else None,
                "description": properties.get("thingGroupDescription"),
                "rootToParentThingGroups": self._ancestry(parent),
                "attributes": dict((properties.get("attributePayload") or {}).get("attributes") or {}),
                "dynamicGroupMappingId": None,
            },
        )

    def _group_record(self, name: str | None) -> dict[str, Any] | None:
        if name is None:
            return None
        found = self.tenant.table(THING_GROUPS).get(name)
        return found if found is not None else self.gone.get((THING_GROUPS, name))

    def _ancestry(self, parent: dict[str, Any] | None) -> list[dict[str, str]]:
        """The guide: "one element for each parent thing group, starting from the root thing
        group and continuing to the thing group's parent"."""
        chain: list[dict[str, str]] = []
        seen: set[str] = set()
        while parent is not None and parent["name"] not in seen:
            seen.add(parent["name"])
            chain.append(
                {"groupArn": arns.thing_group(self.tenant.id, parent["name"]), "groupId": parent["id"]}
            )
            parent = self._group_record(parent.get("parent"))
        return chain[::-1]

    def _memberships(self, group_name: str, before: Any, after: Any) -> None:
        if "THING_GROUP_MEMBERSHIP" not in self.types:
            return
        if isinstance(after, Appended):
            changed = [(after.item, "added")]
        elif isinstance(after, Removed):
            changed = [(after.item, "removed")]
        else:
            was, now = list(before or ()), list(after or ())
            changed = [(t, "removed") for t in dict.fromkeys(was) if t not in now]
            changed += [(t, "added") for t in dict.fromkeys(now) if t not in was]
        group = self._group_record(group_name)
        if group is None:
            return
        for thing_name, operation in changed:
            device = self.tenant.keys.get(thing_name) or self.gone.get((DEVICES, thing_name))
            if device is None:
                continue
            pair = f"{group['id']}/{device.id}"
            self._publish(
                f"$aws/events/thingGroupMembership/thingGroup/{group_name}/thing/{thing_name}/{operation}",
                "THING_GROUP_MEMBERSHIP_EVENT",
                {
                    "operation": operation.upper(),
                    "accountId": self.account,
                    "groupArn": arns.thing_group(self.tenant.id, group_name),
                    "groupId": group["id"],
                    "thingArn": arns.thing(self.tenant.id, thing_name),
                    "thingId": device.id,
                    "membershipId": str(uuid.uuid5(uuid.NAMESPACE_URL, pair)),
                },
            )
