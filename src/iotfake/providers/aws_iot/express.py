"""AWS calls bound on the express lane (see ``iotfake.express``): ``bind`` without a Request.

Only operations whose input is all JSON body and URI labels qualify: their every later step
(validation, the handler, the reply, errors) reads the Call and nothing else. Operations with
query, header or raw-payload members, routes shared by several operations, the jobs data plane
and RegisterThing's parameters all stay on ``bind``, as do calls that are unsigned, signed in a
form the general parse must read, carry ``x-amzn-principal``, or meet ``strict`` auth (which
verifies the signature over the whole request).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from ..base import Call, decode_json
from . import arns, auth, wire
from .model import JOBS_SERVICE, OPERATIONS, public_name

if TYPE_CHECKING:
    from ...express import Parts
    from . import AwsIotProvider


@dataclass(frozen=True, slots=True)
class Plan:
    """What binding one operation's calls takes."""

    operation: str
    #: the name calls carry outside the provider
    name: str
    #: whether the body holds input members (decoded only then, as ``bind`` does)
    has_body: bool


@cache
def plan(route: str) -> Plan | None:
    """The express plan for a route, or None when its calls must be bound from a Request."""
    from . import routes, served, service_of  # the package imports this module

    candidates = routes()[route]
    if len(candidates) != 1:
        return None
    operation = candidates[0]
    if (
        operation not in served()
        or operation == "RegisterThing"
        or service_of(operation) == JOBS_SERVICE
        or OPERATIONS[operation]["query"]
        or wire.payload_member(operation) is not None
        or wire.structure_payload(operation) is not None
        or any(member["location"] != "uri" for _, member in wire.located_members(operation))
    ):
        return None
    return Plan(operation, public_name(operation), bool(wire.body_members(operation)))


def bind(provider: AwsIotProvider, route: str, parts: Parts) -> Call | None:
    """What ``AwsIotProvider.bind`` makes of these parts, or None to leave the call to it."""
    from . import body_fields

    found = plan(route)
    if found is None:
        return None
    headers = parts.headers
    if "x-amzn-principal" in headers or provider.cloud.auth == "strict":
        return None
    signature = auth.parse(headers.get("authorization"))
    if signature is None:  # unsigned or malformed: bind's answers (missing, incomplete) are its own
        return None
    account, region = auth.identify(provider.cloud.registry, signature)
    call = Call("aws", found.name, None, parts.args, tenant=arns.tenant_id(account, region))
    call.principal = signature
    if found.has_body:
        decode_json(call, parts.body)
    params = dict(parts.args)
    if isinstance(call.body, dict) and call.body:
        body_fields(found.operation, call.body, params)
    params["account"], params["region"] = account, region
    call.params = params
    return call
