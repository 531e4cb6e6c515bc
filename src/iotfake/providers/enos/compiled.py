"""EnOS routes compiled for the express lane (see ``providers.base.Compiled``).

An EnOS call names its operation in ``?action=`` and its org in ``?orgId=``, so a compiled
route holds its actions' handlers and binds a call from the parts: the query split once
(``plain_args``, what the Request's ``args`` would be), the body decoded as ``bind`` decodes it,
the same ``match_params``. It runs what the general path runs after binding: ``authenticate``
(reading the token from the call's headers), then the action's handler. It takes the Connect
routes' calls that name a known action and an org, in ``off`` and ``lenient`` auth, with a query
that needs no decoding; everything else (strict's signature over the raw request, the token
service, unknown actions, a missing org) takes the general path, which words its errors.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ...request import Headers, plain_args
from ..base import Call, decode_json
from . import DEVICE_ACTIONS, HANDLERS, PRODUCT_ACTIONS, auth, match_params

if TYPE_CHECKING:
    from ...express import Ticket
    from ...reply import Reply
    from . import EnosProvider

#: the Connect routes and their actions; the token service's two routes are not compiled
ROUTES = {
    "devices": DEVICE_ACTIONS,
    "products": PRODUCT_ACTIONS,
    "devices-v2.0": {"batchCreate": "BatchCreateDevice"},
}


class Route:
    """One Connect route's actions, each an operation and its handler."""

    __slots__ = ("actions", "route")

    def __init__(self, route: str, actions: dict[str, str]) -> None:
        self.route = route
        self.actions = {action: (name, HANDLERS[name]) for action, name in actions.items()}

    def bind(self, provider: EnosProvider, ticket: Ticket) -> tuple[Call, Any] | None:
        if provider.cloud.auth == "strict":  # the signature covers the raw request
            return None
        query = plain_args(ticket.query)
        if query is None:
            return None
        first = dict.get  # the MultiDict's own lists, as ``EnosProvider.bind`` reads them
        action, org = first(query, "action"), first(query, "orgId")
        found = self.actions.get(action[0]) if action else None
        if found is None or not org or not org[0]:  # the general path says what is wrong
            return None
        operation, handler = found
        tenant = org[0]
        body, error = decode_json(ticket.body) if ticket.method == "POST" else (None, None)
        call = Call(
            "enos",
            operation,
            None,
            ticket.args,
            tenant,
            match_params(self.route, tenant, query, body),
            body,
            error,
            query=query,
            headers=Headers(ticket.fields),
        )
        return call, handler

    def run(self, provider: EnosProvider, call: Call, handler: Any) -> Reply:
        auth.authenticate(provider, call)
        return handler(provider, call)


@cache
def operation(route: str) -> Route | None:
    """The compiled route, or None for the token service's routes."""
    actions = ROUTES.get(route)
    return None if actions is None else Route(route, actions)
