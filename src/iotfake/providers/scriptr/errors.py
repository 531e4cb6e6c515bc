"""scriptr error codes, their two shapes, and the mapping from domain errors.

scriptr fails in two places. A *module* failure (``device.create`` meets a duplicate id) is a value
the script returns: HTTP 200, the platform envelope says ``success`` and the module's own
``{"metadata": {"status": "failure", ...}}`` sits in ``response.result``. A *platform* failure (a
bad token, throttling, an unreadable request) never reaches the script: the envelope itself fails,
``{"response": {"metadata": {"status": "failure", "statusCode": 400, ...}}}``, with that HTTP status.
"""

from __future__ import annotations

from typing import Any

from ...faults import retry_after
from ...registry import errors as domain
from ..base import ProviderError

# documented codes
DUPLICATE_DEVICE = "DUPLICATE_DEVICE"
DUPLICATE_USER = "DUPLICATE_USER"
INVALID_IDENTIFIER = "INVALID_IDENTIFIER"
INVALID_DEVICE = "INVALID_DEVICE"
INVALID_QUERY_REQUEST = "INVALID_QUERY_REQUEST"
TOKEN_NOT_FOUND = "TOKEN_NOT_FOUND"
INVALID_TOKEN = "INVALID_TOKEN"
INVALID_PARAMETER = "INVALID_PARAMETER"
INVALID_FIELD_VALUE = "INVALID_FIELD_VALUE"
MISSING_PARAMETERS = "MISSING_PARAMETERS"
INTERNAL_ERROR = "INTERNAL_ERROR"
# the fake's own choices where scriptr documents nothing (README: "scriptr.io")
INVALID_USER = "INVALID_USER"
DEVICE_LIMIT_EXCEEDED = "DEVICE_LIMIT_EXCEEDED"
TOKEN_LIMIT_EXCEEDED = "TOKEN_LIMIT_EXCEEDED"
TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
SCRIPT_NOT_FOUND = "SCRIPT_NOT_FOUND"

#: code -> (default errorDetail, statusCode, platform?)
CODES: dict[str, tuple[str, int, bool]] = {
    DUPLICATE_DEVICE: ("A device with this id already exists.", 400, False),
    DUPLICATE_USER: ("A user with this id already exists.", 400, False),
    INVALID_IDENTIFIER: ("The identifier is invalid.", 400, False),
    INVALID_DEVICE: ("The device does not exist.", 400, False),
    INVALID_USER: ("The user does not exist.", 400, False),
    INVALID_QUERY_REQUEST: ("The query request is invalid.", 400, False),
    TOKEN_NOT_FOUND: ("No token was found.", 400, False),
    INVALID_PARAMETER: ("A parameter is invalid.", 400, False),
    INVALID_FIELD_VALUE: ("A field value is invalid.", 400, False),
    MISSING_PARAMETERS: ("A required parameter is missing.", 400, False),
    DEVICE_LIMIT_EXCEEDED: ("The account has reached its device limit.", 400, False),
    TOKEN_LIMIT_EXCEEDED: ("The user has reached the maximum number of tokens.", 400, False),
    INTERNAL_ERROR: ("An internal error occurred.", 500, True),
    INVALID_TOKEN: ("The token is invalid, revoked or expired.", 400, True),
    TOO_MANY_REQUESTS: ("Too many requests; slow down and retry later.", 429, True),
    SERVICE_UNAVAILABLE: ("The service is temporarily unavailable.", 503, True),
    SCRIPT_NOT_FOUND: ("No script at this path.", 404, True),
}


class ScriptrError(ProviderError):
    """One scriptr failure; ``platform`` picks the envelope (see the module docstring)."""

    def __init__(
        self,
        code: str,
        detail: str | None = None,
        status: int | None = None,
        *,
        platform: bool | None = None,
        **extra: Any,
    ) -> None:
        default_detail, default_status, default_platform = CODES.get(
            code, ("The request failed.", 400, False)
        )
        super().__init__(code, detail or default_detail, status or default_status, **extra)
        self.platform = default_platform if platform is None else platform

    def metadata(self) -> dict[str, Any]:
        return {
            "status": "failure",
            "statusCode": self.status,
            "errorCode": self.code,
            "errorDetail": self.message,
        }

    def answer(self) -> dict[str, Any]:
        """The module's answer for this failure: metadata only, never a result."""
        return {"metadata": self.metadata()}


def missing(name: str) -> ScriptrError:
    return ScriptrError(MISSING_PARAMETERS, f"Missing required parameter [{name}].", field=name)


def invalid_parameter(name: str, problem: str) -> ScriptrError:
    return ScriptrError(INVALID_PARAMETER, f"Invalid parameter [{name}]: {problem}.", field=name)


def invalid_field(name: str, problem: str) -> ScriptrError:
    return ScriptrError(INVALID_FIELD_VALUE, f"Invalid value for the field [{name}]: {problem}.", field=name)


def invalid_query(problem: str) -> ScriptrError:
    return ScriptrError(INVALID_QUERY_REQUEST, f"Invalid query request: {problem}.")


def invalid_identifier(kind: str, key: str) -> ScriptrError:
    return ScriptrError(INVALID_IDENTIFIER, f"The {kind} [{key}] is invalid.", field="id")


#: operations whose missing record is INVALID_IDENTIFIER (what they answer for one that is not
#: there), not INVALID_DEVICE / INVALID_USER: a NotFound fault on them answers as the real miss
GETS = frozenset({"device.get", "user.get"})


def from_domain(error: domain.DomainError, *, module: str, operation: str = "") -> ScriptrError:
    """Map a registry error; ``module`` ("device" or "user") names the default subject."""
    kind = error.details.get("kind")
    if isinstance(error, domain.KeyCollision):
        if kind == "user" or (kind is None and module == "user"):
            return ScriptrError(DUPLICATE_USER, f"The user [{error.key}] already exists.")
        if kind in ("token", "token value"):
            return ScriptrError(INVALID_PARAMETER, f"The device [{error.key}] already has a token.")
        return ScriptrError(DUPLICATE_DEVICE, f"The device [{error.key}] already exists.")
    if isinstance(error, domain.QuotaExceeded):
        if kind == "token":
            return ScriptrError(
                TOKEN_LIMIT_EXCEEDED, f"The user already holds the maximum of {error.limit} tokens."
            )
        limit = "its device limit" if error.limit is None else f"its limit of {error.limit} devices"
        return ScriptrError(DEVICE_LIMIT_EXCEEDED, f"The account has reached {limit}.")
    if isinstance(error, domain.NotFound):
        subject = error.kind if error.kind in ("device", "user") else module
        if error.kind == "token":
            return ScriptrError(TOKEN_NOT_FOUND, f"No token was found for [{error.key}].")
        if operation in GETS:
            return invalid_identifier(subject, str(error.key))
        if subject == "user":
            return ScriptrError(INVALID_USER, f"The user [{error.key}] does not exist.")
        return ScriptrError(INVALID_DEVICE, f"The device [{error.key}] does not exist.")
    if isinstance(error, domain.Unauthorized | domain.TokenExpired | domain.Forbidden):
        return ScriptrError(INVALID_TOKEN)
    if isinstance(error, domain.Throttled):
        headers = {} if error.retry_after is None else {"Retry-After": retry_after.seconds(error.retry_after)}
        return ScriptrError(TOO_MANY_REQUESTS, headers=headers)
    if isinstance(error, domain.InvalidArgument):
        return ScriptrError(INVALID_PARAMETER, error.message)
    if isinstance(error, domain.KeyAllocationFailed):
        return ScriptrError(
            INTERNAL_ERROR, "No free identifier could be generated; try again.", platform=False
        )
    if isinstance(error, domain.Unavailable):
        return ScriptrError(SERVICE_UNAVAILABLE)
    return ScriptrError(INTERNAL_ERROR)


def from_code(code: str) -> ScriptrError:
    """A scriptr code named by a fault rule; an unknown one raises ValueError so the rule is refused."""
    if code not in CODES:
        raise ValueError(f"unknown scriptr error code {code!r} (known: {', '.join(CODES)})")
    return ScriptrError(code)
