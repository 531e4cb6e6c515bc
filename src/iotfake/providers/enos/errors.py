"""EnOS error codes and the mapping from domain errors.

Business errors travel with HTTP 200 in the ``{code, msg, requestId, data}`` envelope: real EnOS
clients read only the body.
"""

from __future__ import annotations

from ...registry import errors as domain
from ..base import ProviderError

OK = 0
INVALID_ARGUMENT = 99400
FORBIDDEN = 99403
NOT_FOUND = 99404
INTERNAL = 99500
DEVICE_NOT_FOUND = 11404
DEVICE_KEY_EXISTS = 11702
SAME_DEVICE_KEY = 11704
KEY_NOT_ALLOCATED = 11714
QUOTA_EXCEEDED = 11739
ALREADY_ENABLED = 11721
ALREADY_DISABLED = 11723
PRODUCT_NOT_FOUND = 11611
MODEL_NOT_FOUND = 11699
PRODUCT_HAS_DEVICES = 11619

#: code -> (default message, HTTP status)
MESSAGES: dict[int, tuple[str, int]] = {
    INVALID_ARGUMENT: ("Invalid Argument", 200),
    FORBIDDEN: ("Missing permission", 200),
    NOT_FOUND: ("Object not found", 200),
    INTERNAL: ("Internal Server Error", 200),
    DEVICE_NOT_FOUND: ("Device cannot be found", 200),
    DEVICE_KEY_EXISTS: ("deviceKey already exists", 200),
    SAME_DEVICE_KEY: ("The new deviceKey is the same as the old one", 200),
    KEY_NOT_ALLOCATED: ("The key of the device cannot be assigned temporarily. Try again.", 200),
    QUOTA_EXCEEDED: (
        "This operation will cause that the defined number of devices under the product exceeds the limit",
        200,
    ),
    ALREADY_ENABLED: ("The device is already enabled", 200),
    ALREADY_DISABLED: ("The device is disabled", 200),
    PRODUCT_NOT_FOUND: ("productKey not found", 200),
    MODEL_NOT_FOUND: ("modelId does not exist", 200),
    PRODUCT_HAS_DEVICES: ("Existing Device Restrictions", 200),  # the Delete Product page's words
}


class EnosError(ProviderError):
    def __init__(self, code: int, message: str | None = None, status: int | None = None) -> None:
        default, default_status = MESSAGES.get(code, ("Error", 200))
        super().__init__(code, message or default, status if status is not None else default_status)


def invalid(field: str, problem: str) -> EnosError:
    """99400 in EnOS's wording: ``Invalid Argument <field>:<problem>``."""
    return EnosError(INVALID_ARGUMENT, f"Invalid Argument {field}:{problem}")


def from_domain(error: domain.DomainError, *, device_op: bool) -> EnosError:
    if isinstance(error, domain.KeyCollision):
        return EnosError(DEVICE_KEY_EXISTS, f"deviceKey already exists: {error.key}")
    if isinstance(error, domain.KeyAllocationFailed):
        return EnosError(KEY_NOT_ALLOCATED)
    if isinstance(error, domain.QuotaExceeded):
        return EnosError(QUOTA_EXCEEDED)
    if isinstance(error, domain.NotFound):
        if error.kind == "product":
            return EnosError(PRODUCT_NOT_FOUND, f"productKey not found: {error.key}")
        if error.kind == "device" or device_op:
            return EnosError(DEVICE_NOT_FOUND)
        return EnosError(NOT_FOUND, error.message)
    if isinstance(error, domain.InUse):
        return EnosError(PRODUCT_HAS_DEVICES, f"{MESSAGES[PRODUCT_HAS_DEVICES][0]}: {error.message}")
    if isinstance(error, domain.InvalidArgument):
        return EnosError(INVALID_ARGUMENT, f"Invalid Argument {error.field}:{error.message}")
    if isinstance(error, domain.Forbidden | domain.Unauthorized | domain.TokenExpired):
        return EnosError(FORBIDDEN, f"Denied resource: {error.message}")
    if isinstance(error, domain.Throttled):
        return EnosError(429, "too many requests", status=429)
    if isinstance(error, domain.Unavailable):
        return EnosError(INTERNAL, "Service Unavailable", status=503)
    return EnosError(INTERNAL, MESSAGES[INTERNAL][0])
