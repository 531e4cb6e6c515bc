"""WSGI composition: routing -> journal -> auth -> faults -> handler -> response.

The URL map is built once per process from the provider classes (compiling a werkzeug ``Map``
costs milliseconds; a fresh ``FakeCloud`` per test must not pay it) and bound per request.
"""

from __future__ import annotations

import logging
import time
from functools import cache
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.routing import Map, MapAdapter

from . import express
from .environ import HeaderPairs
from .faults.drop import Dropped, drop_connection, over_socket
from .journal import elapsed_ms
from .providers import provider_classes
from .providers.base import Call, Compiled, Provider, ProviderError, json_response
from .registry.errors import DomainError, Internal
from .reply import Reply
from .request import Request
from .routing import PatternRoutes

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from .cloud import FakeCloud

log = logging.getLogger("iotfake")

ADMIN_PREFIX = "/_iotfake"


@cache
def url_map() -> Map:
    from . import admin

    rules = [*admin.rules()]
    for cls in provider_classes():
        rules.extend(cls.rules())
    return Map(rules, strict_slashes=False, merge_slashes=False)


@cache
def _adapter() -> MapAdapter:
    """One adapter for every request: the map matches on path and method only (no host or
    subdomain rules, no slash redirects), so binding it to each request's environ bought nothing
    but a tenth of a create's time."""
    return url_map().bind("iotfake")


@cache
def _static_routes() -> dict[tuple[str, str], Any]:
    """``(path, method) -> endpoint`` for the rules without converters.

    werkzeug's matcher builds a recursive closure per match, a reference cycle that only the
    garbage collector frees; for the fixed paths (EnOS, scriptr, admin, many AWS ones) a dict
    lookup gives the same endpoint without it. werkzeug tries static parts before converters,
    so an exact static rule is what it would pick too; anything else still goes to werkzeug.
    """
    routes: dict[tuple[str, str], Any] = {}
    for rule in url_map().iter_rules():
        if not rule.arguments and not rule.host and not rule.subdomain:
            for method in rule.methods or ():
                routes.setdefault((rule.rule, method), rule.endpoint)
    return routes


@cache
def _pattern_routes() -> PatternRoutes:
    """The rules with converters, decided by a regex each where werkzeug would agree."""
    return PatternRoutes(url_map().iter_rules(), decide=_werkzeug_endpoint)


def _werkzeug_endpoint(path: str, method: str) -> Any:
    """werkzeug's endpoint for a path and method (None where it answers none)."""
    try:
        return _adapter().match(path, method)[0]
    except HTTPException:
        return None


@cache
def _fast_routes() -> tuple[dict[tuple[str, str], Any], PatternRoutes]:
    """Both, as the express lane takes them: one cached call per call, not two and a tuple."""
    return _static_routes(), _pattern_routes()


def match(request: Request) -> tuple[Any, dict[str, Any]]:
    """``(endpoint, args)`` for a request, or werkzeug's NotFound / MethodNotAllowed."""
    if "HTTP_UPGRADE" in request.environ:  # websocket upgrades: werkzeug's full environ rules
        return url_map().bind_to_environ(request.environ).match()
    return _match_path(request.path, request.method)


def _match_path(path: str, method: str) -> tuple[Any, dict[str, Any]]:
    endpoint = _static_routes().get((path, method))
    if endpoint is not None:
        return endpoint, {}
    found = _pattern_routes().match(path, method)
    if found is not None:
        return found
    return _adapter().match(path, method)


def unrouted(method: str, path: str) -> Reply | None:
    """The 404 or 405 of a request no route serves, as ``App.dispatch`` answers it, or None
    where some route takes it: a namespace is made for the first request it can serve, not
    for a crawler's or a wrong base URL's (see ``namespaces``)."""
    try:
        _match_path(path, method)
    except MethodNotAllowed as exc:
        return _plain_error(405, f"{method} is not allowed on {path}", exc)
    except NotFound:
        return _plain_error(404, f"no fake API at {method} {path}")
    except HTTPException:
        return None  # the namespace's own app answers it
    return None


class App:
    """The WSGI application serving one :class:`~iotfake.cloud.FakeCloud`."""

    def __init__(self, cloud: FakeCloud) -> None:
        self.cloud = cloud

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        return self.answer(environ)(environ, start_response)

    def answer(self, environ: WSGIEnvironment) -> Reply:
        """What ``__call__`` sends, as a :class:`Reply`: the in-process transports read it
        without the WSGI calling convention. Raises ConnectionAbortedError where a fault drops
        the connection."""
        request = Request(environ, populate_request=False)  # no environ <-> request cycle for the GC
        request.max_content_length = self.limit(request)
        response = self._settled(self.dispatch(request))
        hook = self.cloud.on_admin_write
        if hook is not None and request.method != "GET" and request.path.startswith(ADMIN_PREFIX):
            problem = hook()
            if problem is not None:  # what the call changed is saved nowhere: not acknowledged
                response = _plain_error(503, f"iotfake could not save this change: {problem}")
        if isinstance(response, Dropped) and over_socket(environ):
            drop_connection(environ)
        return response

    def express(
        self, method: str, url: str, headers: HeaderPairs, body: bytes | None, extra: dict[str, Any]
    ) -> Reply | None:
        """The answer to an in-process call on the express lane (see ``express``), or None when
        the call must take the general path (``answer``). ``extra`` is what the transport adds
        to an environ (its connection). Raises ConnectionAbortedError where a fault drops the
        connection, as ``answer`` does for a connected call."""
        ticket = express.lane(self.cloud, method, url, headers, body, _fast_routes(), extra)
        if ticket is None:
            return None
        provider = ticket.provider
        compiled = provider.compiled(ticket.route)
        response = None if compiled is None else self._compiled(provider, compiled, ticket)
        if response is None:
            request = ticket.request()
            response = self.serve_call(provider, request, ticket.route, ticket.args, connected=True)
        response = self._settled(response)
        if isinstance(response, Dropped):  # a rule added while the call ran: in process, always connected
            raise ConnectionAbortedError("iotfake: connection dropped by a fault rule")
        return response

    def _compiled(self, provider: Provider, compiled: Compiled, ticket: express.Ticket) -> Reply | None:
        """A call served by the provider's compiled operation (see ``Compiled``), journaled as
        ``serve_call`` journals it; None when the operation hands it to the general path."""
        started = time.perf_counter()
        try:
            bound = compiled.bind(provider, ticket)
        except Exception:  # binding changes nothing: the general path answers and journals it
            return None
        if bound is None:
            return None
        call, state = bound
        try:
            response = compiled.run(provider, call, state)
        except (ProviderError, DomainError) as error:
            response = _render(provider, call, error)
        except Exception as exc:
            response = _failed(provider, call, exc)
        return self._finish(call, ticket.method, ticket.path, response, started)

    def _settled(self, response: Reply) -> Reply:
        # what the call changed reaches the change listeners (a write-ahead log) before the answer
        self.cloud.changes.dispatch()
        if self.cloud.sealed:
            # the final state was saved while this call ran (a latency fault outlasted the stop's
            # drain): whatever it did is not in the file, so it must not be acknowledged
            return _plain_error(503, "iotfake is stopping: this call was not saved; retry elsewhere")
        if self.cloud.unsaved is not None:  # the log could not be written: nothing is kept now
            return _plain_error(503, f"iotfake cannot save its state ({self.cloud.unsaved}); restart it")
        return response

    def limit(self, request: Request) -> int:
        """The body limit of a request: the admin API's own for admin calls (snapshots are big)."""
        if request.path.startswith(ADMIN_PREFIX):
            return self.cloud.max_admin_body
        return self.cloud.max_body

    def dispatch(self, request: Request) -> Reply:
        length = request.content_length
        limit = request.max_content_length
        if limit is None:  # a request made outside __call__
            limit = request.max_content_length = self.limit(request)
        if length is not None and length > limit:
            return _plain_error(413, f"request body over the {limit}-byte limit")
        try:
            endpoint, args = match(request)
        except MethodNotAllowed as exc:
            return _plain_error(405, f"{request.method} is not allowed on {request.path}", exc)
        except NotFound:
            return _plain_error(404, f"no fake API at {request.method} {request.path}")
        except HTTPException as exc:
            return _plain_error(exc.code or 400, exc.description or "bad request")
        owner, route = endpoint
        try:
            if owner == "admin":
                from . import admin

                return admin.dispatch(self.cloud, request, route, args)
            return self.serve_call(self.cloud.providers[owner], request, route, args)
        except RequestEntityTooLarge:
            return _plain_error(413, f"request body over the {limit}-byte limit")

    def serve_call(
        self, provider: Provider, request: Request, route: str, args: dict, connected: bool | None = None
    ) -> Reply:
        started = time.perf_counter()
        try:
            call = provider.bind(request, route, args)
        except Exception as exc:
            # a stand-in for the call bind could not name, so even that is answered and journaled
            call = Call(provider.name, route, request, args)
            response = _failed(provider, call, exc)
        else:
            response = self._respond(provider, call)
        if connected is None:
            connected = over_socket(request.environ)
        return self._finish(call, request.method, request.path, response, started, connected)

    def _finish(
        self, call: Call, method: str, path: str, response: Reply, started: float, connected: bool = True
    ) -> Reply:
        """Journal the call: what the client got (nothing, when a rule dropped the connection)."""
        dropped = connected and isinstance(response, Dropped)
        if dropped and call.fault_action == "drop":
            call.code = None  # nothing was answered: the fallback 5xx never left the server
        cloud, code = self.cloud, call.code
        duration = elapsed_ms(started)
        # positional, in Entry's field order (time, provider, operation, tenant, params, method,
        # path, status, code, duration_ms, rule, action): keywords cost a third more
        cloud.journal.note(
            cloud.clock.time(),
            call.provider,
            call.operation,
            call.tenant,
            call.params,
            method,
            path,
            None if dropped else response.status_code,
            None if code is None else str(code),
            duration,
            call.fault,
            call.fault_action,
        )
        return response

    def _respond(self, provider: Provider, call: Call) -> Reply:
        """The reply to a bound call; never raises (a fake must never send a traceback)."""
        faults = self.cloud.faults
        try:
            try:
                provider.authenticate(call)
                if faults.active:  # a cloud without rules pays nothing for them
                    injected = faults.before(provider, call)
                    if injected is not None:
                        return injected
            except (ProviderError, DomainError) as error:
                return _render(provider, call, error)
            try:
                response = provider.handle(call)
            except (ProviderError, DomainError) as error:
                response = _render(provider, call, error)
            if call.fault_action is None:  # no rule fired: nothing to lose
                return response
            # a lost response loses whatever the handler answered, an error included
            return faults.after(provider, call, response)
        except Exception as exc:
            return _failed(provider, call, exc)


def _failed(provider: Provider, call: Call, exc: Exception) -> Reply:
    if isinstance(exc, HTTPException):  # werkzeug refusing the request itself (a form of 5000 parts)
        return _plain_error(exc.code or 400, exc.description or "bad request")
    # the last line of defence: a fake must never send a traceback
    log.exception("iotfake: unhandled error in %s %s", call.provider, call.operation, exc_info=exc)
    return _internal(provider, call, exc)


def _render(provider: Provider, call: Call, error: ProviderError | DomainError) -> Reply:
    if isinstance(error, DomainError):
        error = provider.from_domain(call, error)
    return provider.render(call, error)


def _internal(provider: Provider, call: Call, exc: Exception) -> Reply:
    """The provider's own internal error; a plain 500 if even rendering that fails."""
    try:
        return provider.render(call, provider.from_domain(call, Internal(str(exc))))
    except Exception:
        log.exception("iotfake: %s could not render an internal error", call.provider)
        call.code = None
        return _plain_error(500, "internal error in iotfake (see the server log)")


def _plain_error(status: int, message: str, exc: HTTPException | None = None) -> Reply:
    """Answers for requests that reach no provider: JSON, with the message AWS clients read."""
    response = json_response({"message": message, "code": status}, status=status)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response
