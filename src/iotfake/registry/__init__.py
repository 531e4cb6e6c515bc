"""Provider-neutral, thread-safe in-memory state: tenants, products, devices, tokens.

One re-entrant lock guards the whole registry. Under the GIL a finer scheme buys nothing, and one
lock makes every compound rule (quota + uniqueness, shared id spaces across record kinds, restore)
trivially atomic.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..ids import Ids
from .changes import MISSING, Changes
from .errors import BY_NAME, DomainError, NotFound
from .integrity import SnapshotError, check_registry
from .keys import CredentialIndex
from .models import Device, Product
from .tenant import Captured, Tenant
from .tokens import TOKEN_FIELDS, Token, TokenStore

__all__ = ["BY_NAME", "Device", "DomainError", "Product", "Registry", "Tenant", "Token", "TokenStore"]


@dataclass(frozen=True, slots=True)
class CapturedRegistry:
    tenants: list[Captured]
    tokens: list[tuple[Any, ...]]

    def snapshot(self, *, copy: bool = True) -> dict[str, Any]:
        return {
            "tenants": [t.snapshot(copy=copy) for t in self.tenants],
            "tokens": [dict(zip(TOKEN_FIELDS, values, strict=True)) for values in self.tokens],
        }


@dataclass(frozen=True, slots=True)
class Prepared:
    """A snapshot's tenants and tokens, built and ready to swap in (``Registry.install``)."""

    tenants: dict[tuple[str, str], Tenant]
    tokens: Any
    #: the credential index of the tenants (``Keys.build``), made before anything is swapped
    keys: Any = None


class Registry:
    def __init__(self, clock: Clock, ids: Ids, changes: Changes | None = None) -> None:
        self.clock = clock
        self.ids = ids
        self.lock = threading.RLock()
        #: moved by every change to the registry's state (see ``changes``)
        self.changes = changes if changes is not None else Changes()
        self._tenants: dict[tuple[str, str], Tenant] = {}
        self.tokens = TokenStore(clock, ids, self.lock, self.changes)
        #: seeded credentials (access keys, appKeys) -> owner and secret, across all tenants
        self.keys = CredentialIndex(self.lock, self.changes)
        #: provider -> the check of its tenants' settings a restore runs (``settings_check``)
        self._settings_checks: dict[str, Callable[[dict[str, Any]], None]] = {}
        #: provider -> the check of its tenants' records a restore runs (``records_check``)
        self._records_checks: dict[str, Callable[[dict[str, Any]], None]] = {}

    def settings_check(self, provider: str, check: Callable[[dict[str, Any]], None]) -> None:
        """Have restores check ``provider``'s tenant settings with ``check``, which raises a
        :class:`~.integrity.SnapshotError` whose path names the setting. The registry knows no
        provider's settings; unchecked, a hand-edited one was restored and failed every call
        that read it."""
        self._settings_checks[provider] = check

    def records_check(self, provider: str, check: Callable[[dict[str, Any]], None]) -> None:
        """Have restores check ``provider``'s tenants with ``check`` too, once the catalog's
        checks passed: it is given the tenant's snapshot and raises a
        :class:`~.integrity.SnapshotError` whose path starts at the tenant (``tables.jobs.j1.
        config``). For what the catalog cannot say: a record field a provider answers as it
        is stored, which must hold what the provider's clients parse."""
        self._records_checks[provider] = check

    def tenant(self, provider: str, tenant_id: str, *, create: bool = True) -> Tenant:
        """The tenant, made on first use when ``create`` (unseeded use must stay easy)."""
        key = (provider, tenant_id)
        tenant = self._tenants.get(key)
        if tenant is not None:
            return tenant
        if not create:
            raise NotFound(kind="tenant", key=tenant_id)
        with self.lock:
            tenant = self._tenants.get(key)
            if tenant is None:
                tenant = self._new_tenant(provider, tenant_id)
                self._tenants[key] = tenant
                undo = (lambda: self._tenants.pop(key, None)) if self.changes.in_transaction else None
                self.changes.record(undo, None, "tenants", key, MISSING, tenant)
            return tenant

    def _new_tenant(self, provider: str, tenant_id: str) -> Tenant:
        return Tenant(
            provider, tenant_id, lock=self.lock, clock=self.clock, ids=self.ids, changes=self.changes
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and make every registry write inside all or nothing (see ``changes``)."""
        with self.changes.transaction(self.lock):
            yield

    def find_tenant(self, provider: str, tenant_id: str) -> Tenant | None:
        return self._tenants.get((provider, tenant_id))

    def tenants(self, provider: str | None = None) -> list[Tenant]:
        with self.lock:
            return [t for (p, _), t in self._tenants.items() if provider is None or p == provider]

    def clear(self) -> None:
        with self.lock:
            self._tenants.clear()
            self.tokens.clear()
            self.keys.clear()
            self.changes.bump()

    def snapshot(self, *, copy: bool = True) -> dict[str, Any]:
        """Every tenant and token as JSON-able data (``copy=False``: see ``Tenant.snapshot``)."""
        with self.lock:
            captured = self.capture()
        return captured.snapshot(copy=copy)

    def capture(self) -> CapturedRegistry:
        """The state, taken under the lock in time proportional to the record count at C speed
        (a few milliseconds per 100k devices); building and copying the snapshot from it happen
        after the lock is released, so writers in other tenants do not wait behind a state save."""
        with self.lock:
            return CapturedRegistry([t.capture() for t in self._tenants.values()], self.tokens.capture())

    def restore(self, data: dict[str, Any]) -> None:
        """Replace every tenant and token with copies of ``data``'s, or change nothing.

        Raises :class:`~.integrity.SnapshotError` (a ValueError) naming the first record in
        ``data`` that does not hold.
        """
        old = self.install(self.prepare(data))
        del old  # freed after the lock

    def prepare(self, data: dict[str, Any]) -> Prepared:
        """Check a snapshot and build its tenants and tokens, without the lock: only ``install``
        takes it, for a swap of references. Raises :class:`~.integrity.SnapshotError`."""
        check_registry(data)
        tenants: dict[tuple[str, str], Tenant] = {}
        for index, raw in enumerate(data.get("tenants", ())):
            check = self._settings_checks.get(raw["provider"])
            if check is not None:
                try:
                    check(raw.get("settings") or {})
                except SnapshotError as exc:
                    where = f"registry.tenants[{index}].settings.{exc.path}"
                    raise SnapshotError(where, exc.message) from None
            check = self._records_checks.get(raw["provider"])
            if check is not None:
                try:
                    check(raw)
                except SnapshotError as exc:
                    raise SnapshotError(f"registry.tenants[{index}].{exc.path}", exc.message) from None
            tenant = self._new_tenant(raw["provider"], raw["id"])
            try:  # what the checks let through and loading cannot take: named, not a bare error
                tenant.load(raw)
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                if isinstance(exc, SnapshotError):
                    raise
                raise SnapshotError(f"registry.tenants[{index}]", f"cannot be loaded: {exc}") from None
            tenants[tenant.provider, tenant.id] = tenant
        return Prepared(
            tenants, self.tokens.prepare(data.get("tokens", [])), self.keys.build(tenants.values())
        )

    def install(self, prepared: Prepared) -> Any:
        """Swap a prepared snapshot in. Returns the old state: drop it after releasing the lock
        (taking apart 100k devices costs ~70 ms, which no writer should wait for)."""
        with self.lock:
            old = self._tenants, self.tokens.install(prepared.tokens)
            self._tenants = prepared.tenants
            self.keys.replace(prepared.keys)
            self.changes.bump()
            return old
