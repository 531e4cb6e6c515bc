"""Many-to-many links kept in a tenant's JSON-able tables (thing <-> principal, policy <-> target).

Both directions are stored, so either side lists its partners with one dictionary hit. A link
appends to a long list in place (``Table.append``: a group of 50,000 things copied for every thing
that joined made filling it quadratic), but only to a list no snapshot or reader was handed; every
other change replaces the list. So a snapshot taken before a change keeps seeing the old lists,
which is what makes all-or-nothing fixture loading and ``restore`` exact.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..memo import keep
from .changes import Table

if TYPE_CHECKING:
    from .tenant import Tenant


class Relation:
    """``left`` -> ``[right, ...]`` and the reverse, in tables ``name`` and ``name~``."""

    def __init__(self, tenant: Tenant, name: str) -> None:
        self.tenant = tenant
        self.name = name

    # Looked up per call: ``Tenant.restore`` replaces the table dicts.
    @property
    def _forward(self) -> Table:
        return self.tenant.table(self.name)  # type: ignore[return-value]

    @property
    def _reverse(self) -> Table:
        return self.tenant.table(self.name + "~")  # type: ignore[return-value]

    def link(self, left: str, right: str) -> bool:
        """Link the pair; False if it was linked already."""
        with self.tenant.lock:
            forward, reverse = self._forward, self._reverse
            rights, lefts = forward.get(left, []), reverse.get(right, [])
            if _linked(rights, right, lefts, left):
                return False
            forward.append(left, right)
            reverse.append(right, left)
            return True

    def unlink(self, left: str, right: str) -> bool:
        """Unlink the pair; False if it was not linked."""
        with self.tenant.lock:
            forward, reverse = self._forward, self._reverse
            rights, lefts = forward.get(left, []), reverse.get(right, [])
            if not _linked(rights, right, lefts, left):
                return False
            forward.remove_item(left, right)
            reverse.remove_item(right, left)
            return True

    def rights(self, left: str) -> list[str]:
        return list(self._forward.get(left, ()))

    def lefts(self, right: str) -> list[str]:
        return list(self._reverse.get(right, ()))

    def lefts_reader(self) -> Callable[[str], Sequence[str]]:
        """``lefts`` for many lookups in a row (a search page's things): the table is found
        once, and each answer is the stored list itself, not a copy. Do not change it."""
        reverse = self._reverse
        return lambda right: reverse.get(right, ())

    def drop_left(self, left: str) -> list[str]:
        """Remove every link of ``left``; returns its former partners."""
        with self.tenant.lock:
            partners = self._forward.discard(left) or []
            reverse = self._reverse
            for right in partners:
                reverse.remove_item(right, left)
            return partners

    def drop_right(self, right: str) -> list[str]:
        with self.tenant.lock:
            partners = self._reverse.discard(right) or []
            forward = self._forward
            for left in partners:
                forward.remove_item(left, right)
            return partners


def _linked(rights: list[str], right: str, lefts: list[str], left: str) -> bool:
    """Whether the pair is linked, asked of the shorter side: a group of 50,000 things is one
    thing's list of a few groups (each side holds the pair, so either answers)."""
    return right in rights if len(rights) <= len(lefts) else left in lefts


def sorted_rights(relation: Relation, left: str) -> list[str]:
    """``relation.rights(left)`` in order, kept while its list is the same object of the same
    length and no list of the table shrank in place: paging through a group of 50,000 things
    sorted them for every page. Until one shrinks, lists only change in place by appending
    (``Table.append``), so what was appended since is merged in (one linear pass of the sort,
    not a new sort). The list is shared: do not change it."""
    tenant = relation.tenant
    if relation.name not in tenant.tables:  # never linked: nothing to list (and no table to make)
        return []
    current = relation._forward.get(left)
    if current is None:
        return []
    kept = _SORTED.get(tenant)
    if kept is None:
        kept = _SORTED[tenant] = {}
    # read before sorting: a partner another thread appends meanwhile is merged in next time
    shrunk, length = relation._forward.shrunk, len(current)
    found = kept.get((relation.name, left))
    if found is not None and found[0] is current and found[1] <= length and found[3] == shrunk:
        if found[1] == length:
            return found[2]
        before = found[2]
        added = [x for x in current[found[1] : length] if not _holds(before, x)]  # a partner once
        ordered = sorted([*before, *dict.fromkeys(added)])
    else:
        ordered = sorted(set(current[:length]))  # each once, even where a snapshot listed one twice
    keep(kept, (relation.name, left), (current, length, ordered, shrunk), _SORTED_SIZE)
    return ordered


#: tenant -> (relation, left) -> (the rights list it was sorted from, its length then, sorted,
#: the table's ``shrunk`` then), a few per tenant
_SORTED: weakref.WeakKeyDictionary[Tenant, dict[tuple[str, str], tuple[list[str], int, list[str], int]]] = (
    weakref.WeakKeyDictionary()
)
_SORTED_SIZE = 16


def _holds(ordered: list[str], value: str) -> bool:
    at = bisect_left(ordered, value)
    return at < len(ordered) and ordered[at] == value
