"""``Expect: 100-continue``: one interim answer before the body, none when the body will be refused.

A client that asks waits for ``100 Continue`` before uploading; it must get exactly one, and a body
over the limit is refused (413) before it is sent at all. HTTP/1.0 clients cannot ask (RFC 9110
10.1.1: the expectation is ignored).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from _raw_http import Raw

from iotfake import FakeCloud
from iotfake.server import Server

HEAD = (
    "POST /things/{name} {version}\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {length}\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDRAW/20250101/us-east-1/iot/aws4_request, "
    "SignedHeaders=host, Signature=00\r\n\r\n"
)
BODY = json.dumps({"attributePayload": {"attributes": {"k": "v"}}}).encode()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with FakeCloud(seed=72, max_body=4096).serve() as live:
        yield live


def head(name: str, length: int, version: str = "HTTP/1.1") -> bytes:
    return HEAD.format(name=name, version=version, length=length).encode()


def test_one_100_continue_then_the_answer(server: Server) -> None:
    with Raw(server.url) as raw:
        version, status, _ = raw.send(head("expecting", len(BODY))).head()
        assert (version, status) == ("HTTP/1.1", 100)
        answer = raw.send(BODY).answer()
        assert answer.status == 200 and answer.json()["thingName"] == "expecting"
        # nothing else was sent: the next answer on the connection is the next request's
        health = raw.send(b"GET /_iotfake/health HTTP/1.1\r\nHost: x\r\n\r\n").answer()
        assert health.json()["status"] == "ok"


def test_a_body_over_the_limit_is_refused_before_it_is_sent(server: Server) -> None:
    with Raw(server.url) as raw:
        answer = raw.send(head("too-big", 5000)).answer()
        assert (answer.status, answer.json()["code"], answer.headers["connection"]) == (413, 413, "close")


def test_http_1_0_gets_no_interim_answer(server: Server) -> None:
    with Raw(server.url) as raw:
        answer = raw.send(head("old-client", len(BODY), "HTTP/1.0") + BODY).answer()
        assert answer.status == 200 and answer.version == "HTTP/1.1"
        assert answer.json()["thingName"] == "old-client"
