"""A live, threaded HTTP server for a FakeCloud, for clients that need a real socket."""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, make_server

from .keepalive import KeepAliveHandler

if TYPE_CHECKING:
    from .cloud import FakeCloud


class AccessLogHandler(KeepAliveHandler):
    """One concise line per request on stderr (or nothing), instead of werkzeug's banner style."""

    access_log = False

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.access_log:
            started = getattr(self, "_iotfake_started", None)
            took = f" {1000 * (time.perf_counter() - started):.1f}ms" if started else ""
            sys.stderr.write(f"{self.command} {self.path} {code}{took}\n")

    def handle_one_request(self) -> None:
        self._iotfake_started = time.perf_counter()
        super().handle_one_request()

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error" or self.access_log:
            sys.stderr.write(f"iotfake {type}: {message % args}\n")


class QuietHandler(AccessLogHandler):
    access_log = False


class LoggingHandler(AccessLogHandler):
    access_log = True


class Server:
    """``with cloud.serve() as server: server.url`` - binds on enter, stops on exit.

    ``port=0`` picks a free port. The server thread is a daemon, so a forgotten server never keeps
    a test process alive.
    """

    def __init__(self, cloud: FakeCloud, host: str = "127.0.0.1", port: int = 0, *, access_log: bool = False):
        self.cloud = cloud
        self.host = host
        self.port = port
        self.access_log = access_log
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the server is not running")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self._server.server_port}"

    def start(self) -> Server:
        handler = LoggingHandler if self.access_log else QuietHandler
        self._server = make_server(
            self.host, self.port, self.cloud.wsgi_app, threaded=True, request_handler=handler
        )
        self._server.daemon_threads = True
        self._server.max_body = self.cloud.max_body  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="iotfake-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
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
