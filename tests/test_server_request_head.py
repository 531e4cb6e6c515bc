"""The live server reads request lines and headers as HTTP/1.1 says, over raw sockets.

What clients send that libraries tidy up: pipelined requests, odd header case and spacing, folded
and repeated header lines, HTTP/1.0 and 0.9, absolute-form targets, malformed heads. Refusals are
JSON (``{"message", "code"}``) like every other answer, and a refused head closes the connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from _raw_http import Raw

from iotfake import FakeCloud
from iotfake.server import Server

AUTH = (
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDRAW/20250101/us-east-1/iot/aws4_request, "
    "SignedHeaders=host, Signature=00\r\n"
)
HEALTH = b"GET /_iotfake/health HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.fixture(scope="module")
def cloud() -> FakeCloud:
    return FakeCloud(seed=71)


@pytest.fixture(scope="module")
def server(cloud: FakeCloud) -> Iterator[Server]:
    with cloud.serve() as live:
        yield live


def describe(name: str, extra: str = AUTH) -> bytes:
    return f"GET /things/{name} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode()


def create(name: str, body: bytes, headers: str) -> bytes:
    return f"POST /things/{name} HTTP/1.1\r\nHost: x\r\n{AUTH}{headers}\r\n".encode() + body


def test_pipelined_requests_are_answered_in_order(server: Server) -> None:
    body = json.dumps({"attributePayload": {"attributes": {"a": "1"}}}).encode()
    with Raw(server.url) as raw:
        raw.send(create("pipe-1", body, f"Content-Length: {len(body)}\r\n") + describe("pipe-1") + HEALTH)
        assert raw.answer().json()["thingName"] == "pipe-1"
        assert raw.answer().json()["attributes"] == {"a": "1"}
        assert raw.answer().json()["status"] == "ok"


def test_header_names_in_any_case_and_values_trimmed(server: Server) -> None:
    body = json.dumps({"attributePayload": {"attributes": {"case": "x"}}}).encode()
    with Raw(server.url) as raw:
        raw.send(create("case-1", body, f"CONTENT-length: \t {len(body)} \t\r\n"))
        assert raw.answer().status == 200
        assert raw.send(describe("case-1")).answer().json()["attributes"] == {"case": "x"}


def test_a_folded_header_line_continues_the_value(server: Server, cloud: FakeCloud) -> None:
    folded = (
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDRAW/20250101/eu-west-1/iot/aws4_request,\r\n"
        " SignedHeaders=host, Signature=00\r\n"
    )
    with Raw(server.url) as raw:
        assert raw.send(describe("folded", folded)).answer().status == 404
    assert cloud.journal.last(operation="DescribeThing").tenant.endswith("/eu-west-1")


def test_repeated_headers_are_joined_and_underscored_names_ignored(server: Server, cloud: FakeCloud) -> None:
    with Raw(server.url) as raw:
        headers = AUTH + "x-amzn-principal: one\r\nX-Amzn-Principal: two\r\n"
        raw.send(describe("repeated", headers)).answer()
        assert cloud.journal.last(operation="DescribeThing").params["principal"] == "one,two"
        raw.send(describe("underscored", AUTH + "x_amzn_principal: spoofed\r\n")).answer()
        assert "principal" not in cloud.journal.last(operation="DescribeThing").params


@pytest.mark.parametrize(
    "line",
    [b"No colon here\r\n", b"Space-Before-Colon : x\r\n", b": no name\r\n", b"Bad\x01Name: x\r\n"],
    ids=["no-colon", "space-before-colon", "empty-name", "control-in-name"],
)
def test_a_malformed_header_line_gets_400_and_closes(server: Server, line: bytes) -> None:
    with Raw(server.url) as raw:
        answer = raw.send(b"GET /_iotfake/health HTTP/1.1\r\nHost: x\r\n" + line + b"\r\n").answer()
        assert (answer.status, answer.json()["code"], answer.headers["connection"]) == (400, 400, "close")
        assert raw.closed_by_server()


def test_ninety_nine_header_lines_are_accepted_one_more_is_too_many(server: Server) -> None:
    def head(count: int) -> bytes:
        fields = b"".join(b"X-%d: 1\r\n" % n for n in range(count))
        return b"GET /_iotfake/health HTTP/1.1\r\n" + fields + b"\r\n"

    with Raw(server.url) as raw:
        assert raw.send(head(99)).answer().status == 200
        answer = raw.send(head(100)).answer()
        assert (answer.status, answer.json()["code"]) == (431, 431)


def test_invalid_content_length_gets_400_and_closes(server: Server) -> None:
    for value in ("ten", "-1", "1 2", "\u00b2"):
        with Raw(server.url) as raw:
            request = f"POST /things/bad HTTP/1.1\r\nHost: x\r\n{AUTH}Content-Length: {value}\r\n\r\n{{}}"
            answer = raw.send(request.encode("utf-8")).answer()
            assert (answer.status, answer.json()["code"]) == (400, 400), value
            assert raw.closed_by_server()


def test_conflicting_content_lengths_get_400(server: Server) -> None:
    with Raw(server.url) as raw:
        request = create("twice", b"{}", "Content-Length: 2\r\nContent-Length: 12\r\n")
        answer = raw.send(request).answer()
        assert (answer.status, answer.json()["code"]) == (400, 400)
        assert raw.closed_by_server()


def test_http_1_0_closes_unless_asked_to_keep_alive(server: Server) -> None:
    with Raw(server.url) as raw:
        answer = raw.send(b"GET /_iotfake/health HTTP/1.0\r\n\r\n").answer()
        assert answer.status == 200 and answer.headers["connection"] == "close"
        assert raw.closed_by_server()
    with Raw(server.url) as raw:
        answer = raw.send(b"GET /_iotfake/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").answer()
        assert answer.status == 200 and "connection" not in answer.headers
        assert raw.send(HEALTH).answer().status == 200


def test_connection_close_is_honoured_and_announced(server: Server) -> None:
    with Raw(server.url) as raw:
        answer = raw.send(b"GET /_iotfake/health HTTP/1.1\r\nConnection: close\r\n\r\n").answer()
        assert answer.status == 200 and answer.headers["connection"] == "close"
        assert raw.closed_by_server()


@pytest.mark.parametrize(
    ("line", "status"),
    [
        (b"GARBAGE\r\n", 400),
        (b"GET / HTTP/1.x\r\n", 400),
        (b"GET / FTP/1.1\r\n", 400),
        (b"GET / HTTP/2.0\r\n", 505),
        (b"GET / HTTP/1.1 extra\r\n", 400),
    ],
    ids=["one-word", "bad-version", "not-http", "http-2", "four-words"],
)
def test_malformed_request_lines_get_json_refusals(server: Server, line: bytes, status: int) -> None:
    with Raw(server.url) as raw:
        answer = raw.send(line + b"Host: x\r\n\r\n").answer()
        assert (answer.status, answer.json()["code"]) == (status, status)
        assert raw.closed_by_server()


@pytest.mark.parametrize("fields", [b"", b"Connection: keep-alive\r\n"], ids=["plain", "asking-keep-alive"])
def test_an_http_0_9_request_gets_a_bare_body_and_a_close(server: Server, fields: bytes) -> None:
    with Raw(server.url) as raw:
        assert json.loads(raw.send(b"GET /_iotfake/health\r\n" + fields + b"\r\n").rest())["status"] == "ok"


@pytest.mark.parametrize(
    "target", [b"//_iotfake/health", b"http://elsewhere/_iotfake/health", b"/_iotfake/health#fragment"]
)
def test_request_targets_in_other_forms(server: Server, target: bytes) -> None:
    with Raw(server.url) as raw:
        assert raw.send(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n").answer().status == 200


def test_percent_encoded_utf8_in_the_path_is_decoded(server: Server, cloud: FakeCloud) -> None:
    with Raw(server.url) as raw:
        raw.send(describe("caf%C3%A9")).answer()
    assert cloud.journal.last(operation="DescribeThing").params["thingName"] == "café"


def test_head_answers_without_a_body_and_keeps_the_connection(server: Server) -> None:
    with Raw(server.url) as raw:
        answer = raw.send(b"HEAD /_iotfake/health HTTP/1.1\r\nHost: x\r\n\r\n").answer(head_only=True)
        assert answer.status == 200 and int(answer.headers["content-length"]) > 0
        assert raw.send(HEALTH).answer().json()["status"] == "ok"


def test_a_client_gone_mid_head_leaves_the_server_serving(server: Server) -> None:
    with Raw(server.url) as raw:
        raw.send(b"POST /things/half HTTP/1.1\r\nHost: x\r\nContent-Le")
    with Raw(server.url) as raw:
        assert raw.send(HEALTH).answer().status == 200


@pytest.mark.parametrize("digits", [20, 5000], ids=["past-int64", "past-int-digit-limit"])
def test_an_enormous_content_length_gets_413_and_closes(server: Server, digits: int) -> None:
    with Raw(server.url) as raw:
        answer = raw.send(create("enormous", b"{}", f"Content-Length: {'9' * digits}\r\n")).answer()
        assert (answer.status, answer.json()["code"], answer.headers["connection"]) == (413, 413, "close")
        assert raw.closed_by_server()


def test_a_body_cut_short_by_the_client_is_not_served(server: Server, cloud: FakeCloud) -> None:
    """A client that announced more body than it sent and then closed its side (a killed upload)
    gets a 400 and its request changes nothing: the bytes that came were served as the whole
    body, and a padded JSON document created the thing."""
    import socket

    body = b"{}"
    with Raw(server.url) as raw:
        raw.send(create("cut-short", body, f"Content-Length: {len(body) + 40}\r\n"))
        raw.sock.shutdown(socket.SHUT_WR)
        answer = raw.answer()
        assert (answer.status, answer.headers["connection"]) == (400, "close")
    with Raw(server.url) as raw:
        assert raw.send(describe("cut-short")).answer().status == 404
