"""Domain errors: what went wrong, in provider-neutral terms.

Providers translate these into their own codes (EnOS 11702, AWS ResourceAlreadyExistsException,
scriptr DUPLICATE_DEVICE, ...). The class names double as the domain names that fault rules accept
(``{"error": "QuotaExceeded"}``), so keep them stable.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the registry raises."""

    #: the name fault rules use for this error
    name = "Internal"

    def __init__(self, message: str = "", **details: Any) -> None:
        super().__init__(message or self.name)
        self.message = message or self.name
        self.details = details


class NotFound(DomainError):
    name = "NotFound"

    def __init__(self, message: str = "", *, kind: str = "", key: str = "", **details: Any):
        super().__init__(message or f"{kind or 'resource'} {key!r} not found", **details)
        self.kind = kind
        self.key = key


class KeyCollision(DomainError):
    """The key (deviceKey, thingName, id, ...) is taken; ``existing`` is what holds it."""

    name = "KeyCollision"

    def __init__(self, message: str = "", *, key: str = "", existing: Any = None, **details: Any):
        super().__init__(message or f"{key!r} already exists", **details)
        self.key = key
        self.existing = existing


class KeyAllocationFailed(DomainError):
    """No free key could be generated within the retry budget."""

    name = "KeyAllocationFailed"


class QuotaExceeded(DomainError):
    name = "QuotaExceeded"

    def __init__(self, message: str = "", *, limit: int | None = None, **details: Any):
        super().__init__(message or f"quota of {limit} exceeded", **details)
        self.limit = limit


class VersionConflict(DomainError):
    name = "VersionConflict"


class InUse(DomainError):
    """The resource cannot go while others depend on it (a product with devices, ...)."""

    name = "InUse"


class InvalidState(InUse):
    """The record's state forbids the change (an ACTIVE certificate cannot be deleted, ...).

    A kind of InUse, so providers without a state error of their own answer as for InUse.
    """

    name = "InvalidState"


class InvalidArgument(DomainError):
    name = "InvalidArgument"

    def __init__(self, message: str = "", *, field: str = "", **details: Any):
        super().__init__(message, **details)
        self.field = field


class Unauthorized(DomainError):
    name = "Unauthorized"


class Forbidden(DomainError):
    name = "Forbidden"


class TokenExpired(DomainError):
    name = "TokenExpired"


class Throttled(DomainError):
    name = "Throttled"

    def __init__(self, message: str = "", *, retry_after: float | None = None, **details: Any):
        super().__init__(message or "Rate exceeded", **details)
        self.retry_after = retry_after


class Internal(DomainError):
    name = "Internal"


class Unavailable(DomainError):
    name = "Unavailable"


#: domain name -> class, for fault rules and the admin API
BY_NAME: dict[str, type[DomainError]] = {
    cls.name: cls
    for cls in (
        NotFound,
        KeyCollision,
        KeyAllocationFailed,
        QuotaExceeded,
        VersionConflict,
        InUse,
        InvalidState,
        InvalidArgument,
        Unauthorized,
        Forbidden,
        TokenExpired,
        Throttled,
        Internal,
        Unavailable,
    )
}
