"""What a snapshot must satisfy before ``restore`` installs it, derived from the catalog.

State files are JSON that people edit by hand and other tools write. A record that does not hold -
a device whose ``extra`` is a string, a product holding more devices than its quota, a device of a
product that is not there, a thing group that is its own ancestor, a link recorded in one
direction only - does not fail at restore but later, in some request: a 500, a wrong answer, or
(a group cycle) a walk that never ends under the registry lock. So the registry checks every
record first against its kind (``kinds.py``: field types, references, cycles, links) and refuses
the whole snapshot, naming the first bad field by its path
(``registry.tenants[2].tables.thingGroups.a.parent``).
"""

from __future__ import annotations

import re
from dataclasses import fields as dataclass_fields
from typing import Any

from .catalog import DEVICE, KEY, PRODUCT, VALUE, Field, Kind, Link
from .kinds import CATALOG
from .tokens import Token

_TOKEN_FIELDS = {f.name: f for f in dataclass_fields(Token)}
_TOKEN_TYPES: dict[str, tuple[type, ...]] = {
    "value": (str,),
    "provider": (str,),
    "tenant": (str,),
    "subject": (str,),
    "issued": (int, float),
    "expires": (int, float, type(None)),
    "lifetime_end": (int, float, type(None)),
    "state": (str,),
    "kind": (str,),
}
_TOKEN_REQUIRED = ("value", "provider", "tenant", "subject", "issued")
_TOKEN_STATES = ("active", "revoked")


class SnapshotError(ValueError):
    """A snapshot cannot be restored; ``path`` says where it goes wrong."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def check_registry(data: Any, path: str = "registry") -> None:
    """Raise :class:`SnapshotError` unless ``data`` is a registry snapshot whose records hold."""
    _expect(data, dict, path, "an object")
    _no_unknown(data, ("tenants", "tokens"), path)
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
        _check_token(row, where)
        if row["value"] in values:
            raise SnapshotError(f"{where}.value", "this token value appears twice")
        values.add(row["value"])


def _check_token(row: Any, path: str) -> None:
    _expect(row, dict, path, "an object")
    _no_unknown(row, _TOKEN_FIELDS, path)
    for name in _TOKEN_REQUIRED:
        if name not in row:
            raise SnapshotError(f"{path}.{name}", "required")
    for name, value in row.items():
        _typed(value, _TOKEN_TYPES[name], f"{path}.{name}")
    if row.get("state", "active") not in _TOKEN_STATES:
        raise SnapshotError(f"{path}.state", f"expected one of {', '.join(_TOKEN_STATES)}")


def check_tenant(raw: Any, path: str) -> None:
    _expect(raw, dict, path, "an object")
    _no_unknown(
        raw, ("provider", "id", "quota", "uncounted", "settings", "products", "devices", "tables"), path
    )
    for name in ("provider", "id"):
        if name not in raw:
            raise SnapshotError(f"{path}.{name}", "required")
        _expect(raw[name], str, f"{path}.{name}", "a string")
    _expect(raw.get("settings") or {}, dict, f"{path}.settings", "an object")
    products: dict[str, dict[str, Any]] = {}
    for index, row in enumerate(_expect(raw.get("products", []), list, f"{path}.products", "a list")):
        where = f"{path}.products[{index}]"
        _check_fields(CATALOG.kind(PRODUCT), row, where, strict=True)
        if row["key"] in products:
            raise SnapshotError(f"{where}.key", f"the product {row['key']!r} appears twice")
        products[row["key"]] = row
    ids: dict[str, int] = {}
    keys: dict[str, int] = {}
    held: dict[str, int] = {}
    for index, row in enumerate(_expect(raw.get("devices", []), list, f"{path}.devices", "a list")):
        where = f"{path}.devices[{index}]"
        _check_fields(CATALOG.kind(DEVICE), row, where, strict=True)
        for name, taken in (("id", ids), ("key", keys)):
            value = row[name]
            if value in taken:
                raise SnapshotError(
                    f"{where}.{name}", f"{value!r} is the {name} of {path}.devices[{taken[value]}] too"
                )
            taken[value] = index
        product = row.get("product")
        if product is not None:
            if product not in products:
                raise SnapshotError(f"{where}.product", f"no product {product!r} in this tenant")
            held[product] = held.get(product, 0) + 1
    for index, (key, row) in enumerate(products.items()):
        quota = row.get("quota")
        if quota is not None and (quota < 0 or held.get(key, 0) > quota):
            raise SnapshotError(
                f"{path}.products[{index}].quota",
                f"the product {key!r} holds {held.get(key, 0)} devices, over its quota of {quota}",
            )
    uncounted = _expect(raw.get("uncounted") or [], list, f"{path}.uncounted", "a list")
    for index, key in enumerate(uncounted):
        if not isinstance(key, str) or key not in keys:
            raise SnapshotError(f"{path}.uncounted[{index}]", f"no device {key!r} in this tenant")
    quota = _typed(raw.get("quota"), (int, type(None)), f"{path}.quota")
    counted = len(keys) - len(set(uncounted))
    if quota is not None and (quota < 0 or counted > quota):
        raise SnapshotError(f"{path}.quota", f"the tenant holds {counted} devices, over its quota of {quota}")
    tables = _expect(raw.get("tables") or {}, dict, f"{path}.tables", "an object")
    for name, rows in tables.items():
        _expect(rows, dict, f"{path}.tables.{name}", "an object")
    known = {DEVICE: keys, PRODUCT: products}
    for name, rows in tables.items():
        kind = CATALOG.tables.get(name)
        if kind is not None and kind.name not in known:
            _check_kind(kind, rows, tables, known, f"{path}.tables.{name}")
    names = {name for name in CATALOG.links} | {name[:-1] for name in tables if name.endswith("~")}
    for name in sorted(names):
        _check_link(CATALOG.links.get(name), name, tables, known, f"{path}.tables")


def _check_kind(
    kind: Kind, rows: dict[str, Any], tables: dict[str, Any], known: dict[str, Any], path: str
) -> None:
    counts: dict[Any, dict[str, int]] = {}  # reference -> target -> records naming it (limits)
    for key, record in rows.items():
        where = f"{path}.{key}"
        if not kind.objects:
            _expect(record, str, where, "a string")
        else:
            _check_fields(kind, record, where, strict=False)
            if kind.key is not None and record[kind.key] != key:
                raise SnapshotError(f"{where}.{kind.key}", f"{record[kind.key]!r} is not its key {key!r}")
        for ref in kind.references:
            target = key if ref.field == KEY else record if ref.field == VALUE else record.get(ref.field)
            if target is None:
                continue
            at = where if ref.field in (KEY, VALUE) else f"{where}.{ref.field}"
            if not _exists(ref.target, target, tables, known):
                raise SnapshotError(at, f"no {ref.target} {target!r}")
            if ref.limit is not None:
                counted = counts.setdefault(ref, {})
                counted[target] = counted.get(target, 0) + 1
                if counted[target] > ref.limit:
                    raise SnapshotError(
                        at, f"more than {ref.limit} {kind.name}s name the {ref.target} {target!r}"
                    )
    if kind.acyclic is not None:
        _check_acyclic(kind, rows, path)


def _check_acyclic(kind: Kind, rows: dict[str, Any], path: str) -> None:
    field = kind.acyclic
    assert field is not None
    for name in rows:
        seen = {name}
        parent = rows[name].get(field)
        while parent is not None:
            if parent in seen:
                raise SnapshotError(f"{path}.{name}.{field}", f"the {kind.name} hierarchy has a cycle")
            seen.add(parent)
            parent = rows[parent].get(field)


def _check_link(
    link: Link | None, name: str, tables: dict[str, Any], known: dict[str, Any], path: str
) -> None:
    """Both directions hold the same pairs, each side names a record that exists, limits hold."""
    forward, reverse = tables.get(name) or {}, tables.get(name + "~") or {}
    here, there = f"{path}.{name}", f"{path}.{name}~"
    for table, other, at, opposite in ((forward, reverse, here, there), (reverse, forward, there, here)):
        for key, partners in table.items():
            _expect(partners, list, f"{at}.{key}", "a list")
            for partner in partners:
                _expect(partner, str, f"{at}.{key}", "a list of strings")
                listed = other.get(partner)
                if not isinstance(listed, list) or key not in listed:
                    raise SnapshotError(f"{opposite}.{partner}", f"does not list {key!r}")
    if link is None:
        return
    for left, partners in forward.items():
        if link.left is not None and not _exists(link.left, left, tables, known):
            raise SnapshotError(f"{here}.{left}", f"no {link.left} {left!r}")
        for right in partners:
            if link.right is not None and not _exists(link.right, right, tables, known):
                raise SnapshotError(f"{here}.{left}", f"no {link.right} {right!r}")
    if link.right_limit is not None:
        for right, lefts in reverse.items():
            if len(lefts) > link.right_limit:
                raise SnapshotError(
                    f"{there}.{right}", f"in more than {link.right_limit} of {link.left or name}"
                )


def _exists(kind: str, key: str, tables: dict[str, Any], known: dict[str, Any]) -> bool:
    if kind in known:
        return key in known[kind]
    rows = tables.get(CATALOG.kind(kind).table)
    return isinstance(rows, dict) and key in rows


def _check_fields(kind: Kind, record: Any, path: str, *, strict: bool) -> None:
    """The record is an object whose declared fields have their declared types; ``strict``
    refuses fields the kind does not declare (records built from dataclasses take no others)."""
    _expect(record, dict, path, "an object")
    if strict:
        _no_unknown(record, [f.name for f in kind.fields], path)
    _check_object(kind.fields, record, path)
    if kind.values is not None:
        for name, value in record.items():
            check_value(kind.values, value, f"{path}.{name}")


def _check_object(specs: tuple[Field, ...], record: dict[str, Any], path: str) -> None:
    for spec in specs:
        if spec.name not in record:
            if spec.required:
                raise SnapshotError(f"{path}.{spec.name}", "required")
            continue
        check_value(spec, record[spec.name], f"{path}.{spec.name}")


def check_value(spec: Field, value: Any, path: str) -> None:
    """Raise :class:`SnapshotError` unless ``value`` has the field's type and holds what the
    field says is inside it (a provider checks its own parts of a record with it too)."""
    _typed(value, spec.types, path)
    if isinstance(value, dict):
        if spec.fields:
            _check_object(spec.fields, value, path)
        if spec.values is not None:
            for name, inner in value.items():
                check_value(spec.values, inner, f"{path}.{name}")
    elif isinstance(value, list):
        if spec.items is not None:
            for index, inner in enumerate(value):
                check_value(spec.items, inner, f"{path}[{index}]")
    elif isinstance(value, str):
        if spec.pattern is not None and re.fullmatch(spec.pattern, value) is None:
            raise SnapshotError(path, f"expected text matching {spec.pattern}, got {value!r}")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        low, high = spec.low, spec.high
        if (low is not None and not value >= low) or (high is not None and not value <= high):
            raise SnapshotError(path, f"expected a number from {_bound(low)} to {_bound(high)}, got {value}")


def _bound(value: float | None) -> str:
    if value is None:
        return "any"
    return str(int(value)) if float(value).is_integer() else str(value)


def _typed(value: Any, types: tuple[type, ...], path: str) -> Any:
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if not ok:
        names = " or ".join("null" if t is type(None) else _TYPE_NAMES.get(t, t.__name__) for t in types)
        raise SnapshotError(
            path, f"expected {names}, got {_TYPE_NAMES.get(type(value), type(value).__name__)}"
        )
    return value


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", dict: "an object", list: "a list",
               bool: "a boolean", type(None): "null"}  # fmt: skip


def _no_unknown(record: dict[str, Any], known: Any, path: str) -> None:
    for name in record:
        if name not in known:
            raise SnapshotError(f"{path}.{name}", "unknown field")


def _expect(value: Any, kind: type, path: str, what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SnapshotError(path, f"expected {what}, got {type(value).__name__}")
    return value
