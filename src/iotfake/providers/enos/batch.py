"""BatchCreateDevice: many CreateOptions, each judged on its own.

One item's failure never stops the others: every item gets ``{"code", "msg", "data"}`` (the
DeviceCreateResult, or ``null``) in request order, and the envelope adds ``successSize`` and
``totalSize``. Only a malformed request as a whole (no list, an empty one, one over
:data:`MAX_ITEMS`) fails the call with 99400.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...registry.errors import DomainError
from ...reply import Reply
from ..base import Call
from . import devices
from . import validation as v
from .errors import EnosError, from_domain, invalid

if TYPE_CHECKING:
    from . import EnosProvider

#: the most items one batch takes [I]: the docs give no number
MAX_ITEMS = 1000


def create(provider: EnosProvider, call: Call) -> Reply:
    body = v.body_object(call.body, call.body_error)
    items = v.require(body, "deviceList")
    if not isinstance(items, list):
        raise invalid("deviceList", "deviceList must be a list of devices")
    if not items:
        raise invalid("deviceList", "deviceList must not be empty")
    if len(items) > MAX_ITEMS:
        raise invalid("deviceList", f"deviceList holds {len(items)} devices, more than {MAX_ITEMS}")
    org = devices.tenant(provider, call)
    results: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            device = devices.create_one(provider, org, item, f"deviceList[{index}].")
        except EnosError as error:
            results.append(_failure(error))
        except DomainError as error:
            results.append(_failure(from_domain(error, device_op=True)))
        else:
            results.append({"code": 0, "msg": "OK", "data": devices.created(device)})
    ok = sum(1 for r in results if r["code"] == 0)
    return provider.ok(call, results, successSize=ok, totalSize=len(results))


def _failure(error: EnosError) -> dict[str, Any]:
    return {"code": error.code, "msg": error.message, "data": None}
