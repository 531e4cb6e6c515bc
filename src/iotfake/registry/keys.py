"""One registry-wide index of seeded credentials: AWS access keys, EnOS appKeys.

Every signed request asks "whose key is this, and what is its secret?"; answering by scanning
every tenant's settings costs a walk over all tenants per request, and checking uniqueness only
within one fixtures document let a later document hand a key to a second owner. The index answers
both in one dictionary hit.

The tenants' settings stay the record that snapshots carry; the index is derived from them. Each
provider registers a *source* that lists the credentials one tenant holds, and :meth:`build`
reads them back (on every restore, including the roll-back of a failed fixtures document), aside,
before anything is swapped in (:meth:`replace`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .changes import MISSING, Changes
from .errors import KeyCollision
from .integrity import SnapshotError

if TYPE_CHECKING:
    from .tenant import Tenant

#: lists ``(key, secret, owner)`` for the credentials one tenant holds
Source = Callable[["Tenant"], Iterable[tuple[str, str, str | None]]]


@dataclass(frozen=True, slots=True)
class Credential:
    provider: str
    key: str
    secret: str
    #: who the key belongs to (an AWS account id); None for credentials shared by grant (EnOS apps)
    owner: str | None
    #: the tenants holding it (EnOS orgs the app may call, AWS account/region tenants)
    tenants: frozenset[str]


class CredentialIndex:
    def __init__(self, lock: threading.RLock, changes: Changes | None = None) -> None:
        self.lock = lock
        self.changes = changes
        self._entries: dict[tuple[str, str], Credential] = {}
        self._sources: dict[str, Source] = {}

    def source(self, provider: str, list_credentials: Source) -> None:
        """Tell the index where ``provider`` keeps credentials in its tenants (for ``build``)."""
        self._sources[provider] = list_credentials

    def find(self, provider: str, key: str) -> Credential | None:
        return self._entries.get((provider, key))

    def check(self, provider: str, key: str, *, secret: str, owner: str | None) -> None:
        """Raise KeyCollision if ``key`` is held by another owner or with another secret."""
        held = self._entries.get((provider, key))
        if held is None:
            return
        if held.owner != owner:
            raise KeyCollision(f"{key} already belongs to {held.owner}", key=key, reason="owner")
        if held.secret != secret:
            raise KeyCollision(f"{key} is already seeded with another secret", key=key, reason="secret")

    def claim(self, provider: str, key: str, *, secret: str, owner: str | None, tenant: str) -> Credential:
        """Record that ``tenant`` holds ``key``; a key has one owner and one secret."""
        with self.lock:
            self.check(provider, key, secret=secret, owner=owner)
            held = self._entries.get((provider, key))
            tenants = frozenset({tenant}) if held is None else held.tenants | {tenant}
            entry = Credential(provider, key, secret, owner, tenants)
            self._entries[provider, key] = entry
            if self.changes is not None and self.changes.in_transaction:
                # an index, not state: no typed change, but a rollback must forget the claim
                def undo() -> None:
                    if held is None:
                        self._entries.pop((provider, key), None)
                    else:
                        self._entries[provider, key] = held

                self.changes.record(undo, None, "credentialIndex", key, held or MISSING, entry)
            return entry

    def clear(self) -> None:
        with self.lock:
            self._entries.clear()

    def build(self, tenants: Iterable[Tenant]) -> dict[tuple[str, str], Credential]:
        """The index of ``tenants``' credentials, made aside (a restore builds it before it swaps
        anything in: a source that fails on a hand-made snapshot then changes nothing).

        A snapshot that breaks the one-owner rule (written by hand, or by an older version) still
        restores: the first owner met keeps the key, as the old scan did.
        """
        entries: dict[tuple[str, str], Credential] = {}
        for index, tenant in enumerate(tenants):
            source = self._sources.get(tenant.provider)
            if source is None:
                continue
            try:
                found = list(source(tenant))
            except (AttributeError, TypeError, ValueError) as exc:
                raise SnapshotError(
                    f"registry.tenants[{index}].settings", f"its credentials cannot be read: {exc}"
                ) from None
            for key, secret, owner in found:
                held = entries.get((tenant.provider, key))
                if held is None:
                    entries[tenant.provider, key] = Credential(
                        tenant.provider, key, secret, owner, frozenset({tenant.id})
                    )
                elif held.owner == owner:
                    entries[tenant.provider, key] = Credential(
                        tenant.provider, key, held.secret, owner, held.tenants | {tenant.id}
                    )
        return entries

    def replace(self, entries: dict[tuple[str, str], Credential]) -> None:
        """Swap in an index ``build`` made."""
        with self.lock:
            self._entries = entries
