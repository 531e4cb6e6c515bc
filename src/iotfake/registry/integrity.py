"""What a snapshot's references must satisfy before ``restore`` installs it.

State files are JSON that people edit by hand and other tools write. A reference that does not
hold - a device of a product that is not there, a thing group that is its own ancestor, a link
recorded in one direction only - does not fail at restore but later, in some request: a 500, a
wrong answer, or (a group cycle) a walk that never ends under the registry lock. So the registry
checks them first and refuses the whole snapshot, naming the first broken reference by its path
(``registry.tenants[2].tables.thingGroups.a.parent``).
"""

from __future__ import annotations

from typing import Any

from .credentials import EXCLUSIVE, POLICIES, PRINCIPALS, TARGETS
from .groups import GROUPS, MEMBERS

#: relation table -> (what its left side names, what its right side names); None = not checked
RELATIONS: dict[str, tuple[str | None, str | None]] = {
    MEMBERS: (GROUPS, "devices"),
    PRINCIPALS: ("devices", None),
    TARGETS: (POLICIES, None),
}
#: what each kind of reference is called in a message
KINDS = {GROUPS: "thing group", POLICIES: "policy", "devices": "device"}


class SnapshotError(ValueError):
    """A snapshot cannot be restored; ``path`` says where it goes wrong."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def check_registry(data: Any, path: str = "registry") -> None:
    """Raise :class:`SnapshotError` unless ``data`` is a registry snapshot whose references hold."""
    _expect(data, dict, path, "an object")
    tenants = _expect(data.get("tenants", []), list, f"{path}.tenants", "a list")
    seen: dict[tuple[str, str], str] = {}
    for index, raw in enumerate(tenants):
        where = f"{path}.tenants[{index}]"
        check_tenant(raw, where)
        key = (raw["provider"], raw["id"])
        if key in seen:
            raise SnapshotError(where, f"the {key[0]} tenant {key[1]!r} is {seen[key]} too")
        seen[key] = where
    values: set[str] = set()
    for index, row in enumerate(_expect(data.get("tokens", []), list, f"{path}.tokens", "a list")):
        where = f"{path}.tokens[{index}]"
        value = _expect(
            _expect(row, dict, where, "an object").get("value"), str, f"{where}.value", "a string"
        )
        if value in values:
            raise SnapshotError(f"{where}.value", "this token value appears twice")
        values.add(value)


def check_tenant(raw: Any, path: str) -> None:
    _expect(raw, dict, path, "an object")
    for name in ("provider", "id"):
        if name not in raw:
            raise SnapshotError(f"{path}.{name}", "required")
        _expect(raw[name], str, f"{path}.{name}", "a string")
    products: set[str] = set()
    for index, row in enumerate(_expect(raw.get("products", []), list, f"{path}.products", "a list")):
        where = f"{path}.products[{index}]"
        key = _expect(_expect(row, dict, where, "an object").get("key"), str, f"{where}.key", "a string")
        if key in products:
            raise SnapshotError(f"{where}.key", f"the product {key!r} appears twice")
        products.add(key)
    ids: dict[str, int] = {}
    keys: dict[str, int] = {}
    for index, row in enumerate(_expect(raw.get("devices", []), list, f"{path}.devices", "a list")):
        where = f"{path}.devices[{index}]"
        _expect(row, dict, where, "an object")
        for name, taken in (("id", ids), ("key", keys)):
            value = _expect(row.get(name), str, f"{where}.{name}", "a string")
            if value in taken:
                raise SnapshotError(
                    f"{where}.{name}", f"{value!r} is the {name} of {path}.devices[{taken[value]}] too"
                )
            taken[value] = index
        product = row.get("product")
        if product is not None and product not in products:
            raise SnapshotError(f"{where}.product", f"no product {product!r} in this tenant")
    for index, key in enumerate(_expect(raw.get("uncounted") or [], list, f"{path}.uncounted", "a list")):
        if key not in keys:
            raise SnapshotError(f"{path}.uncounted[{index}]", f"no device {key!r} in this tenant")
    tables = _expect(raw.get("tables") or {}, dict, f"{path}.tables", "an object")
    for name, rows in tables.items():
        _expect(rows, dict, f"{path}.tables.{name}", "an object")
    _check_hierarchy(tables.get(GROUPS) or {}, f"{path}.tables.{GROUPS}")
    known = {GROUPS: tables.get(GROUPS) or {}, POLICIES: tables.get(POLICIES) or {}, "devices": keys}
    names = set(RELATIONS) | {name[:-1] for name in tables if name.endswith("~")}
    for name in sorted(names):
        forward, reverse = tables.get(name) or {}, tables.get(name + "~") or {}
        _check_mirror(forward, reverse, f"{path}.tables.{name}")
        lefts, rights = RELATIONS.get(name, (None, None))
        for left, partners in forward.items():
            if lefts is not None and left not in known[lefts]:
                raise SnapshotError(f"{path}.tables.{name}.{left}", f"no {KINDS[lefts]} {left!r}")
            for right in partners:
                if rights is not None and right not in known[rights]:
                    raise SnapshotError(f"{path}.tables.{name}.{left}", f"no {KINDS[rights]} {right!r}")
    for principal, thing in (tables.get(EXCLUSIVE) or {}).items():
        if thing not in keys:
            raise SnapshotError(f"{path}.tables.{EXCLUSIVE}.{principal}", f"no device {thing!r}")


def _check_hierarchy(groups: dict[str, Any], path: str) -> None:
    """Every parent exists and no group is its own ancestor."""
    for name, record in groups.items():
        parent = _expect(record, dict, f"{path}.{name}", "an object").get("parent")
        if parent is not None and parent not in groups:
            raise SnapshotError(f"{path}.{name}.parent", f"no thing group {parent!r}")
    for name in groups:
        seen = {name}
        parent = groups[name].get("parent")
        while parent is not None:
            if parent in seen:
                raise SnapshotError(f"{path}.{name}.parent", "the thing group hierarchy has a cycle")
            seen.add(parent)
            parent = groups[parent].get("parent")


def _check_mirror(forward: dict[str, Any], reverse: dict[str, Any], path: str) -> None:
    """Both directions of a relation hold the same pairs."""
    for table, other, here, there in (
        (forward, reverse, path, path + "~"),
        (reverse, forward, path + "~", path),
    ):
        for key, partners in table.items():
            _expect(partners, list, f"{here}.{key}", "a list")
            for partner in partners:
                _expect(partner, str, f"{here}.{key}", "a list of strings")
                listed = other.get(partner)
                if not isinstance(listed, list) or key not in listed:
                    raise SnapshotError(f"{there}.{partner}", f"does not list {key!r}")


def _expect(value: Any, kind: type, path: str, what: str) -> Any:
    if not isinstance(value, kind):
        raise SnapshotError(path, f"expected {what}, got {type(value).__name__}")
    return value
