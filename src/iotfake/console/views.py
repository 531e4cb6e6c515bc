"""The console's pages and its one change endpoint (routes in ``admin.rules``)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import jsonio
from ..journal import Entry
from ..namespaces import ENVIRON_NAME
from ..providers.base import json_response
from ..reply import Reply
from . import actions, queries

if TYPE_CHECKING:
    from jinja2 import Environment
    from werkzeug.wrappers import Request

    from ..cloud import FakeCloud

HERE = Path(__file__).parent
#: a control surface is not to be framed by another page (clickjacking); browsers that send
#: Sec-Fetch-Site are refused cross-site anyway, these cover the rest
FRAMING = {"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}
STATIC = {"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"}
#: what each provider's tenant page lists besides products and devices: (title, table)
TABLES = {
    "aws": (
        ("Certificates", "certificates"),
        ("CA certificates", "caCertificates"),
        ("Policies", "policies"),
        ("Shadows", "shadows"),
    ),
    "enos": (),
    "scriptr": (),
}


@cache
def environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.filters["iso"] = lambda t: datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")
    return env


def _page(template: str, cloud: FakeCloud, request: Request, status: int = 200, **values: Any) -> Reply:
    namespace = request.environ.get(ENVIRON_NAME)
    root = request.script_root
    if namespace is not None and not root.endswith(f"/_ns/{namespace}"):
        root += f"/_ns/{namespace}"  # named by header: a browser following the links sends none
    base = root + "/_iotfake"
    html = (
        environment()
        .get_template(template)
        .render(
            base=base,
            console=base + "/console",
            token=actions.token(cloud),
            clock=cloud.clock.time(),
            namespace=namespace or "default",
            **values,
        )
    )
    return Reply(html, status=status, headers=FRAMING, content_type="text/html; charset=utf-8")


def home(cloud: FakeCloud, request: Request) -> Reply:
    namespaces = cloud._namespaces.names() if getattr(cloud, "_namespaces", None) is not None else ["default"]
    return _page(
        "home.html",
        cloud,
        request,
        namespaces=namespaces,
        tenants=queries.tenants(cloud, request.args.get("tq", ""), _number(request.args.get("tpage"))),
        rules=[rule.to_dict() for rule in cloud.faults],
        scenarios=actions.scenarios(),
    )


def tenant(cloud: FakeCloud, request: Request) -> Reply:
    provider, tenant_id = request.args.get("provider", ""), request.args.get("tenant", "")
    found = queries.tenant(cloud, provider, tenant_id)
    if found is None:
        return _page("missing.html", cloud, request, 404, provider=provider, tenant_id=tenant_id)
    page = _number(request.args.get("page"))
    tables = [
        (title, queries.shadows(found) if table == "shadows" else queries.records(found, table))
        for title, table in TABLES.get(provider, ())
    ]
    return _page(
        "tenant.html",
        cloud,
        request,
        provider=provider,
        tenant_id=tenant_id,
        products=queries.products(found),
        devices=queries.devices(found, request.args.get("q", ""), page),
        tables=tables,
    )


def _number(text: str | None) -> int:
    """A page number from a query: anything that is not one is the first page."""
    try:
        return int(text or "1")
    except ValueError:
        return 1


def static(cloud: FakeCloud, request: Request, name: str) -> Reply:
    kind = STATIC.get(name)
    if kind is None:
        return json_response({"error": f"no console file {name!r}"}, status=404)
    return Reply((HERE / "static" / name).read_bytes(), content_type=kind)


def action(cloud: FakeCloud, request: Request) -> Reply:
    """One change; journalled (provider ``console``) so the tail shows who steered the fake."""
    body: Any = None
    try:
        try:
            body = jsonio.loads(request.get_data(cache=True) or b"null")
        except jsonio.JSONInputError as exc:
            raise actions.ActionError(str(exc)) from None
        actions.check_token(cloud, request.headers.get("X-Iotfake-Console"))
        reply = json_response(actions.run(cloud, body))
    except actions.ActionError as exc:
        reply = json_response({"error": str(exc)}, status=400)
    cloud.journal.record(
        Entry(
            seq=0,
            time=cloud.clock.time(),
            provider="console",
            operation=actions.operation_name(body),
            tenant=None,
            params={k: v for k, v in body.items() if k != "action"} if isinstance(body, dict) else {},
            method=request.method,
            path=request.path,
            status=reply.status_code,
        )
    )
    return reply
