"""The AWS services the fake speaks, as one model: ``iot`` (the registry), ``iot-data`` (shadows,
publish, retained messages) and ``iot-jobs-data`` (the device side of jobs), generated from
botocore (``routes_generated*.py``).

One ``OPERATIONS`` table serves all three, each entry naming its SigV4 signing service (``iot`` /
``iotdata`` / ``iot-jobs-data``). ``iot`` and ``iot-data`` names do not clash; ``iot-jobs-data``'s
``DescribeJobExecution`` is also an ``iot`` operation, so every ``iot-jobs-data`` operation is
keyed ``jobsdata:<Name>`` here (the model's key: handlers, input parsing, answers). Outside the
provider, a call carries the plain name (fault rules, the journal, throttle buckets) and the
param ``service="iot-jobs-data"`` that tells the two ``DescribeJobExecution`` apart
(:func:`public_name`, :func:`model_key`). Shape names are kept apart by the
generator's prefix. Errors are per service: the same code can have another status
(``ThrottlingException`` is a 400 in ``iot`` and a 429 in ``iot-data``).
"""

from __future__ import annotations

from typing import Any

from . import routes_generated as _iot
from . import routes_generated_data as _data
from . import routes_generated_jobsdata as _jobs

#: signing name -> its generated module
SERVICES = {_iot.SIGNING_NAME: _iot, _data.SIGNING_NAME: _data, _jobs.SIGNING_NAME: _jobs}
#: the signing name of the registry (the default when a request names none)
CONTROL = _iot.SIGNING_NAME

#: the key prefix of ``iot-jobs-data`` operations in ``OPERATIONS``
JOBS_PREFIX = "jobsdata:"
JOBS_SERVICE = _jobs.SIGNING_NAME

OPERATIONS: dict[str, dict[str, Any]] = {
    **_iot.OPERATIONS,
    **_data.OPERATIONS,
    **{JOBS_PREFIX + name: op for name, op in _jobs.OPERATIONS.items()},
}
SHAPES: dict[str, dict[str, Any]] = {**_iot.SHAPES, **_data.SHAPES, **_jobs.SHAPES}
ERRORS: dict[str, dict[str, dict[str, Any]]] = {name: mod.ERRORS for name, mod in SERVICES.items()}

assert len(OPERATIONS) == len(_iot.OPERATIONS) + len(_data.OPERATIONS) + len(_jobs.OPERATIONS), (
    "operation names clash"
)
#: the names fault rules and the journal use (plain: ``DescribeJobExecution`` names both)
PUBLIC_NAMES = frozenset(name.removeprefix(JOBS_PREFIX) for name in OPERATIONS)


def public_name(key: str) -> str:
    """The name a call carries outside the provider for the model's key."""
    return key.removeprefix(JOBS_PREFIX)


def model_key(operation: str, params: dict[str, Any]) -> str:
    """The model's key for a call's plain name and params (``service`` says iot-jobs-data)."""
    return JOBS_PREFIX + operation if params.get("service") == JOBS_SERVICE else operation


def error_status(code: str, service: str = CONTROL) -> int | None:
    """The HTTP status a service's model gives an error code (None: not one of its errors)."""
    found = ERRORS.get(service, {}).get(code) or ERRORS[CONTROL].get(code)
    return None if found is None else found["status"]


def is_error(code: str) -> bool:
    return any(code in errors for errors in ERRORS.values())
