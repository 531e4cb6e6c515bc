"""Raw HTTP framing and the admin API, fuzzed over real sockets: every request gets an answer with
a status line, never a 5xx, never a silent close.

Requests are built from parts a client might botch: the request line (methods, targets, versions,
empty lines before it), header fields (Content-Length right, wrong, doubled; Transfer-Encoding
chunked with extensions, trailers, bad sizes), the admin routes and their bodies (JSON or not,
declared or not). The quick variant runs in the default suite; the long one (10,000 requests) in
the slow battery.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from hostile import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from iotfake import FakeCloud

TARGETS = st.sampled_from(
    [
        "/_iotfake/health", "/_iotfake/faults", "/_iotfake/clock", "/_iotfake/journal", "/_iotfake/seed",
        "/_iotfake/state", "/_iotfake/namespaces", "/_ns/a/_iotfake/faults", "/_ns/b/things/t1",
        "/things/t1", "/things", "/scriptr/device/get",
        "/connect-service/v2.1/devices?action=get&orgId=o1&deviceKey=abcd", "/nowhere", "*",
        "http://localhost/_iotfake/health", "/_iotfake/faults/x%00y",
    ]
)  # fmt: skip
METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW", "get"])
VERSIONS = st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "HTTP/x"])
JSONISH = st.sampled_from(
    [b"", b"{}", b"[]", b"null", b"{", b'{"advance": 5}', b'{"advance": -1}', b'{"provider": "aws"}',
     b'{"provider": "aws", "operation": "CreateThing", "action": {"error": "Internal"}}',
     b'{"enos": {"orgs": [{"orgId": "o1"}]}}', b"\xff\xfe", b'{"format": "iotfake-state", "version": 2}']
)  # fmt: skip
BODIES = st.one_of(JSONISH, st.binary(max_size=64))
TYPES = st.sampled_from([None, "application/json", "text/plain", "application/x-www-form-urlencoded"])


@st.composite
def chunked(draw: st.DrawFn, body: bytes) -> bytes:
    """``body`` in chunks, with whatever a sloppy client might put in the size lines."""
    out, rest = b"", body
    while rest:
        size = draw(st.integers(1, max(1, len(rest))))
        piece, rest = rest[:size], rest[size:]
        line = draw(st.sampled_from([f"{size:x}", f"{size:X}", f"{size:x};ext=1", f"-{size}", "zz", ""]))
        out += line.encode() + b"\r\n" + piece + draw(st.sampled_from([b"\r\n", b"\r\n", b"", b"XX"]))
    return out + draw(st.sampled_from([b"0\r\n\r\n", b"0;last\r\nTrailer: 1\r\n\r\n", b"0\r\n", b""]))


@st.composite
def requests_(draw: st.DrawFn) -> bytes:
    body = draw(BODIES)
    head = draw(st.sampled_from([b"", b"\r\n", b"\r\n\r\n"]))
    head += f"{draw(METHODS)} {draw(TARGETS)} {draw(VERSIONS)}\r\nHost: localhost\r\n".encode()
    kind = draw(TYPES)
    if kind:
        head += f"Content-Type: {kind}\r\n".encode()
    framing = draw(st.sampled_from(["length", "length", "chunked", "none", "wrong", "double", "garbage"]))
    if framing == "chunked":
        return head + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + draw(chunked(body))
    if framing == "length":
        head += f"Content-Length: {len(body)}\r\n".encode()
    elif framing == "wrong":
        head += f"Content-Length: {len(body) + draw(st.integers(-3, 3))}\r\n".encode()
    elif framing == "double":
        head += f"Content-Length: {len(body)}\r\nContent-Length: {len(body) + 1}\r\n".encode()
    elif framing == "garbage":
        head += draw(
            st.sampled_from([b"Content-Length: -1\r\n", b"Content-Length: 1e3\r\n", b"Bad Header\r\n"])
        )
    return head + b"Connection: close\r\n\r\n" + body


@pytest.fixture(scope="module")
def address() -> Iterator[tuple[str, int]]:
    cloud = FakeCloud(seed=41)
    with cloud.serve() as server:
        host, port = server.url.removeprefix("http://").rsplit(":", 1)
        yield host, int(port)


def exchange(address: tuple[str, int], data: bytes) -> bytes:
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)  # whatever the framing claimed, nothing more is coming
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


@pytest.mark.parametrize(
    "examples", [pytest.param(150, id="quick"), pytest.param(10_000, id="long", marks=pytest.mark.slow)]
)
def test_raw_framing_and_admin_requests_always_get_a_clean_answer(address, examples: int) -> None:
    @fuzz_settings(examples)
    @given(data=requests_())
    def hostile(data: bytes) -> None:
        answer = exchange(address, data)
        assert answer.startswith(b"HTTP/1."), (data, answer[:200])  # a status line, not a silent close
        status = int(answer.split(b" ", 2)[1])
        # 505 is HTTP's own answer to a version the server does not speak (HTTP/2.0 in plain text)
        unsupported = status == 505 and not any(v in data for v in (b" HTTP/1.1\r", b" HTTP/1.0\r"))
        assert status < 500 or unsupported, (data, answer[:300])

    hostile()
