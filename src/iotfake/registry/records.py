"""One generic path for table records: create, get, list, update, delete, with the catalog's
reference rules, instead of a copy of the same dictionary code per kind.

Records are JSON-able dicts, replaced and never edited in place (snapshots and change listeners
keep what they were given). Deletes apply every on-delete rule the catalog declares against the
deleted record, inside one transaction: a restricting reference found late undoes the cascades
already made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .catalog import CASCADE, DEVICE, KEY, NULLIFY, PRODUCT, RESTRICT, VALUE, Kind
from .changes import Table
from .errors import InUse, InvalidArgument, KeyCollision, NotFound, QuotaExceeded
from .kinds import CATALOG
from .relations import Relation
from .versions import check_version

if TYPE_CHECKING:
    from .tenant import Tenant


class Records:
    """One kind's records in one tenant. Cheap to build per call."""

    __slots__ = ("kind", "tenant")

    def __init__(self, tenant: Tenant, kind: str | Kind) -> None:
        self.tenant = tenant
        self.kind = CATALOG.kind(kind) if isinstance(kind, str) else kind

    @property
    def table(self) -> Table:
        return self.tenant.table(self.kind.table)  # type: ignore[return-value]

    def __contains__(self, key: str) -> bool:
        return key in self.table

    def __len__(self) -> int:
        return len(self.table)

    def find(self, key: str) -> Any:
        return self.table.get(key)

    def get(self, key: str) -> Any:
        record = self.table.get(key)
        if record is None:
            raise NotFound(kind=self.kind.name, key=key)
        return record

    def keys(self) -> list[str]:
        return list(self.table)

    def items(self) -> Iterator[tuple[str, Any]]:
        """A stable copy: callers may write while they walk it."""
        return iter(list(self.table.items()))

    def where(self, *fields: str, value: Any) -> list[tuple[str, Any]]:
        """The records whose ``fields`` hold ``value`` (a tuple of values, for several fields),
        found by the table's index of them (``Table.index``), in the order they came to hold
        it: a copy, callers may write while they walk it."""
        with self.tenant.lock:
            table = self.table
            return [(key, table[key]) for key in table.index(*fields).get(value)]

    def count(self, *fields: str, value: Any) -> int:
        """How many records ``where`` finds."""
        with self.tenant.lock:
            return self.table.index(*fields).count(value)

    def holds(self, field: str) -> bool:
        """Whether any record holds a value (not None) in ``field``, by the table's index."""
        with self.tenant.lock:
            return bool(self.table.index(field))

    def create(self, key: str, record: Any) -> Any:
        """Insert a new record; a taken key is a :class:`KeyCollision`, a reference to a record
        that does not exist a :class:`NotFound` naming it."""
        with self.tenant.lock:
            table = self.table
            if key in table:
                raise KeyCollision(key=key, existing=table[key], kind=self.kind.name)
            self._check_references(key, record)
            table[key] = record
            return record

    def replace(self, key: str, record: Any, *, expected_version: int | None = None) -> Any:
        """Store a new version of an existing record (its ``version`` checked when asked)."""
        with self.tenant.lock:
            current = self.get(key)
            if expected_version is not None:
                check_version(current.get("version", 1), expected_version)
            self._check_references(key, record)
            self.table[key] = record
            return record

    def update(
        self,
        key: str,
        changes: dict[str, Any],
        *,
        expected_version: int | None = None,
        now: int | None = None,
    ) -> dict[str, Any]:
        """Apply field changes as a new record with the version moved on by one."""
        with self.tenant.lock:
            current = self.get(key)
            record = {**current, **changes, "version": current.get("version", 1) + 1}
            if now is not None:
                record["updated"] = now
            return self.replace(key, record, expected_version=expected_version)

    def delete(self, key: str, *, expected_version: int | None = None) -> Any:
        """Delete a record and apply the catalog's on-delete rules to what refers to it."""
        # the delete is its transaction's last write: only an enclosing one can undo it, so only
        # then must its undo find the key's place in the table's order (a scan of the table),
        # and only where something reads that order (``Kind.ordered``)
        enclosed = self.tenant.changes.in_transaction
        with self.tenant.lock, _transaction(self.tenant):
            current = self.get(key)
            if expected_version is not None:
                check_version(current.get("version", 1), expected_version)
            cascade(self.tenant, self.kind.name, key)
            if enclosed and self.kind.ordered:
                del self.table[key]
            else:
                self.table.discard(key)
            return current

    def _check_references(self, key: str, record: Any) -> None:
        for ref in self.kind.references:
            target = _referenced(ref.field, key, record)
            if target is None:
                continue
            if not exists(self.tenant, ref.target, target):
                raise NotFound(kind=ref.target, key=target)
            if ref.limit is not None:
                others = sum(
                    1 for k, v in self.table.items() if k != key and _referenced(ref.field, k, v) == target
                )
                if others >= ref.limit:
                    raise QuotaExceeded(
                        f"{_noun(ref.target)} {target} already has {ref.limit} {self.kind.name}s, "
                        "the most it can have",
                        limit=ref.limit,
                        kind=self.kind.name,
                    )


def exists(tenant: Tenant, kind: str, key: str) -> bool:
    if kind == DEVICE:
        return key in tenant.keys
    if kind == PRODUCT:
        return key in tenant.products
    table = tenant.tables.get(CATALOG.kind(kind).table)
    return table is not None and key in table


def cascade(tenant: Tenant, kind: str, key: str) -> None:
    """Apply every rule that refers to the record ``key`` of ``kind``, which is being deleted.

    Restricting rules are all checked before any cascade runs, so a refusal changes nothing.
    References by key are dictionary hits, by a field the table's index of it (``Table.index``),
    by value a C-speed scan; links are indexed both ways.
    """
    references, links = CATALOG.referrers(kind)
    plan: list[Callable[[], None]] = []
    for referrer, ref in references:
        if referrer.name in (DEVICE, PRODUCT):
            continue  # held by the tenant's own indexes, which refuse such deletes themselves
        table = tenant.tables.get(referrer.table)
        if not table:
            continue
        if ref.field == KEY:
            hits = [key] if key in table else []
        elif ref.field == VALUE:
            # most deletes find none: asked first at C speed (a fleet's exclusive certificates
            # were read one by one in Python for every DeleteThing)
            hits = [k for k, v in table.items() if v == key] if key in table.values() else []
        else:  # by the table's index of the field: a thing's job executions among a fleet's
            with tenant.lock:
                hits = table.index(ref.field).get(key)
        if not hits:
            continue
        if ref.on_delete == RESTRICT:
            raise InUse(referrer.in_use.format(kind=_noun(kind), key=key), kind=referrer.name)
        for hit in hits:
            plan.append(_apply(tenant, referrer, ref.field, ref.on_delete, hit))
    for link, side in links:
        if link.table not in tenant.tables:
            continue  # never written in this tenant (and reading it would make it)
        relation = Relation(tenant, link.table)
        partners = relation.rights(key) if side == "left" else relation.lefts(key)
        if not partners:
            continue
        rule = link.on_delete_left if side == "left" else link.on_delete_right
        if rule == RESTRICT:
            raise InUse(link.in_use.format(kind=_noun(kind), key=key, table=link.table), kind=link.table)
        plan.append(_drop(relation, side, key))
    for step in plan:
        step()


def _apply(tenant: Tenant, referrer: Kind, field: str, rule: str, key: str) -> Callable[[], None]:
    def run() -> None:
        table = tenant.table(referrer.table)
        if key not in table:
            return  # gone already, by an earlier cascade
        if rule == CASCADE or field in (KEY, VALUE):
            Records(tenant, referrer).delete(key)
        elif rule == NULLIFY:
            table[key] = {**table[key], field: None}

    return run


def _drop(relation: Relation, side: str, key: str) -> Callable[[], None]:
    return (lambda: relation.drop_left(key)) if side == "left" else (lambda: relation.drop_right(key))


def join(tenant: Tenant, table: str, left: str, right: str) -> bool:
    """Link ``left`` and ``right`` in the catalog's relation ``table``: both must exist (where the
    link names their kinds) and ``right`` must have room (``right_limit``). False if already linked."""
    link = CATALOG.links[table]
    with tenant.lock:
        for kind, key in ((link.left, left), (link.right, right)):
            if kind is not None and not exists(tenant, kind, key):
                raise NotFound(kind=kind, key=key)
        relation = Relation(tenant, table)
        current = relation.lefts(right)
        if left in current:
            return False
        if link.right_limit is not None and len(current) >= link.right_limit:
            raise InvalidArgument(
                f"{_noun(link.right or 'record')} {right} is already in {link.right_limit} "
                f"{link.left or 'record'}(s): {', '.join(current)}",
                field=table,
            )
        return relation.link(left, right)


def leave(tenant: Tenant, table: str, left: str, right: str) -> bool:
    """Unlink the pair; False if it was not linked."""
    return Relation(tenant, table).unlink(left, right)


def partners(tenant: Tenant, table: str, key: str, *, side: str = "left") -> list[str]:
    """What ``key`` is linked to in ``table``, seen from ``side`` (without making the table)."""
    if table not in tenant.tables:
        return []
    relation = Relation(tenant, table)
    return relation.rights(key) if side == "left" else relation.lefts(key)


def _referenced(field: str, key: str, record: Any) -> str | None:
    if field == KEY:
        return key
    if field == VALUE:
        return record if isinstance(record, str) else None
    value = record.get(field) if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def _noun(kind: str) -> str:
    return kind[:1].upper() + kind[1:]


def _transaction(tenant: Tenant) -> Any:
    return tenant.changes.transaction(tenant.lock)
