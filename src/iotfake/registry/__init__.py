"""Provider-neutral, thread-safe in-memory state: tenants, products, devices, tokens.

One re-entrant lock guards the whole registry. Under the GIL a finer scheme buys nothing, and one
lock makes every compound rule (quota + uniqueness, shared id spaces across record kinds, restore)
trivially atomic.
"""

from __future__ import annotations

import threading
from typing import Any

from ..clock import Clock
from ..ids import Ids
from .errors import BY_NAME, DomainError, NotFound
from .keys import CredentialIndex
from .models import Device, Product
from .tenant import Tenant
from .tokens import Token, TokenStore

__all__ = ["BY_NAME", "Device", "DomainError", "Product", "Registry", "Tenant", "Token", "TokenStore"]


class Registry:
    def __init__(self, clock: Clock, ids: Ids) -> None:
        self.clock = clock
        self.ids = ids
        self.lock = threading.RLock()
        self._tenants: dict[tuple[str, str], Tenant] = {}
        self.tokens = TokenStore(clock, ids, self.lock)
        #: seeded credentials (access keys, appKeys) -> owner and secret, across all tenants
        self.keys = CredentialIndex(self.lock)

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
                tenant = Tenant(provider, tenant_id, lock=self.lock, clock=self.clock, ids=self.ids)
                self._tenants[key] = tenant
            return tenant

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

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "tenants": [t.snapshot() for t in self._tenants.values()],
                "tokens": self.tokens.snapshot(),
            }

    def restore(self, data: dict[str, Any]) -> None:
        with self.lock:
            self._tenants.clear()
            for raw in data.get("tenants", ()):
                tenant = self.tenant(raw["provider"], raw["id"])
                tenant.restore(raw)
            self.tokens.restore(data.get("tokens", []))
            self.keys.rebuild(self._tenants.values())
