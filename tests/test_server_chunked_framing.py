"""Chunked bodies as RFC 9112 frames them, and empty lines before a request line.

The outside battery got no answer at all for chunk extensions (valid), negative or non-hex chunk
sizes, and a request preceded by an empty line (RFC 9112 2.2: ignore it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _raw_http import Raw

from iotfake import FakeCloud

CLOCK = b"POST /_iotfake/clock HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"


@pytest.fixture
def url() -> Iterator[str]:
    with FakeCloud(seed=1).serve() as server:
        yield server.url


def chunked(*chunks: bytes) -> bytes:
    return CLOCK + b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(chunks)


def test_chunk_extensions_and_trailers_are_served(url: str) -> None:
    body = chunked(
        b'5;name=value\r\n{"adv\r\n', b'A ; x\r\nance": 60}\r\n', b"0;last\r\nX-Trailer: 1\r\n\r\n"
    )
    with Raw(url) as raw:
        answer = raw.send(body).answer()
        assert answer.status == 200, answer.body
        assert answer.json()["offset"] == 60
        again = raw.send(CLOCK.replace(b"POST", b"GET", 1) + b"\r\n").answer()  # the connection lives on
        assert again.status == 200


@pytest.mark.parametrize(
    "bad",
    [b"-5\r\nhello\r\n0\r\n\r\n", b"zz\r\nhello\r\n0\r\n\r\n", b"0x5\r\nhello\r\n0\r\n\r\n", b"\r\nhello\r\n",
     b"5\r\nhelloXX0\r\n\r\n", b"+5\r\nhello\r\n0\r\n\r\n"],
)  # fmt: skip
def test_broken_chunk_framing_gets_a_400_with_a_status_line_and_a_close(url: str, bad: bytes) -> None:
    with Raw(url) as raw:
        answer = raw.send(chunked(bad)).answer()
        assert answer.status == 400
        assert answer.version == "HTTP/1.1"
        assert answer.json()["code"] == 400 and "chunk" in answer.json()["message"]
        assert raw.closed_by_server()  # the framing is lost: nothing after it can be read


def test_empty_lines_before_a_request_line_are_ignored(url: str) -> None:
    with Raw(url) as raw:
        answer = raw.send(b"\r\n\r\nGET /_iotfake/health HTTP/1.1\r\nHost: localhost\r\n\r\n").answer()
        assert answer.status == 200
        assert answer.json()["status"] == "ok"
