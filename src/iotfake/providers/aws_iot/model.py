"""The AWS services the fake speaks, as one model: ``iot`` (the registry) and ``iot-data`` (shadows,
publish, retained messages), generated from botocore (``routes_generated*.py``).

Operation names do not clash across the two, so one ``OPERATIONS`` table serves both, each entry
naming its SigV4 signing service (``iot`` / ``iotdata``). Shape names are kept apart by the
generator's prefix. Errors are per service: the same code can have another status
(``ThrottlingException`` is a 400 in ``iot`` and a 429 in ``iot-data``).
"""

from __future__ import annotations

from typing import Any

from . import routes_generated as _iot
from . import routes_generated_data as _data

#: signing name -> its generated module
SERVICES = {_iot.SIGNING_NAME: _iot, _data.SIGNING_NAME: _data}
#: the signing name of the registry (the default when a request names none)
CONTROL = _iot.SIGNING_NAME

OPERATIONS: dict[str, dict[str, Any]] = {**_iot.OPERATIONS, **_data.OPERATIONS}
SHAPES: dict[str, dict[str, Any]] = {**_iot.SHAPES, **_data.SHAPES}
ERRORS: dict[str, dict[str, dict[str, Any]]] = {name: mod.ERRORS for name, mod in SERVICES.items()}

assert len(OPERATIONS) == len(_iot.OPERATIONS) + len(_data.OPERATIONS), "operation names clash"


def error_status(code: str, service: str = CONTROL) -> int | None:
    """The HTTP status a service's model gives an error code (None: not one of its errors)."""
    found = ERRORS.get(service, {}).get(code) or ERRORS[CONTROL].get(code)
    return None if found is None else found["status"]


def is_error(code: str) -> bool:
    return any(code in errors for errors in ERRORS.values())
