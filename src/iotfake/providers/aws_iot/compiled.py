"""AWS operations compiled for the express lane (see ``providers.base.Compiled``).

The general path finds an operation's plan piece by piece on every call: the route's
candidates, the input's layout, the journaled members, the handler, the output's layout. A
compiled operation holds them all, made once from the same model, and runs the same functions
on the call's parts: ``auth.parse`` and ``identify``, ``match_fields``, ``accepts``, the
handler and ``wire.response``. It takes the operations whose input is JSON body members, URI
labels, query parameters and a raw payload (the registry and the shadows) and, of their calls,
those that pass the checks the general path would make before anything happens: the signature
is there (or not needed), the body is a JSON object, the input is valid. Every other call, an
error answer included, takes the general path, so errors keep one source. ``call.request`` is
None on a compiled call: no handler of these operations reads the request, only their input.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ... import jsonio
from ...reply import Reply
from ...request import query_args
from ..base import Call
from . import _route_plan, arns, auth, handler_map, match_fields, wire
from .accepts import accepts
from .context import Context
from .model import OPERATIONS

if TYPE_CHECKING:
    from ...express import Ticket
    from . import AwsIotProvider


class Operation:
    """One operation's plan, made once (see the module's docstring)."""

    __slots__ = ("accepts", "handler", "input", "key", "name")

    def __init__(
        self, key: str, name: str, handler: Any, shape: str | None, described: wire.UrlInput
    ) -> None:
        self.key, self.name, self.handler = key, name, handler
        self.accepts = None if shape is None else accepts(shape)
        self.input = described

    def bind(self, provider: AwsIotProvider, ticket: Ticket) -> tuple[Call, tuple[Any, ...]] | None:
        cloud = provider.cloud
        mode = cloud.auth
        if mode == "strict":  # a signature to verify: the general path
            return None
        query = ticket.query
        args = query_args(query)  # werkzeug's ``request.args`` (the lane's queries are ASCII)
        fields = ticket.fields
        signature = auth.parse(fields.get("HTTP_AUTHORIZATION"))
        if signature is None and mode != "off":  # refused: the general path says how
            return None
        described, body = self.input, None
        if described.body_names:
            raw = ticket.body
            if raw.strip():
                try:
                    body = jsonio.loads(raw)
                except jsonio.JSONInputError:
                    return None
                if type(body) is not dict:
                    return None
        route_args, payload = ticket.args, described.payload
        values = wire.url_values(described, body, route_args, args)
        if payload is not None:
            values[payload] = ""  # checked as text, as ``parse_input`` checks it; the bytes follow
        if self.accepts is not None and not self.accepts(values):  # the general path words why
            return None
        if payload is not None:
            values[payload] = ticket.body
        account, region = auth.identify(cloud.registry, signature)
        params = match_fields(
            self.key, route_args, args.items() if query else None, fields.get("HTTP_X_AMZN_PRINCIPAL"), body
        )
        params["account"], params["region"] = account, region
        call = Call(
            "aws", self.name, None, route_args, arns.tenant_id(account, region), params, body, None, signature
        )
        return call, (values, account, region)

    def run(self, provider: AwsIotProvider, call: Call, state: tuple[Any, ...]) -> Reply:
        values, account, region = state
        output = self.handler(Context(provider, call, provider.account(account, region), values))
        return wire.response(self.key, output or {}, provider.cloud.ids.request_id())


@cache
def operation(route: str) -> Operation | None:
    """The compiled operation of a route, or None where the route's calls take the general path:
    operations sharing the route, ones not served, iot-jobs-data's, and inputs read from headers
    or a structure payload."""
    plan = _route_plan(route)
    if plan is None:
        return None
    key, name, _, jobs = plan
    handler = handler_map().get(key)
    described = wire.url_input(key)
    if handler is None or jobs or described is None:
        return None
    return Operation(key, name, handler, OPERATIONS[key]["input"], described)
