"""Access tokens the fake issues: EnOS gateway tokens, scriptr device and user tokens.

A token is either live, expired (by the fake's clock), or gone (refreshed away, regenerated or
revoked). Providers turn the difference into their own answers (EnOS apim_status 4011 vs 4012,
scriptr INVALID_TOKEN), so :meth:`TokenStore.check` reports which.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

from ..clock import Clock
from ..ids import Ids
from .changes import MISSING, Changes
from .errors import TokenExpired, Unauthorized


@dataclass(slots=True)
class Token:
    value: str
    provider: str
    tenant: str
    #: who the token stands for (an appKey, a device id, a user id)
    subject: str
    issued: float
    #: absolute expiry in clock seconds, or None for tokens that never expire
    expires: float | None = None
    #: a hard end no refresh can pass (scriptr user tokens' lifeTime); None = none
    lifetime_end: float | None = None
    #: "active" or "revoked"
    state: str = "active"
    kind: str = "access"

    def remaining(self, now: float) -> float | None:
        return None if self.expires is None else max(0.0, self.expires - now)


TOKEN_FIELDS = tuple(f.name for f in fields(Token))
_token_values = attrgetter(*TOKEN_FIELDS)


class TokenStore:
    def __init__(self, clock: Clock, ids: Ids, lock: threading.RLock, changes: Changes | None = None) -> None:
        self.clock = clock
        self.ids = ids
        self.lock = lock
        self.changes = changes if changes is not None else Changes()
        self._tokens: dict[str, Token] = {}
        #: (provider, tenant, subject) -> token values in issue order: GetToken asks on every call
        self._by_subject: dict[tuple[str, str, str], dict[str, None]] = {}

    def issue(
        self,
        *,
        provider: str,
        tenant: str,
        subject: str,
        ttl: float | None,
        kind: str = "access",
        lifetime: float | None = None,
        value: str | None = None,
    ) -> Token:
        now = self.clock.time()
        token = Token(
            value=value or self.ids.token(),
            provider=provider,
            tenant=tenant,
            subject=subject,
            issued=now,
            expires=None if ttl is None else now + ttl,
            lifetime_end=None if lifetime is None else now + lifetime,
            kind=kind,
        )
        with self.lock:
            replaced = self._tokens.get(token.value)
            if replaced is not None:
                self._unindex(replaced)
            self._tokens[token.value] = token
            self._index(token)
            undo = None
            if self.changes.in_transaction:

                def undo() -> None:
                    self._unindex(token)
                    self._tokens.pop(token.value, None)
                    if replaced is not None:
                        self._tokens[token.value] = replaced
                        self._index(replaced)

            self.changes.record(undo, None, "tokens", token.value, replaced or MISSING, token)
        return token

    def _index(self, token: Token) -> None:
        self._by_subject.setdefault((token.provider, token.tenant, token.subject), {})[token.value] = None

    def _unindex(self, token: Token) -> None:
        key = (token.provider, token.tenant, token.subject)
        values = self._by_subject.get(key)
        if values is not None:
            values.pop(token.value, None)
            if not values:
                del self._by_subject[key]

    def find(self, value: str) -> Token | None:
        return self._tokens.get(value)

    def check(self, value: str, *, provider: str | None = None) -> Token | None:
        """The live token, or None if the fake never issued it.

        Raises :class:`TokenExpired` past its expiry and :class:`Unauthorized` once revoked.
        """
        token = self._tokens.get(value)
        if token is None or (provider is not None and token.provider != provider):
            return None
        if token.state != "active":
            raise Unauthorized("the token was revoked or replaced")
        if self.is_expired(token):
            raise TokenExpired("the token has expired")
        return token

    def is_expired(self, token: Token) -> bool:
        now = self.clock.time()
        return (token.expires is not None and now >= token.expires) or (
            token.lifetime_end is not None and now >= token.lifetime_end
        )

    def revoke(self, value: str) -> None:
        with self.lock:
            token = self._tokens.get(value)
            if token is not None and token.state != "revoked":
                before = token.state
                token.state = "revoked"

                def undo() -> None:
                    token.state = before

                self.changes.record(undo, None, "tokens", value, before, token)

    def tokens_for(self, provider: str, tenant: str, subject: str, kind: str | None = None) -> list[Token]:
        with self.lock:
            values = self._by_subject.get((provider, tenant, subject), ())
            tokens = [self._tokens[v] for v in values]
            return [t for t in tokens if kind is None or t.kind == kind]

    def clear(self) -> None:
        with self.lock:
            self._tokens.clear()
            self._by_subject.clear()
            self.changes.bump()

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            captured = self.capture()
        return [dict(zip(TOKEN_FIELDS, values, strict=True)) for values in captured]

    def capture(self) -> list[tuple[Any, ...]]:
        """Every token's field values, cheap enough to take under the lock at any scale."""
        with self.lock:
            return list(map(_token_values, self._tokens.values()))

    def restore(self, rows: list[dict[str, Any]]) -> None:
        self.install(self.prepare(rows))

    def prepare(self, rows: list[dict[str, Any]]) -> tuple[dict[str, Token], dict[Any, dict[str, None]]]:
        """The tokens and their index built from snapshot rows, without the lock."""
        tokens = {row["value"]: Token(**row) for row in rows}
        by_subject: dict[tuple[str, str, str], dict[str, None]] = {}
        for token in tokens.values():
            by_subject.setdefault((token.provider, token.tenant, token.subject), {})[token.value] = None
        return tokens, by_subject

    def install(self, prepared: tuple[dict[str, Token], dict[Any, dict[str, None]]]) -> Any:
        """Swap the prepared tokens in; returns the old ones, for the caller to free after the lock."""
        with self.lock:
            old = self._tokens, self._by_subject
            self._tokens, self._by_subject = prepared
            self.changes.bump()
            return old
