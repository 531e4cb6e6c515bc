"""Namespaces: one server, many isolated clouds (a router above ``FakeCloud`` in the app layer).

Teams whose tests run in several processes, containers or languages share one ``iotfake serve``;
each test run names a namespace and gets a whole cloud of its own - registry, fault rules,
journal, clock, seed - made on first use. A request names it with the header
``X-Iotfake-Namespace: NAME`` or the path prefix ``/_ns/NAME/...`` (for clients that can only set
a base URL: ``boto3.client("iot", endpoint_url=URL + "/_ns/NAME")``). The prefix moves into
``SCRIPT_NAME``, so providers route on the path they know and SigV4 checks still sign the full
path. No name: the default namespace, exactly as before namespaces existed.

Admin: ``GET /_iotfake/namespaces`` lists them, ``DELETE /_iotfake/namespaces/NAME`` drops one,
and every admin route works inside a namespace (``/_ns/NAME/_iotfake/reset``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .providers.base import json_response
from .request import Request

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from .cloud import FakeCloud
    from .reply import Reply

HEADER = "HTTP_X_IOTFAKE_NAMESPACE"
#: the environ key naming the namespace a request was routed to (absent: the default one), for
#: pages that must link back into it however it was named (header or path prefix)
ENVIRON_NAME = "iotfake.namespace"
PREFIX = "/_ns/"
DEFAULT = "default"
#: a namespace name: short, and safe in a URL path segment and a file name
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
ADMIN = "/_iotfake/namespaces"


class NamespaceError(ValueError):
    pass


class CloudSet:
    """The default cloud and the named ones, made on first use with the default's settings.

    ``limit`` bounds how many named namespaces exist at once (each costs a cloud's memory; a
    client stuck in a loop of fresh names must not exhaust the server).
    """

    def __init__(
        self,
        default: FakeCloud | None = None,
        *,
        factory: Callable[[str], FakeCloud] | None = None,
        limit: int = 10_000,
    ) -> None:
        from .cloud import FakeCloud

        self.default = default if default is not None else FakeCloud()
        self._factory = factory or self._like_default
        self.limit = limit
        self._clouds: dict[str, FakeCloud] = {}
        self._lock = threading.Lock()
        self.default.namespaces = self

    def _like_default(self, name: str) -> FakeCloud:
        from .cloud import FakeCloud

        settings = self.default._settings()
        default = self.default
        cloud = FakeCloud(**settings, admin_token=default.admin_token, admin_hosts=default.admin_hosts)
        cloud.share_authority(self.default)  # one server, one identity for every namespace
        return cloud

    # -- the set ------------------------------------------------------------------------------------
    def get(self, name: str | None, *, create: bool = True) -> FakeCloud | None:
        """The cloud of namespace ``name`` (None or ``"default"``: the default one)."""
        if name is None or name == DEFAULT:
            return self.default
        cloud = self._clouds.get(name)
        if cloud is not None or not create:
            return cloud
        check_name(name)
        with self._lock:
            cloud = self._clouds.get(name)
            if cloud is None:
                if len(self._clouds) >= self.limit:
                    raise NamespaceError(
                        f"this server already holds {self.limit} namespaces; delete some "
                        f"(DELETE {ADMIN}/NAME) or start it with a higher limit"
                    )
                cloud = self._clouds[name] = self._factory(name)
                cloud.namespaces = self
            return cloud

    def names(self) -> list[str]:
        return [DEFAULT, *sorted(self._clouds)]

    def items(self) -> Iterable[tuple[str, FakeCloud]]:
        yield DEFAULT, self.default
        yield from sorted(self._clouds.items())

    def delete(self, name: str) -> bool:
        """Drop a namespace and everything in it; the default one is reset instead."""
        if name == DEFAULT:
            self.default.reset()
            return True
        with self._lock:
            return self._clouds.pop(name, None) is not None

    def __len__(self) -> int:
        return 1 + len(self._clouds)

    # -- WSGI ---------------------------------------------------------------------------------------
    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        try:
            name = route(environ)
            path = environ.get("PATH_INFO", "")
            if name is None and (path == ADMIN or path.startswith(ADMIN + "/")):
                return self._admin(environ, start_response)
            if name is not None and name != DEFAULT and name not in self._clouds:
                refused = _creation_refusal(self.default, environ, path)
                if refused is not None:  # refused calls make no namespace
                    return refused(environ, start_response)
            cloud = self.get(name)
            if name is not None:
                environ[ENVIRON_NAME] = name
        except NamespaceError as exc:
            return json_response({"message": str(exc), "code": 400}, status=400)(environ, start_response)
        assert cloud is not None
        return cloud.wsgi_app(environ, start_response)

    def _admin(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        """``GET /_iotfake/namespaces`` and ``DELETE /_iotfake/namespaces/NAME``, under the admin
        API's access rule."""
        from . import admin

        request = Request(environ, populate_request=False)
        refusal = admin.refusal(self.default, request)
        if refusal is not None:
            return json_response({"error": refusal}, status=403)(environ, start_response)
        path, method = environ.get("PATH_INFO", ""), request.method
        if path.rstrip("/") == ADMIN:
            if method != "GET":
                return _not_allowed(method, "GET")(environ, start_response)
            body = {"namespaces": [summary(name, cloud) for name, cloud in self.items()]}
            return json_response(body)(environ, start_response)
        name = path[len(ADMIN) + 1 :]
        if method != "DELETE":
            return _not_allowed(method, "DELETE")(environ, start_response)
        if not self.delete(name):
            return json_response({"error": f"no namespace {name!r}"}, status=404)(environ, start_response)
        self.default.mark_dirty()
        hook = self.default.on_admin_write  # saved before it is acknowledged, as other admin writes
        problem = hook() if hook is not None else None
        if problem is not None:
            body = {"message": f"iotfake could not save this change: {problem}", "code": 503}
            return json_response(body, status=503)(environ, start_response)
        return json_response({"deleted": name})(environ, start_response)


def _creation_refusal(default: FakeCloud, environ: WSGIEnvironment, path: str) -> Reply | None:
    """The answer to a call naming a namespace not yet made that must not make it, from its
    head alone (its body is the namespace's to read): a 404 or 405 where no route serves it,
    a 403 where the admin API's rules for remote clients and for web pages refuse it. Such a
    call must make no namespace (nor, with ``--state``, a file of one)."""
    from werkzeug.datastructures import EnvironHeaders

    from . import admin
    from .app import unrouted

    unserved = unrouted(environ.get("REQUEST_METHOD", "GET"), path)
    if unserved is not None or not path.startswith("/_iotfake/"):
        return unserved
    refused = admin.head_refusal(default, environ)
    if refused is None:
        route = "health" if path.rstrip("/") == "/_iotfake/health" else ""
        in_process = environ.get("REMOTE_ADDR") is None
        refused = admin.browser_head_refusal(default, EnvironHeaders(environ), route, in_process=in_process)
    return None if refused is None else json_response({"error": refused}, status=403)


def route(environ: dict[str, Any]) -> str | None:
    """The namespace a request names (None: the default), with a ``/_ns/NAME`` prefix moved from
    ``PATH_INFO`` into ``SCRIPT_NAME``. Header and prefix naming two namespaces is an error."""
    header = environ.get(HEADER) or None
    path = environ.get("PATH_INFO", "")
    prefixed = None
    if path.startswith(PREFIX):
        rest = path[len(PREFIX) :]
        prefixed, slash, tail = rest.partition("/")
        check_name(prefixed)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + PREFIX + prefixed
        environ["PATH_INFO"] = slash + tail if slash else "/"
    if header is not None:
        check_name(header)
        if prefixed is not None and prefixed != header:
            raise NamespaceError(
                f"the request names two namespaces: {header!r} (X-Iotfake-Namespace) and {prefixed!r} "
                "(the /_ns/ path prefix)"
            )
    return prefixed or header


def check_name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise NamespaceError(
            f"{name!r} is not a namespace name: 1-64 letters, digits, '_', '.' or '-', starting "
            "with a letter or digit"
        )


def summary(name: str, cloud: FakeCloud) -> dict[str, Any]:
    registry = cloud.registry
    return {
        "name": name,
        "tenants": len(registry.tenants()),
        "devices": sum(len(t.devices) for t in registry.tenants()),
        "faults": len(cloud.faults),
        "journal": len(cloud.journal),
    }


def _not_allowed(method: str, allowed: str) -> Any:
    reply = json_response({"message": f"{method} is not allowed here", "code": 405}, status=405)
    reply.headers["Allow"] = allowed
    return reply
