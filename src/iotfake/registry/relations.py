"""Many-to-many links kept in a tenant's JSON-able tables (thing <-> principal, policy <-> target).

Both directions are stored, so either side lists its partners with one dictionary hit. Lists are
replaced, never mutated in place: a snapshot taken before a change keeps seeing the old lists, which
is what makes all-or-nothing fixture loading and ``restore`` exact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
            current = self._forward.get(left, [])
            if right in current:
                return False
            self._forward[left] = [*current, right]
            self._reverse[right] = [*self._reverse.get(right, []), left]
            return True

    def unlink(self, left: str, right: str) -> bool:
        """Unlink the pair; False if it was not linked."""
        with self.tenant.lock:
            current = self._forward.get(left, [])
            if right not in current:
                return False
            _store(self._forward, left, [r for r in current if r != right])
            _store(self._reverse, right, [x for x in self._reverse.get(right, []) if x != left])
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


def _store(table: dict[str, list[str]], key: str, values: list[str]) -> None:
    if values:
        table[key] = values
    else:
        table.pop(key, None)
