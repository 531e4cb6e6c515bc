"""A directory: one tenant's devices and users in one id space, with their tokens.

scriptr.io keeps devices and users in a single namespace (a device cannot take a user's id and the
reverse), gives a device at most one token that never expires, and gives a user up to a fixed
number of tokens that do. Those are state rules, so they live here, next to the tenant they guard,
and run under the registry's lock: the "is the id free among devices *and* users" check and the
insert are one atomic step whatever the thread count.

Devices are ordinary :class:`~iotfake.registry.models.Device` records whose ``key`` is the
directory id; users are JSON-able dicts in the tenant's ``users`` table, so snapshots keep working.
A device's token value sits in ``device.extra["auth_token"]`` and a user's live token values in
``record["tokens"]``, which keeps lookups O(1) instead of scanning the token store. Records and
extras are replaced, never edited in place: whoever holds the old one (a reader in another
thread, a caller's view) keeps a consistent record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import kinds
from .errors import KeyAllocationFailed, KeyCollision, NotFound, QuotaExceeded, Unauthorized
from .models import Device
from .tenant import DeviceBuilder, Tenant
from .tokens import Token, TokenStore

USERS = kinds.USERS
SUSPENDED = "suspended"
#: how many generated ids are tried before giving up
ID_ATTEMPTS = 5


class Directory:
    """A view over one tenant; cheap to build per call.

    The device limit is the tenant's quota; devices every account has (scriptr's built-in
    ``scriptr`` device) are added with ``counted=False`` and leave it alone.
    """

    def __init__(self, tenant: Tenant, tokens: TokenStore) -> None:
        self.tenant = tenant
        self.tokens = tokens
        self.lock = tenant.lock

    # -- lookups ----------------------------------------------------------------------------------
    @property
    def users(self) -> dict[str, dict[str, Any]]:
        return self.tenant.table(USERS)

    def device(self, key: str) -> Device | None:
        return self.tenant.keys.get(key)

    def user(self, user_id: str) -> dict[str, Any] | None:
        return self.users.get(user_id)

    def holder(self, key: str) -> str | None:
        """``"device"``, ``"user"`` or None: who holds ``key`` in the shared id space."""
        if key in self.tenant.keys:
            return "device"
        if key in self.users:
            return "user"
        return None

    # -- device limit -----------------------------------------------------------------------------
    @property
    def device_limit(self) -> int | None:
        return self.tenant.quota

    @device_limit.setter
    def device_limit(self, limit: int | None) -> None:
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise ValueError("a device limit is a non-negative integer or None")
        self.tenant.quota = limit

    # -- devices ----------------------------------------------------------------------------------
    def _collision(self, key: str) -> KeyCollision | None:
        if key in self.tenant.keys:
            return KeyCollision(key=key, existing=self.tenant.keys[key], kind="device")
        if key in self.users:
            return KeyCollision(key=key, existing=self.users[key], kind="user")
        return None

    def _free_key(self, new_key: Callable[[], str]) -> str:
        for _ in range(ID_ATTEMPTS):
            key = new_key()
            if self.holder(key) is None:
                return key
        raise KeyAllocationFailed(f"no free id after {ID_ATTEMPTS} attempts")

    def add_device(
        self,
        key: str | None,
        build: DeviceBuilder,
        *,
        new_key: Callable[[], str],
        counted: bool = True,
    ) -> Device:
        """Insert a device whose id is free among devices and users; ``key=None`` generates one.

        ``counted=False`` leaves the device out of the limit (a device every account has).
        """
        with self.lock:
            if key is None:
                key = self._free_key(new_key)
            else:
                collision = self._collision(key)
                if collision is not None:
                    raise collision
            return self.tenant.add_device(key=key, product=None, build=build, counted=counted)

    def remove_device(self, device: Device) -> Device:
        """Delete a device; its token stops authenticating at once."""
        with self.lock:
            self.tenant.remove_device(device)
            value = self.device_token(device)
            if value is not None:
                self.tokens.revoke(value)
            return device

    def device_token(self, device: Device) -> str | None:
        return (device.extra or {}).get("auth_token")

    def issue_device_token(self, device: Device, value: str | None = None) -> Token:
        """A device's one token (never expires). A second one is a collision, not a replacement."""
        with self.lock:
            current = self.device_token(device)
            if current is not None:
                raise KeyCollision(f"device {device.key!r} already has a token", key=device.key, kind="token")
            return self._attach_device_token(device, value)

    def replace_device_token(self, device: Device, value: str | None = None) -> Token:
        """Regenerate: a new token; the old one stops authenticating."""
        with self.lock:
            current = self.device_token(device)
            if current is None:
                raise NotFound(kind="token", key=device.key)
            self.tokens.revoke(current)
            return self._attach_device_token(device, value)

    def revoke_device_token(self, device: Device) -> None:
        with self.lock:
            current = self.device_token(device)
            if current is None:
                raise NotFound(kind="token", key=device.key)
            self.tokens.revoke(current)
            extra = dict(device.extra or {})
            del extra["auth_token"]
            self.tenant.replace_extra(device, extra)

    def _attach_device_token(self, device: Device, value: str | None) -> Token:
        if value is not None and self.tokens.find(value) is not None:
            raise KeyCollision(f"the token value {value!r} is taken", key=value, kind="token value")
        token = self.tokens.issue(
            provider=self.tenant.provider,
            tenant=self.tenant.id,
            subject=device.key,
            ttl=None,
            kind="device",
            value=value,
        )
        self.tenant.replace_extra(device, {**(device.extra or {}), "auth_token": token.value})
        return token

    # -- users ------------------------------------------------------------------------------------
    def add_user(self, user_id: str, record: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            collision = self._collision(user_id)
            if collision is not None:
                raise collision
            self.users[user_id] = record
            return record

    def update_user(self, user_id: str, changes: dict[str, Any], *, now: int) -> dict[str, Any]:
        """Apply field changes and bump the version, like ``Tenant.update_device``."""
        with self.lock:
            record = self.users.get(user_id)
            if record is None:
                raise NotFound(kind="user", key=user_id)
            updated = {**record, **changes, "version": record.get("version", 1) + 1, "updated": now}
            self.users[user_id] = updated
            return updated

    def remove_user(self, user_id: str) -> dict[str, Any]:
        with self.lock:
            record = self.users.pop(user_id, None)
            if record is None:
                raise NotFound(kind="user", key=user_id)
            for value in record.get("tokens", ()):
                self.tokens.revoke(value)
            return record

    def user_tokens(self, user_id: str) -> list[Token]:
        """The user's live tokens (neither revoked nor expired), oldest first."""
        record = self.users.get(user_id)
        if record is None:
            return []
        live = []
        for value in record.get("tokens", ()):
            token = self.tokens.find(value)
            if token is not None and token.state == "active" and not self.tokens.is_expired(token):
                live.append(token)
        return live

    def issue_user_token(
        self, user_id: str, *, ttl: float, lifetime: float | None, limit: int, value: str | None = None
    ) -> Token:
        with self.lock:
            record = self.users.get(user_id)
            if record is None:
                raise NotFound(kind="user", key=user_id)
            live = self.user_tokens(user_id)
            if len(live) >= limit:
                raise QuotaExceeded(
                    f"user {user_id!r} already holds {limit} live tokens", limit=limit, kind="token"
                )
            if value is not None and self.tokens.find(value) is not None:
                raise KeyCollision(f"the token value {value!r} is taken", key=value, kind="token value")
            token = self.tokens.issue(
                provider=self.tenant.provider,
                tenant=self.tenant.id,
                subject=user_id,
                ttl=ttl,
                lifetime=lifetime,
                kind="user",
                value=value,
            )
            self.users[user_id] = {**record, "tokens": [t.value for t in live] + [token.value]}
            return token

    def revoke_user_tokens(self, user_id: str, value: str | None = None) -> int:
        """Revoke one live token of the user (``value``) or all of them; returns how many."""
        with self.lock:
            if user_id not in self.users:
                raise NotFound(kind="user", key=user_id)
            live = self.user_tokens(user_id)
            doomed = [t for t in live if value is None or t.value == value]
            if not doomed:
                raise NotFound(kind="token", key=value or user_id)
            for token in doomed:
                self.tokens.revoke(token.value)
            record = self.users[user_id]
            self.users[user_id] = {**record, "tokens": [t.value for t in live if t not in doomed]}
            return len(doomed)

    # -- authentication ---------------------------------------------------------------------------
    def principal(self, token: Token) -> Device | dict[str, Any]:
        """The live device or user a valid token stands for.

        A token whose holder was deleted or is suspended authenticates no one: scriptr treats a
        suspended identity as a deleted one.
        """
        if token.kind == "device":
            device = self.tenant.keys.get(token.subject)
            if device is None or self.device_token(device) != token.value:
                raise Unauthorized("the device behind this token no longer exists")
            if device.status == SUSPENDED:
                raise Unauthorized("the device behind this token is suspended")
            return device
        record = self.users.get(token.subject)
        if record is None or token.value not in record.get("tokens", ()):
            raise Unauthorized("the user behind this token no longer exists")
        if record.get("status") == SUSPENDED:
            raise Unauthorized("the user behind this token is suspended")
        return record
