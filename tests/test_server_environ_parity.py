"""The keep-alive handler gives an app the same WSGI environ as werkzeug's own server does.

Both servers run an app that echoes its environ; the same bytes go to each. Two differences are
the handler's purpose and are left out: it reads the body before the app runs, so
``CONTENT_LENGTH`` is the length read and a chunked body is a plain one (no ``Transfer-Encoding``,
no ``wsgi.input_terminated``; tests/test_server_keepalive.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from _raw_http import Raw
from werkzeug.serving import BaseWSGIServer, make_server

from iotfake.keepalive import KeepAliveHandler

#: set by the handler from the body it read, not from the head
BODY_KEYS = {"CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING", "wsgi.input_terminated"}


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    seen = {k: v for k, v in environ.items() if isinstance(v, str | int) and k not in BODY_KEYS}
    body = json.dumps(seen, sort_keys=True).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def serving(handler: Any) -> Iterator[BaseWSGIServer]:
    server = make_server("127.0.0.1", 0, echo, threaded=True, request_handler=handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def ours() -> Iterator[BaseWSGIServer]:
    yield from serving(KeepAliveHandler)


@pytest.fixture(scope="module")
def werkzeugs() -> Iterator[BaseWSGIServer]:
    yield from serving(None)


def environ(server: BaseWSGIServer, request: bytes) -> dict[str, Any]:
    with Raw(f"http://127.0.0.1:{server.server_port}") as raw:
        seen = raw.send(request).answer().json()
    seen.pop("REMOTE_PORT")
    seen.pop("SERVER_PORT")
    return seen


HEADS = {
    "query": b"GET /a/b?x=1&y=%20z&x=2 HTTP/1.1\r\nHost: h\r\n\r\n",
    "percent-utf8": b"GET /caf%C3%A9/%2F/x?q=%C3%A9&r=%zz HTTP/1.1\r\nHost: h\r\n\r\n",
    "raw-utf8": b"GET /caf\xc3\xa9?q=\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n",
    "latin1-byte": b"GET /x\xe9y HTTP/1.1\r\nHost: h\r\n\r\n",
    "fragment": b"GET /p?q=1#frag HTTP/1.1\r\nHost: h\r\n\r\n",
    "fragment-first": b"GET /p#frag?x=1 HTTP/1.1\r\nHost: h\r\n\r\n",
    "double-slash": b"GET //double//slash?x HTTP/1.1\r\nHost: h\r\n\r\n",
    "absolute-form": b"GET http://other:81/p?q=1 HTTP/1.1\r\nHost: h\r\n\r\n",
    "star": b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
    "headers": (
        b"POST /p HTTP/1.1\r\nHost: h\r\ncOnTeNt-TyPe: text/plain; charset=utf-8\r\nContent-Length: 2\r\n"
        b"X-Many: 1\r\nx-many: 2\r\nX_Under: no\r\nX-Url: http://a:b/c\r\nX-Latin: caf\xe9\r\n"
        b"X-Empty:\r\nX-Dash-Dash--: d\r\nUser-Agent: Boto3/1.0 md/x#1\r\n\r\n{}"
    ),
    "folded": b"GET /f HTTP/1.1\r\nHost: h\r\nX-Fold: a\r\n b\r\nX-After: c\r\n\r\n",
    "http-1.0": b"GET /old HTTP/1.0\r\nX-Old: yes\r\n\r\n",
    "chunked": b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "lower-method": b"get /m HTTP/1.1\r\nHost: h\r\n\r\n",
}


@pytest.mark.parametrize("request_bytes", list(HEADS.values()), ids=list(HEADS))
def test_same_environ_as_werkzeug(
    ours: BaseWSGIServer, werkzeugs: BaseWSGIServer, request_bytes: bytes
) -> None:
    assert environ(ours, request_bytes) == environ(werkzeugs, request_bytes)
