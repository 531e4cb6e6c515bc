"""The scriptr route compiled for the express lane (see ``providers.base.Compiled``).

Every script is one route, ``/scriptr/<module>/<function>``, so the compiled route finds the
function's handler from the route's arguments and binds the call from the parts: the query
split once (``plain_args``), a JSON body merged over it as ``params.merged`` merges it, the
body's ``id`` for fault rules and the journal. It runs what the general path runs after binding:
``authenticate`` (the token from the call's headers or ``auth_token``), then the function. It
takes the calls to known functions whose parameters read cleanly (no form body, a JSON object
or no body, a query that needs no decoding); anything else (an unknown script, a form, an
unreadable body) takes the general path, which words its errors.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ...request import Headers, mimetype_of, plain_args
from ..base import Call
from . import MODULES, auth, params

if TYPE_CHECKING:
    from ...express import Ticket
    from ...reply import Reply
    from . import ScriptrProvider


class Script:
    """The scriptr route: each module's functions, by name."""

    __slots__ = ()

    def bind(self, provider: ScriptrProvider, ticket: Ticket) -> tuple[Call, Any] | None:
        args = ticket.args
        module, function = args["module"], args["function"]
        handler = MODULES[module].get(function)
        query = plain_args(ticket.query)
        if handler is None or query is None or auth.ENVIRON_ACCOUNT in ticket.extra:
            return None
        fields = ticket.fields
        raw = None
        if ticket.method == "POST":
            if mimetype_of(fields) in params.FORM_TYPES:  # werkzeug's form parsing: the general path
                return None
            raw = ticket.body
        body, error = params.merged(query, raw)
        if error is not None:  # answered INVALID_PARAMETER by the general path
            return None
        given = body.get("id")
        call = Call(
            "scriptr",
            f"{module}.{function}",
            None,
            args,
            params={"id": given} if isinstance(given, str) else {},
            body=body,
            query=query,
            headers=Headers(fields),
        )
        return call, handler

    def run(self, provider: ScriptrProvider, call: Call, handler: Any) -> Reply:
        found = auth.authenticate_as(provider, call, None)
        return provider.run_script(call, handler, found)


@cache
def operation(route: str) -> Script | None:
    """The compiled scriptr route (it has one)."""
    return Script() if route == "script" else None
