"""AWS operations compiled for the express lane (see ``providers.base.Compiled``).

The general path finds an operation's plan piece by piece on every call: the route's
candidates, the input's layout, the journaled members, the handler, the output's layout. A
compiled operation holds them all, made once from the same model, and runs the same functions
on the call's parts: ``auth.parse`` and ``identify``, ``match_fields``, ``accepts``, the
handler and ``wire.response``. It takes the operations whose input is JSON body members, URI
labels, query parameters and a raw payload (the registry, the shadows and the device side's
jobs) and, of their calls,
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
from . import _plan, _route_plan, arns, auth, handler_map, match_fields, routes, wire
from .accepts import accepts
from .context import Context
from .model import CONTROL, JOBS_SERVICE, OPERATIONS

if TYPE_CHECKING:
    from ...express import Ticket
    from . import AwsIotProvider


class Operation:
    """One operation's plan, made once (see the module's docstring)."""

    __slots__ = ("accepts", "handler", "input", "jobs", "key", "name")

    def __init__(
        self, key: str, name: str, handler: Any, shape: str | None, described: wire.UrlInput, jobs: bool
    ) -> None:
        self.key, self.name, self.handler, self.jobs = key, name, handler, jobs
        self.accepts = None if shape is None else accepts(shape)
        self.input = described

    def bind(self, provider: AwsIotProvider, ticket: Ticket) -> tuple[Call, tuple[Any, ...]] | None:
        if provider.cloud.auth == "strict":  # a signature to verify: the general path
            return None
        return self.signed(provider, ticket, auth.parse(ticket.fields.get("HTTP_AUTHORIZATION")))

    def signed(
        self, provider: AwsIotProvider, ticket: Ticket, signature: auth.Signature | None
    ) -> tuple[Call, tuple[Any, ...]] | None:
        """``bind`` with the request's signature already read (None: unsigned)."""
        cloud = provider.cloud
        if signature is None and cloud.auth != "off":  # refused: the general path says how
            return None
        query = ticket.query
        args = query_args(query)  # werkzeug's ``request.args`` (the lane's queries are ASCII)
        fields = ticket.fields
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
        if self.jobs:  # the device side's twin of a registry operation says so, as ``bind`` does
            params["service"] = JOBS_SERVICE
        params["account"], params["region"] = account, region
        call = Call(
            "aws", self.name, None, route_args, arns.tenant_id(account, region), params, body, None, signature
        )
        return call, (values, account, region)

    def run(self, provider: AwsIotProvider, call: Call, state: tuple[Any, ...]) -> Reply:
        values, account, region = state
        output = self.handler(Context(provider, call, provider.account(account, region), values))
        return wire.response(self.key, output or {}, provider.cloud.ids.request_id())


class Shared:
    """The operations sharing a route (the registry's and the device side's ``/things/{name}/jobs``),
    told apart as ``pick`` does, by the service the request was signed for: unsigned or signed
    for neither, the registry's. A route whose operations need the query to tell them apart is
    not compiled."""

    __slots__ = ("by_service", "fallback")

    def __init__(self, by_service: dict[str, Operation], fallback: Operation) -> None:
        self.by_service, self.fallback = by_service, fallback

    def bind(self, provider: AwsIotProvider, ticket: Ticket) -> tuple[Call, tuple[Any, ...]] | None:
        if provider.cloud.auth == "strict":
            return None
        signature = auth.parse(ticket.fields.get("HTTP_AUTHORIZATION"))
        service = CONTROL if signature is None else auth.canonical_service(signature.service)
        chosen = self.by_service.get(service, self.fallback)
        bound = chosen.signed(provider, ticket, signature)
        if bound is None:
            return None
        call, state = bound
        return call, (chosen, state)

    def run(self, provider: AwsIotProvider, call: Call, state: tuple[Any, ...]) -> Reply:
        chosen, inner = state  # the operation that bound the call runs it
        return chosen.run(provider, call, inner)  # type: ignore[no-any-return]


@cache
def operation(route: str) -> Operation | Shared | None:
    """The compiled operation of a route, or None where the route's calls take the general path:
    operations not served, and inputs read from headers or a structure payload. A route that
    operations share is compiled as :class:`Shared` where each of them compiles."""
    candidates = routes()[route]
    if len(candidates) > 1:
        return _shared(candidates)
    plan = _route_plan(route)
    assert plan is not None
    return _compile(*plan)


def _compile(key: str, name: str, _: bool, jobs: bool) -> Operation | None:
    handler = handler_map().get(key)
    described = wire.url_input(key)
    if handler is None or described is None:
        return None
    return Operation(key, name, handler, OPERATIONS[key]["input"], described, jobs)


def _shared(candidates: list[str]) -> Shared | None:
    services = [OPERATIONS[n]["service"] for n in candidates]
    if len(set(services)) != len(services) or CONTROL not in services:
        return None  # told apart by the query (``pick``'s last step), or no registry's to fall back on
    compiled = {service: _compile(*_plan(n)) for service, n in zip(services, candidates, strict=True)}
    ready = {service: op for service, op in compiled.items() if op is not None}
    if len(ready) != len(compiled):
        return None
    return Shared(ready, ready[CONTROL])
