"""Answers leave as a server would write them: status line, headers, length, and no body where
HTTP forbids one (``iotfake.reply.Reply``, which replaced werkzeug's Response on the hot path)."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.reply import Reply


def send(reply: Reply, method: str = "GET") -> tuple[str, list[tuple[str, str]], bytes]:
    seen: list = []
    body = b"".join(reply({"REQUEST_METHOD": method}, lambda status, headers: seen.extend([status, headers])))
    return seen[0], seen[1], body


def test_json_answer_has_type_length_and_body() -> None:
    status, headers, body = send(Reply(b'{"a":1}', content_type="application/json"))
    assert status == "200 OK"
    assert headers == [("Content-Type", "application/json"), ("Content-Length", "7")]
    assert body == b'{"a":1}'


def test_head_announces_the_length_without_a_body() -> None:
    _, headers, body = send(Reply(b"abc", content_type="text/plain"), method="HEAD")
    assert ("Content-Length", "3") in headers and body == b""


@pytest.mark.parametrize("code", [204, 304, 101])
def test_bodiless_statuses_send_neither_body_nor_length(code: int) -> None:
    status, headers, body = send(Reply(b"ignored", status=code))
    assert status.startswith(str(code)) and body == b""
    assert all(name != "Content-Length" for name, _ in headers)


def test_content_type_argument_wins_over_a_header_of_the_same_name() -> None:
    reply = Reply(b"x", headers={"Content-Type": "text/plain", "X-A": "1"}, content_type="application/json")
    assert reply.headers.getlist("Content-Type") == ["application/json"]
    _, headers, _ = send(reply)
    assert ("X-A", "1") in headers and ("Content-Type", "application/json") in headers


def test_headers_added_later_go_out_with_the_content_type() -> None:
    reply = Reply(b"{}", status=429, content_type="application/json")
    reply.headers["Retry-After"] = "2"
    status, headers, _ = send(reply)
    assert status == "429 TOO MANY REQUESTS"
    assert headers[:2] == [("Content-Type", "application/json"), ("Retry-After", "2")]


def test_text_bodies_are_utf8_and_unknown_statuses_still_have_a_line() -> None:
    reply = Reply("é", status=599)
    assert reply.get_data() == "é".encode() and reply.get_data(as_text=True) == "é"
    assert send(reply)[0] == "599 UNKNOWN"


def test_the_app_answers_head_like_get_without_the_body() -> None:
    client = Client(FakeCloud().wsgi_app)
    got, head = client.get("/_iotfake/health"), client.head("/_iotfake/health")
    assert head.status_code == got.status_code == 200
    assert head.headers["Content-Length"] == str(len(got.data)) and head.data == b""
