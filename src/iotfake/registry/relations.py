"""Many-to-many links kept in a tenant's JSON-able tables (thing <-> principal, policy <-> target).

Both directions are stored, so either side lists its partners with one dictionary hit. Lists are
replaced, never mutated in place: a snapshot taken before a change keeps seeing the old lists, which
is what makes all-or-nothing fixture loading and ``restore`` exact.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from ..memo import keep

if TYPE_CHECKING:
    from .tenant import Tenant


class Relation:
    """``left`` -> ``[right, ...]`` and the reverse, in tables ``name`` and ``name~``."""

    def __init__(self, tenant: Tenant, name: str) -> None:
        self.tenant = tenant
        self.name = name

    # Looked up per call: ``Tenant.restore`` replaces the table dicts.
    @property
    def _forward(self) -> dict[str, list[str]]:
        return self.tenant.table(self.name)

    @property
    def _reverse(self) -> dict[str, list[str]]:
        return self.tenant.table(self.name + "~")

    def link(self, left: str, right: str) -> bool:
        """Link the pair; False if it was linked already."""
        with self.tenant.lock:
            forward, reverse = self._forward, self._reverse
            rights, lefts = forward.get(left, []), reverse.get(right, [])
            if _linked(rights, right, lefts, left):
                return False
            forward[left] = [*rights, right]
            reverse[right] = [*lefts, left]
            return True

    def unlink(self, left: str, right: str) -> bool:
        """Unlink the pair; False if it was not linked."""
        with self.tenant.lock:
            forward, reverse = self._forward, self._reverse
            rights, lefts = forward.get(left, []), reverse.get(right, [])
            if not _linked(rights, right, lefts, left):
                return False
            _store(forward, left, _without(rights, right))
            _store(reverse, right, _without(lefts, left))
            return True

    def rights(self, left: str) -> list[str]:
        return list(self._forward.get(left, ()))

    def lefts(self, right: str) -> list[str]:
        return list(self._reverse.get(right, ()))

    def drop_left(self, left: str) -> list[str]:
        """Remove every link of ``left``; returns its former partners."""
        with self.tenant.lock:
            partners = self._forward.pop(left, [])
            for right in partners:
                _store(self._reverse, right, [x for x in self._reverse.get(right, []) if x != left])
            return partners

    def drop_right(self, right: str) -> list[str]:
        with self.tenant.lock:
            partners = self._reverse.pop(right, [])
            for left in partners:
                _store(self._forward, left, [r for r in self._forward.get(left, []) if r != right])
            return partners


def _linked(rights: list[str], right: str, lefts: list[str], left: str) -> bool:
    """Whether the pair is linked, asked of the shorter side: a group of 50,000 things is one
    thing's list of a few groups (each side holds the pair, so either answers)."""
    return right in rights if len(rights) <= len(lefts) else left in lefts


def _without(values: list[str], value: str) -> list[str]:
    """A copy of ``values`` without ``value``, copied and cut at C speed (``link`` never adds a
    pair twice, but a restored snapshot may list one twice: every copy goes)."""
    out = list(values)
    while value in out:
        out.remove(value)
    return out


def sorted_rights(relation: Relation, left: str) -> list[str]:
    """``relation.rights(left)`` in order, kept while its list stays the same object (a link or
    unlink replaces it): paging through a group of 50,000 things sorted them for every page. The
    list is shared: do not change it."""
    tenant = relation.tenant
    if relation.name not in tenant.tables:  # never linked: nothing to list (and no table to make)
        return []
    current = relation._forward.get(left)
    if current is None:
        return []
    kept = _SORTED.get(tenant)
    if kept is None:
        kept = _SORTED[tenant] = {}
    found = kept.get((relation.name, left))
    if found is not None and found[0] is current:
        return found[1]
    ordered = sorted(set(current))  # each once, even where a restored snapshot listed one twice
    keep(kept, (relation.name, left), (current, ordered), _SORTED_SIZE)
    return ordered


#: tenant -> (relation, left) -> (the rights list it was sorted from, sorted), a few per tenant
_SORTED: weakref.WeakKeyDictionary[Tenant, dict[tuple[str, str], tuple[list[str], list[str]]]] = (
    weakref.WeakKeyDictionary()
)
_SORTED_SIZE = 16


def _store(table: dict[str, list[str]], key: str, values: list[str]) -> None:
    if values:
        table[key] = values
    else:
        table.pop(key, None)
