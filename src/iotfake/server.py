"""A live, threaded HTTP server for a FakeCloud, for clients that need a real socket."""

from __future__ import annotations

import contextlib
import errno
import functools
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, ThreadedWSGIServer

from .keepalive import KeepAliveHandler
from .numbers import check_whole
from .providers.base import json_response

if TYPE_CHECKING:
    from collections.abc import Iterable
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from .cloud import FakeCloud
    from .mqtt.broker import Broker

#: how long a stopping server waits for the requests it is serving
DRAIN_TIMEOUT = 5.0


class AccessLogHandler(KeepAliveHandler):
    """One concise line per request on stderr (or nothing), instead of werkzeug's banner style."""

    access_log = False

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.access_log:
            started = getattr(self, "_iotfake_started", None)
            took = f" {1000 * (time.perf_counter() - started):.1f}ms" if started else ""
            sys.stderr.write(f"{self.command} {self.path} {code}{took}\n")

    def handle_one_request(self) -> None:
        if self.access_log:
            self._iotfake_started = time.perf_counter()
        super().handle_one_request()

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error" or self.access_log:
            sys.stderr.write(f"iotfake {type}: {message % args}\n")


class QuietHandler(AccessLogHandler):
    access_log = False


class LoggingHandler(AccessLogHandler):
    access_log = True


class Gate:
    """Counts requests in flight and, once closed, turns new ones away.

    What a stopping server needs so that its last state is final: nothing is acknowledged after
    ``close`` returns. Requests already inside finish (up to ``timeout``); later ones get a 503
    and change nothing.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._idle = threading.Condition()
        self._active = 0
        self._closed = False

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        with self._idle:
            if self._closed:
                refusal = json_response({"message": "iotfake is stopping"}, status=503)
                return refusal(environ, start_response)
            self._active += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self._idle:
                self._active -= 1
                if self._closed:  # only ``close`` waits, and only once closed
                    self._idle.notify_all()

    def close(self, timeout: float = DRAIN_TIMEOUT) -> bool:
        """Turn new requests away and wait for those inside; False if some outlived ``timeout``."""
        with self._idle:
            self._closed = True
            return self._idle.wait_for(lambda: self._active == 0, timeout)


#: connections served at once by default: each holds a thread while it lives
MAX_CONNECTIONS = 256
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
    b'Content-Length: 74\r\n\r\n{"message": "iotfake is serving its most connections; retry", "code": 503}'
)


class AddressInUse(OSError):
    """The host and port are taken (or not ours to bind): ``cloud.serve()`` raises this."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"cannot listen on {host}:{port}: the address is already in use")
        self.host, self.port = host, port


class _BindFailed(Exception):
    """Carries a bind error past werkzeug's handler, which prints it and calls ``sys.exit``."""


def _admin_refusal(cloud: FakeCloud) -> Any:
    """Why a request head may not reach ``cloud``'s admin API (``admin.head_refusal``)."""
    from .admin import head_refusal

    return functools.partial(head_refusal, cloud)


class CappedServer(ThreadedWSGIServer):
    """A thread per connection, but at most ``limit`` at once: one more is answered 503 and closed
    before any thread is made for it, so a thousand slow clients cannot pin a thousand threads
    (idle ones are closed after ``keepalive.IDLE_TIMEOUT`` seconds of silence)."""

    def __init__(self, host: str, port: int, app: Any, handler: Any, *, limit: int) -> None:
        super().__init__(host, port, app, handler)
        self.daemon_threads = True
        self._slots = threading.BoundedSemaphore(limit)

    def server_bind(self) -> None:
        try:
            super().server_bind()
        except OSError as exc:
            raise _BindFailed(exc) from exc

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


#: the most connections a server may serve at once (``iotfake serve --max-connections``'s bound too)
MAX_CONNECTIONS_LIMIT = 100_000


def _check_options(
    host: Any, port: Any, max_connections: Any, mqtt: Any, mqtt_port: Any, mqtt_tls_port: Any
) -> None:
    """Refuse what ``iotfake serve`` refuses, by name, before anything binds: the socket layer
    took port 70000 as 70000 % 65536 (another port, silently) and ``max_connections=0`` made a
    server that answered 503 to everything."""
    if not isinstance(host, str):  # "" is every interface, as the socket layer and the CLI take it
        raise TypeError(f"host takes an address or host name (a string), not {host!r}")
    check_whole("port", port, 0, 65535, note=" (0 picks a free one)")
    check_whole("max_connections", max_connections, 1, MAX_CONNECTIONS_LIMIT)
    if mqtt is not None and not isinstance(mqtt, bool):
        raise TypeError(f"mqtt takes True, False or None (a broker if the extra is installed), not {mqtt!r}")
    for name, value in (("mqtt_port", mqtt_port), ("mqtt_tls_port", mqtt_tls_port)):
        if value is not None:  # None leaves that listener out
            check_whole(name, value, 0, 65535, note=" (0 picks a free one), or None")


class Server:
    """``with cloud.serve() as server: server.url`` - binds on enter, stops on exit.

    ``port=0`` picks a free port. The server thread is a daemon, so a forgotten server never keeps
    a test process alive. ``cloud`` is read on every request, so assigning another cloud to a
    running server rebinds it: the pytest plugin serves each test's fresh cloud from one server
    per process instead of paying for a socket and a thread per test.
    """

    def __init__(
        self,
        cloud: FakeCloud,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_log: bool = False,
        max_connections: int = MAX_CONNECTIONS,
        mqtt: bool | None = None,
        mqtt_port: int | None = 0,
        mqtt_tls_port: int | None = 0,
    ):
        _check_options(host, port, max_connections, mqtt, mqtt_port, mqtt_tls_port)
        self._server: BaseWSGIServer | None = None
        #: the MQTT broker (``mqtt.broker``) when one runs: None asks for one if the ``mqtt``
        #: extra is installed; ``mqtt_port`` / ``mqtt_tls_port`` None leave that listener out
        self.want_mqtt = mqtt
        self.mqtt_ports = (mqtt_port, mqtt_tls_port)
        self.mqtt: Broker | None = None
        #: connections served at once; more are answered 503 at once and closed (see CappedServer)
        self.max_connections = max_connections
        self.cloud = cloud
        self.host = host
        self.port = port
        self.access_log = access_log
        self._thread: threading.Thread | None = None
        self._gate: Gate | None = None

    @property
    def cloud(self) -> FakeCloud:
        return self._cloud

    @cloud.setter
    def cloud(self, cloud: FakeCloud) -> None:
        previous = getattr(self, "_cloud", None)
        self._cloud = cloud
        if previous is not None and previous is not cloud:
            previous.served_url = None
        broker = getattr(self, "mqtt", None)
        if broker is not None and previous is not cloud:
            broker.rebind(cloud)
        if self._server is not None:
            cloud.served_url = self.url
            self._server.max_body = cloud.max_body  # type: ignore[attr-defined]
            self._server.max_admin_body = cloud.max_admin_body  # type: ignore[attr-defined]
            self._server.admin_refusal = _admin_refusal(cloud)  # type: ignore[attr-defined]

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the server is not running")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self._server.server_port}"

    def start(self) -> Server:
        handler = LoggingHandler if self.access_log else QuietHandler
        self._gate = Gate(self._app)
        try:
            self._server = CappedServer(self.host, self.port, self._gate, handler, limit=self.max_connections)
        except _BindFailed as failed:  # werkzeug would print and exit: a library raises instead
            error = failed.args[0]
            if error.errno == errno.EADDRINUSE:
                raise AddressInUse(self.host, self.port) from error
            raise OSError(
                error.errno, f"cannot listen on {self.host}:{self.port}: {error.strerror}"
            ) from error
        self._server.daemon_threads = True
        self.cloud = self._cloud  # the body limit follows the cloud
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="iotfake-server",
            daemon=True,
        )
        self._thread.start()
        try:
            self._start_mqtt()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_mqtt(self) -> None:
        if self.want_mqtt is False or self.mqtt_ports == (None, None):
            return
        try:
            from .mqtt.broker import Broker
        except ImportError as exc:  # the optional extra is missing
            if self.want_mqtt:
                raise ModuleNotFoundError(
                    f"the MQTT broker needs amqtt: pip install 'iotfake[mqtt]' ({exc})", name="amqtt"
                ) from exc
            return
        plain, tls = self.mqtt_ports
        try:
            self.mqtt = Broker(self._cloud, host=self.host, port=plain, tls_port=tls).start()
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise AddressInUse(self.host, getattr(error, "port", plain or tls or 0)) from error
            raise

    def _app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # the namespace router: the default namespace is this cloud (see ``namespaces``)
        return self._cloud.namespaces(environ, start_response)

    def stop(self) -> None:
        """Stop accepting, let the requests inside finish, refuse the rest; then close."""
        self._cloud.served_url = None
        if self.mqtt is not None:
            self.mqtt.stop()
            self.mqtt = None
        if self._server is not None:
            assert self._gate is not None
            self._gate.close()
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
