"""How ``iotfake serve`` reads a request off the socket, against clients no HTTP library would be:
one that drips its head (slowloris), framings that smuggle a second request, a remote client
the admin API refuses sending a huge body. Each gets a clean answer or a closed connection, and
no client can hold the server or its memory for as long as it likes."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterator

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud, admin, keepalive

HEALTH = b"GET /_iotfake/health HTTP/1.1\r\nHost: localhost\r\n\r\n"


@pytest.fixture
def port() -> Iterator[int]:
    with FakeCloud(seed=61).serve(mqtt=False) as server:
        yield int(server.url.rsplit(":", 1)[1])


def talk(port: int, data: bytes, wait: float = 2.0) -> tuple[bytes, bool]:
    """What the server answers ``data`` within ``wait`` seconds, and whether it then closed."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(data)
        sock.settimeout(wait)
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except TimeoutError:
            return out, False
    return out, True


def drip(port: int, first: bytes, piece: Callable[[int], bytes]) -> tuple[bytes, bool]:
    """Send ``first``, then ``piece(n)`` every 0.2 s (up to 8 s) until the server answers or
    closes; what it answered, and whether the connection was reset (the answer may be lost)."""
    answer, reset = b"", False
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(first)
        sock.settimeout(0.2)
        for number in range(40):
            try:
                sock.sendall(piece(number))
                answer += sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                reset = True
                break
            if answer:
                break
        sock.settimeout(2)
        with contextlib.suppress(OSError):
            while chunk := sock.recv(4096):
                answer += chunk
    return answer, reset


def test_a_head_dripped_a_line_at_a_time_is_cut_off_at_the_read_deadline(port, monkeypatch) -> None:
    """Each line comes well inside the idle timeout, so only the request's own deadline ends it:
    a 408, and the connection closed."""
    monkeypatch.setattr(keepalive, "READ_TIMEOUT", 1.0)
    started = time.monotonic()
    answer, reset = drip(port, b"GET /_iotfake/health HTTP/1.1\r\n", lambda n: f"X-Drip-{n}: 1\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 408") or reset, "the server kept reading a head that never ended"
    assert time.monotonic() - started < 8
    answer, _ = talk(port, HEALTH)  # and it goes on serving
    assert answer.startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize(
    ("codings", "status"),
    [(b"gzip", b"400"), (b"chunked, gzip", b"400"), (b"gzip, chunked", b"501"), (b"", b"400")],
)
def test_a_body_framed_by_an_unknown_coding_is_refused_and_what_follows_is_not_served(
    port, codings: bytes, status: bytes
) -> None:
    request = (
        b"POST /_iotfake/reset HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: " + codings + b"\r\n\r\n"
    )
    answer, closed = talk(port, request + HEALTH)
    assert answer.startswith(b"HTTP/1.1 " + status) and closed
    assert answer.count(b"HTTP/1.1 ") == 1  # the bytes after the head were never read as a request


def test_both_framings_are_read_as_chunked_and_the_connection_closes(port) -> None:
    """RFC 9112 6.1: Transfer-Encoding wins over Content-Length, and the connection is closed."""
    request = (
        b"POST /_iotfake/reset HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    )
    answer, closed = talk(port, request + HEALTH)
    assert answer.startswith(b"HTTP/1.1 200") and b"Connection: close" in answer and closed
    assert answer.count(b"HTTP/1.1 ") == 1


def test_a_remote_admin_request_without_the_token_is_refused_before_its_body(monkeypatch) -> None:
    """Refused from the head: the 100 MB the head announces are never waited for, nor read."""
    monkeypatch.setattr(admin, "_loopback", lambda address: False)  # every client is remote
    with FakeCloud(seed=62, admin_token="s3cret").serve(mqtt=False) as server:
        port = int(server.url.rsplit(":", 1)[1])
        for path in (b"/_iotfake/state", b"/_ns/a1/_iotfake/state"):
            head = b"PUT " + path + b" HTTP/1.1\r\nHost: localhost\r\nContent-Length: 104857600\r\n\r\n"
            answer, closed = talk(port, head)
            assert answer.startswith(b"HTTP/1.1 403") and closed
            assert b"--admin-token" in answer
        token = b"Authorization: Bearer s3cret\r\n"
        answer, _ = talk(port, HEALTH.replace(b"\r\n\r\n", b"\r\n" + token + b"\r\n"))
        assert answer.startswith(b"HTTP/1.1 200")


def test_a_provider_path_holding_iotfake_has_the_provider_body_limit(port) -> None:
    """Only the admin API's own paths take its larger body limit; refused from the head alone."""
    head = b"POST /things/_iotfake/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 104857600\r\n\r\n"
    answer, closed = talk(port, head)
    assert answer.startswith(b"HTTP/1.1 413") and closed


def test_only_the_health_route_answers_any_host() -> None:
    cloud = FakeCloud(seed=63)
    client = Client(cloud.wsgi_app)
    # a loopback client over a socket: an in-process one, which no browser can be, names any Host
    evil = {"headers": {"Host": "evil.example"}, "environ_base": {"REMOTE_ADDR": "127.0.0.1"}}
    cloud.faults.add({"id": "health", "provider": "aws", "action": {"error": "ThrottlingException"}})
    assert client.get("/_iotfake/health", **evil).status_code == 200
    refused = client.get("/_iotfake/faults/health", **evil)
    assert refused.status_code == 403 and "loopback names only" in refused.json["error"]
    assert client.delete("/_iotfake/faults/health", **evil).status_code == 403
    assert [rule["id"] for rule in client.get("/_iotfake/faults").json["rules"]] == ["health"]


def test_a_refused_admin_call_makes_no_namespace(monkeypatch) -> None:
    monkeypatch.setattr(admin, "_loopback", lambda address: False)  # every client is remote
    from iotfake.namespaces import CloudSet

    namespaces = CloudSet(FakeCloud(seed=64, admin_token="s3cret"))
    client = Client(namespaces)
    environ = {"REMOTE_ADDR": "192.0.2.2"}
    assert client.get("/_ns/zz1/_iotfake/state", environ_overrides=environ).status_code == 403
    assert namespaces.names() == ["default"]
    bearer = {"Authorization": "Bearer s3cret"}
    assert (
        client.get("/_ns/zz1/_iotfake/health", headers=bearer, environ_overrides=environ).status_code == 200
    )
    assert namespaces.names() == ["default", "zz1"]


def test_a_slow_upload_that_keeps_coming_is_read_to_the_end(port, monkeypatch) -> None:
    """The body's deadline moves on a second for every MIN_BODY_RATE bytes that arrive: a
    legitimate slow upload outlasting READ_TIMEOUT is answered (it was cut off, unanswered)."""
    monkeypatch.setattr(keepalive, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(keepalive, "MIN_BODY_RATE", 1000)
    body = b'{"enos": {}}' + b" " * 6000  # valid JSON, padded
    head = b"POST /_iotfake/seed HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head + f"Content-Length: {len(body)}\r\n\r\n".encode())
        for start in range(0, len(body), 1000):  # 1,000 bytes every 0.2 s: 1.2 s in all
            time.sleep(0.2)
            sock.sendall(body[start : start + 1000])
        sock.settimeout(5)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")


def test_a_body_dripped_below_the_rate_gets_408_and_a_closed_connection(port, monkeypatch) -> None:
    monkeypatch.setattr(keepalive, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(keepalive, "MIN_BODY_RATE", 1000)
    head = b"POST /_iotfake/seed HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n{"
    answer, reset = drip(port, head, lambda n: b" ")  # 5 bytes a second
    assert (answer.startswith(b"HTTP/1.1 408") and b"Connection: close" in answer) or reset
