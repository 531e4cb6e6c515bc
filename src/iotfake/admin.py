"""The control API under ``/_iotfake/``: JSON in, JSON out, never a 5xx for a bad body."""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request

from . import __version__, documents, jsonio
from .clock import LIMIT_TEXT, MAX_OFFSET
from .faults import profile_loader as profiles
from .journal import OUTCOMES
from .numbers import real, whole_number
from .providers.base import json_response
from .reply import Reply
from .signatures import matches

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .cloud import FakeCloud

PREFIX = "/_iotfake"
log = logging.getLogger("iotfake")


def rules() -> list[Rule]:
    def rule(path: str, name: str, methods: list[str]) -> Rule:
        return Rule(f"{PREFIX}/{path}", endpoint=("admin", name), methods=methods)

    return [
        rule("health", "health", ["GET"]),
        rule("reset", "reset", ["POST"]),
        rule("state", "state", ["GET", "PUT"]),
        rule("seed", "seed", ["POST"]),
        rule("clock", "clock", ["GET", "POST"]),
        rule("journal", "journal", ["GET", "DELETE"]),
        rule("faults", "faults", ["GET", "POST", "DELETE"]),
        rule("faults/<rule_id>", "fault", ["GET", "DELETE"]),
        rule("openapi/<name>", "openapi", ["GET"]),
        rule("ca.pem", "ca_pem", ["GET"]),
        rule("console", "console", ["GET"]),
        rule("console/tenant", "console_tenant", ["GET"]),
        rule("console/static/<name>", "console_static", ["GET"]),
        rule("console/action", "console_action", ["POST"]),
    ]


class AdminError(Exception):
    def __init__(self, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.extra = extra


def dispatch(cloud: FakeCloud, request: Request, route: str, args: dict[str, Any]) -> Reply:
    refusal = _refusal(cloud, request, route)
    if refusal is not None:
        return json_response({"error": refusal}, status=403)
    handler = HANDLERS[route]
    try:
        payload = handler(cloud, request, **args)
    except AdminError as exc:
        return json_response({"error": exc.message, **exc.extra}, status=exc.status)
    except documents.DocumentError as exc:
        return json_response({"error": exc.message, "path": exc.path}, status=400)
    except Exception as exc:  # a control API that crashes leaves a test blind: answer, log, go on
        log.exception("iotfake: admin %s %s failed", request.method, request.path)
        return json_response({"error": f"{type(exc).__name__}: {exc}"}, status=500)
    if request.method != "GET":
        cloud.mark_dirty()
    return payload if isinstance(payload, Reply) else json_response(payload)


def _refusal(cloud: FakeCloud, request: Request, route: str = "") -> str | None:
    """Why this client may not use the admin API, or None. Whoever reaches it can reset, seed and
    read every secret, so off the loopback it takes the token given to ``iotfake serve``; and a
    web page in the developer's browser must not steer or read it (see ``_browser_refusal``)."""
    address = request.remote_addr
    if address is None or _loopback(address):  # None: an in-process client, no socket at all
        return _browser_refusal(cloud, request, route, in_process=address is None)
    return remote_refusal(cloud, address, request.headers.get("Authorization", ""))


def head_refusal(cloud: FakeCloud, environ: dict[str, Any]) -> str | None:
    """``remote_refusal`` of a request from its WSGI environ alone (its body not yet read)."""
    return remote_refusal(cloud, environ.get("REMOTE_ADDR"), environ.get("HTTP_AUTHORIZATION", ""))


def remote_refusal(cloud: FakeCloud, address: str | None, authorization: str) -> str | None:
    """Why a client at ``address`` (None: in process) may not use the admin API, from what its
    request head says: off the loopback, without the token. The server asks this before it reads
    a body (``keepalive``): a refused client sent 128 MB that was read first."""
    if address is None or _loopback(address):
        return None
    token = cloud.admin_token
    if not token:  # an empty token lets no one in (never "Bearer " with nothing after it)
        return (
            f"the admin API answers loopback clients only, not {address}; "
            "start iotfake serve with --admin-token TOKEN and send Authorization: Bearer TOKEN"
        )
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and matches(token, value.strip()):
        return None
    return "the admin API needs Authorization: Bearer <the --admin-token of iotfake serve>"


#: Host names a loopback client reaches the fake by (a DNS name pointing at 127.0.0.1 is not one:
#: that is how DNS rebinding lets a web page in)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def _browser_refusal(
    cloud: FakeCloud, request: Request, route: str = "", *, in_process: bool = False
) -> str | None:
    """Refuse what a web page in the developer's browser could send (``browser_head_refusal``)
    and, from a browser, a write whose body is not declared JSON (a cross-site ``text/plain``
    POST needs no CORS preflight). Scripts and curl send no Origin and keep working with any
    content type."""
    refused = browser_head_refusal(cloud, request.headers, route, in_process=in_process)
    if refused is not None:
        return refused
    from_browser = "Origin" in request.headers or "Sec-Fetch-Mode" in request.headers
    writes = request.method in ("POST", "PUT", "PATCH", "DELETE")
    if from_browser and writes and request.get_data(cache=True).strip():
        kind = (request.mimetype or "").lower()
        if kind != "application/json" and not kind.endswith("+json"):
            return (
                f"admin writes take JSON: send Content-Type: application/json (got {kind or 'none'}); "
                "a body of another type is what a cross-site form would send"
            )
    return None


def browser_head_refusal(
    cloud: FakeCloud, headers: Mapping[str, str], route: str = "", *, in_process: bool = False
) -> str | None:
    """What a request head alone says of a web page: a ``Host`` that is no loopback name (DNS
    rebinding: a page's own name pointed at 127.0.0.1), an ``Origin`` other than the fake's own
    (another site, or another port of this machine: a local dev server's page), or
    ``Sec-Fetch-Site`` saying so. ``health`` answers any Host (load balancers and readiness
    probes ask it); an in-process client, which no browser can be, names any Host (the
    transports' own base URL is ``http://iotfake``)."""
    host_header = headers.get("Host", "localhost")
    host = _host_name(host_header)
    allowed = LOOPBACK_HOSTS | set(cloud.admin_hosts)
    if (
        host not in allowed and route != "health" and not in_process
    ):  # the route, not a path ending in /health
        return (
            f"the admin API answers requests to loopback names only, not to Host {host!r} "
            "(a DNS name pointing here may be a rebinding attack); add it with FakeCloud(admin_hosts=[...])"
        )
    origin = headers.get("Origin")
    if origin is not None:
        scheme, _, authority = origin.partition("://")
        if _host_name(authority) not in allowed or _authority(scheme, authority) != _authority(
            scheme, host_header
        ):
            return f"the admin API does not answer web pages from other sites (Origin {origin})"
    if headers.get("Sec-Fetch-Site", "").lower() in ("cross-site", "same-site"):
        return "the admin API does not answer web pages from other sites (Sec-Fetch-Site)"
    return None


def _authority(scheme: str, value: str) -> str:
    """``host[:port]`` as an origin compares it: lower-cased, the scheme's default port left out."""
    value = value.strip().lower().rstrip("/")
    default = {"http": ":80", "https": ":443"}.get(scheme.lower())
    return value[: -len(default)] if default and value.endswith(default) else value


def _host_name(value: str) -> str:
    """``host:port`` / ``[v6]:port`` -> the host, lower-cased."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def _body(request: Request, max_depth: int = jsonio.MAX_DEPTH) -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise AdminError("a JSON body is required")
    try:
        return jsonio.loads(raw, max_depth=max_depth)
    except jsonio.JSONInputError as exc:
        raise AdminError(str(exc)) from None


def health(cloud: FakeCloud, request: Request) -> dict[str, Any]:
    return {
        "status": "ok",
        "version": __version__,
        "providers": sorted(cloud.providers),
        "auth": cloud.auth,
        "seed": cloud.seed_value,
        # the server's namespaces, when this cloud is part of a set (see ``namespaces``)
        **({"namespaces": len(cloud._namespaces)} if cloud._namespaces is not None else {}),
        **_mqtt_ports(cloud),
    }


def _mqtt_ports(cloud: FakeCloud) -> dict[str, Any]:
    """The broker's ports (the contract: health reports them; with ``--port 0`` they are
    chosen at start, and the ready line names only the HTTP URL). A namespace's devices connect
    to the server's one broker."""
    owner = cloud._namespaces.default if cloud._namespaces is not None else cloud
    broker = getattr(owner, "broker", None) or getattr(cloud, "broker", None)
    if broker is None:
        return {}
    return {"mqtt": {"port": broker.port, "tls_port": broker.tls_port}}


def reset(cloud: FakeCloud, request: Request) -> dict[str, Any]:
    """``POST reset``; an optional ``{"seed": N}`` body reseeds the cloud (null: unseeded)."""
    if not request.get_data(cache=True).strip():
        cloud.reset()
        return {"status": "reset"}
    body = _body(request)
    if body == {}:  # what a client that always sends JSON sends for "no options"
        cloud.reset()
        return {"status": "reset"}
    if not isinstance(body, dict) or set(body) != {"seed"}:
        raise AdminError('expected no body, {}, or {"seed": N} (a whole number, a string or null)')
    try:
        cloud.reset(seed=body["seed"])
    except ValueError as exc:
        raise AdminError(str(exc), path="seed") from None
    return {"status": "reset", "seed": cloud.seed_value}


def state(cloud: FakeCloud, request: Request) -> Any:
    if request.method == "GET":
        return Reply(cloud.state_json(), content_type="application/json")
    snapshot = _body(request, max_depth=jsonio.SNAPSHOT_DEPTH)
    try:
        cloud.restore(snapshot)
    except Exception as exc:  # whatever is wrong with it, restore changed nothing
        raise AdminError(f"not a valid state snapshot: {exc}") from exc
    return {"status": "restored"}


def seed(cloud: FakeCloud, request: Request) -> dict[str, Any]:
    cloud.seed(_body(request))
    return {"status": "seeded"}


def clock(cloud: FakeCloud, request: Request) -> dict[str, Any]:
    if request.method == "POST":
        body = _body(request)
        advance = body.get("advance") if isinstance(body, dict) else None
        if real(advance, 0, MAX_OFFSET) is None:
            raise AdminError(f'expected {{"advance": seconds}} with a number {LIMIT_TEXT}')
        try:
            cloud.clock.advance(advance)
        except ValueError as exc:
            raise AdminError(str(exc)) from None
    return {"time": cloud.clock.time(), "offset": cloud.clock.offset}


def journal(cloud: FakeCloud, request: Request) -> dict[str, Any]:
    if request.method == "DELETE":
        cloud.journal.clear()
        return {"status": "cleared"}
    query = request.args
    filters = ("limit", "operation", "outcome", "provider", "rule", "tenant")
    unknown = [name for name in query if name not in filters]
    if unknown:  # a filter not taken would list everything: a check resting on it would pass
        from .suggest import suggest

        known = (
            suggest(unknown[0], list(filters), "filters")
            if len(unknown) == 1
            else f"known: {', '.join(filters)}"
        )
        named = ", ".join(map(repr, unknown))
        raise AdminError(f"unknown journal filter{'s' * (len(unknown) > 1)} {named} ({known})")
    outcome = query.get("outcome")
    if outcome is not None and outcome not in OUTCOMES:
        raise AdminError(f"outcome is one of {', '.join(OUTCOMES)}, not {outcome!r}")
    text = query.get("limit")
    limit = None if text is None else whole_number(text)
    if text is not None and limit is None:
        raise AdminError(f"limit is a whole number of entries, not {text!r}")
    entries = cloud.journal.listing(  # not calls: a half-typed name lists nothing (the console)
        provider=query.get("provider"),
        operation=query.get("operation"),
        outcome=outcome,
        tenant=query.get("tenant"),
        rule=query.get("rule"),
        limit=limit,
    )
    return {
        "entries": [e.to_dict() for e in entries],
        "size": cloud.journal.size,
        "dropped": cloud.journal.dropped,
    }


def faults(cloud: FakeCloud, request: Request) -> dict[str, Any]:
    if request.method == "GET":
        return {"rules": [rule.to_dict() for rule in cloud.faults]}
    if request.method == "DELETE":
        return {"removed": cloud.faults.clear()}
    body = _body(request)
    if isinstance(body, dict) and set(body) == {"profile"}:
        name = body["profile"]
        if not isinstance(name, str) or name not in profiles.available():
            raise AdminError(
                f"unknown throttle profile {name!r} (built in: {', '.join(profiles.available())})",
                path="profile",
            )
        added = cloud.faults.apply_profile(name)
    else:
        added = cloud.faults.load(body, "faults" if isinstance(body, list) else "")
    return {"ids": [rule.id for rule in added]}


def fault(cloud: FakeCloud, request: Request, rule_id: str) -> dict[str, Any]:
    try:
        rule = cloud.faults.remove(rule_id) if request.method == "DELETE" else cloud.faults.get(rule_id)
    except KeyError:
        raise AdminError(f"no fault rule {rule_id!r}", status=404) from None
    return {"removed": rule.id} if request.method == "DELETE" else rule.to_dict()


def openapi(cloud: FakeCloud, request: Request, name: str) -> dict[str, Any]:
    from . import openapi as specs

    try:
        return specs.document(name)
    except KeyError:
        raise AdminError(f"no OpenAPI document {name!r} (there are: {', '.join(specs.NAMES)})", 404) from None


def ca_pem(cloud: FakeCloud, request: Request) -> Reply:
    """The root CA the fake's TLS endpoints chain to (what a device or client should trust)."""
    return Reply(cloud.ca_pem, content_type="application/x-pem-file")


def console(cloud: FakeCloud, request: Request) -> Reply:
    from .console import views

    return views.home(cloud, request)


def console_tenant(cloud: FakeCloud, request: Request) -> Reply:
    from .console import views

    return views.tenant(cloud, request)


def console_static(cloud: FakeCloud, request: Request, name: str) -> Reply:
    from .console import views

    return views.static(cloud, request, name)


def console_action(cloud: FakeCloud, request: Request) -> Reply:
    from .console import views

    return views.action(cloud, request)


HANDLERS = {
    "health": health,
    "reset": reset,
    "state": state,
    "seed": seed,
    "clock": clock,
    "journal": journal,
    "faults": faults,
    "fault": fault,
    "openapi": openapi,
    "ca_pem": ca_pem,
    "console": console,
    "console_tenant": console_tenant,
    "console_static": console_static,
    "console_action": console_action,
}


def refusal(cloud: FakeCloud, request: Request) -> str | None:
    """Why ``request`` may not use the admin API of ``cloud`` (None: it may)."""
    return _refusal(cloud, request)
