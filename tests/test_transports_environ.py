"""The in-process transports hand the app the environ werkzeug's ``EnvironBuilder`` would.

``transports.wsgi_environ`` replaced ``EnvironBuilder`` on the in-process path for speed; every
key and value must stay what the app saw before, whatever URL, headers and body a client sends.
"""

from __future__ import annotations

import enum
import sys
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

from iotfake import FakeCloud
from iotfake.transports import call_wsgi, split_url, wsgi_environ


class ContentType(str, enum.Enum):  # noqa: UP042 (not StrEnum: its str() is the value)
    """A str Enum, as code holding content types often has: werkzeug keeps it as the text it is."""

    FORM = "application/x-www-form-urlencoded"


CASES: list[tuple[str, str, list[tuple[str, Any]], bytes | None]] = [
    (
        "POST",
        "http://iotfake/connect-service/v2.1/devices?action=create&orgId=o1",
        [("Content-Type", "application/json"), ("apim-accesstoken", "t")],
        b'{"a":1}',
    ),
    ("get", "http://iotfake/things/t%201?nextToken=a%2Bb&x=", [("X-Amz-Date", "20261122T000000Z")], None),
    ("GET", "https://iot.us-east-1.amazonaws.com/things", [], None),
    ("PUT", "http://127.0.0.1:8123/p/caf%C3%A9/ü?q=é", [("Content-Length", "3")], b"abc"),
    ("DELETE", "http://iotfake/x", [("Content-Length", "0"), ("A", "1"), ("a", "2")], None),
    ("GET", "http://iotfake/x", [("Content-Length", "bogus")], None),
    ("POST", "http://iotfake/x", [("Content-Type", "a/b"), ("Content-Type", "c/d")], b"zz"),
    ("GET", "/relative/path", [], b""),
    ("HEAD", "http://[::1]:8080/x", [], None),
    ("GET", "http://iotfake/x", [("X-Count", 5), ("X-None", None)], None),  # what Headers makes of them
    ("POST", "http://iotfake/x", [("Content-Type", ContentType.FORM)], b"a=1"),
]


def built_by_werkzeug(method: str, url: str, headers: list[tuple[str, str]], body: bytes | None) -> dict:
    parts = urlsplit(url)
    builder = EnvironBuilder(
        method=method.upper(),
        base_url=f"{parts.scheme or 'http'}://{parts.netloc or 'iotfake'}",
        path=parts.path or "/",
        query_string=parts.query,
        headers=Headers(headers),
        data=body or None,
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def comparable(environ: dict[str, Any]) -> dict[str, Any]:
    data = dict(environ)
    data["wsgi.input"] = data["wsgi.input"].read()
    assert data.pop("wsgi.errors") is sys.stderr
    return data


@pytest.mark.parametrize(("method", "url", "headers", "body"), CASES)
def test_same_environ_as_environbuilder(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes | None
) -> None:
    ours = comparable(wsgi_environ(method, url, headers, body))
    theirs = comparable(built_by_werkzeug(method, url, headers, body))
    assert ours == theirs


def test_a_port_counts_only_in_ascii_digits() -> None:
    """As urllib's ``port`` reads it: "²" (which int refuses) and full-width digits are no port."""
    from iotfake.environ import host_parts

    assert host_parts("http", "h:8080") == ("h:8080", "h", "8080")
    assert host_parts("https", "h:\u00b2") == ("h:\u00b2", "h", "443")
    assert host_parts("http", "h:\uff18\uff10") == ("h:\uff18\uff10", "h", "80")
    assert host_parts("http", "h:") == ("h:", "h", "80")


def test_call_wsgi_collects_written_and_iterated_bytes_in_order() -> None:
    def app(environ: dict, start_response: Any) -> list[bytes]:
        write = start_response("201 CREATED", [("X-A", "1")])
        write(b"first ")
        return [b"second ", b"third"]

    status, headers, body = call_wsgi(app, "GET", "http://iotfake/")
    assert (status, headers["X-A"], body) == (201, "1", b"first second third")


def test_call_wsgi_closes_the_apps_iterable() -> None:
    closed: list[bool] = []

    class Body(list):
        def close(self) -> None:
            closed.append(True)

    def app(environ: dict, start_response: Any) -> Body:
        start_response("200 OK", [])
        return Body([b"x"])

    call_wsgi(app, "GET", "http://iotfake/")
    assert closed == [True]


def test_call_wsgi_answers_from_the_fake() -> None:
    status, headers, body = call_wsgi(FakeCloud().wsgi_app, "GET", "http://iotfake/_iotfake/health")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert body.startswith(b"{")


URL_PARTS = st.sampled_from(
    [
        "http://",
        "https://",
        "HTTP://",
        "ftp://",
        "",
        "/",
        "//",
        "?",
        "#",
        "[",
        "]",
        ":",
        "@",
        " ",
        "\t",
        "\n",
        "\x00",
        "%20",
        "é",
        "host",
        "iotfake",
        "127.0.0.1:8123",
        "[::1]",
        "a/b",
        "x=1&y=2",
        "\\",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(URL_PARTS, max_size=8).map("".join))
def test_split_url_agrees_with_urlsplit(url: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError:
        with pytest.raises(ValueError):
            split_url(url)
        return
    assert split_url(url) == (parts.scheme, parts.netloc, parts.path, parts.query)


@pytest.mark.parametrize(
    "url",
    [
        "http://iotfake/things/t1?x=1",
        "https://h:8443/a/b?c=d?e",
        "http://iotfake",
        "http://iotfake?x=1",
        "http://iotfake/p#frag",
        "http://iotfake#frag",
        "http://h?x#y",
        "http://h\t/x",
        "http://[::1]:8080/x",
        "http://h/ a",
        "HTTP://h/x",
    ],
)
def test_split_url_examples(url: str) -> None:
    parts = urlsplit(url)
    assert split_url(url) == (parts.scheme, parts.netloc, parts.path, parts.query)


PATH_PARTS = st.sampled_from(
    [
        "/",
        "//",
        "a",
        "Z9",
        "%",
        "%41",
        "-._~",
        "!$&'()*+,;=:@",
        " ",
        "?",
        "#",
        "é",
        "\udc80",
        "\x7f",
        "\\",
        "[",
        "",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(PATH_PARTS, max_size=8).map("".join))
def test_plain_path_is_the_plain_pattern_without_escapes(path: str) -> None:
    """``plain_path`` checks with str and bytes methods what ``_PLAIN`` states (no ``%``)."""
    from iotfake.environ import _PLAIN, plain_path

    assert plain_path(path) == ("%" not in path and _PLAIN.fullmatch(path) is not None)


@settings(max_examples=500, deadline=None)
@given(st.lists(URL_PARTS, max_size=8).map("".join))
def test_split_url_splits_by_hand_exactly_the_plain_urls(url: str) -> None:
    """The hand split takes the URLs ``_PLAIN_URL`` describes and no others (urlsplit the rest)."""
    from unittest import mock

    from iotfake import environ

    scheme, sep, rest = url.partition("://")
    plain = bool(sep) and scheme in ("http", "https") and rest.isascii()
    expected = plain and environ._PLAIN_URL.fullmatch(rest) is not None
    with mock.patch.object(environ, "urlsplit", side_effect=AssertionError("not split by hand")):
        try:
            environ.split_url(url)
            by_hand = True
        except AssertionError:
            by_hand = False
    assert by_hand == expected


# -- a session's headers: their environ keys are made once ------------------------------------------
_NAMES = st.sampled_from(
    ["Host", "host", "Content-Type", "content-type", "Content-Length", "X-A", "x_a", "A"]
)
_VALUES = st.one_of(st.sampled_from(["1", "a/b", "x, y", ""]), st.binary(max_size=3))


@given(
    pairs=st.lists(st.tuples(_NAMES, _VALUES), max_size=6),
    body=st.sampled_from([None, b"", b"abc"]),
    other_body=st.sampled_from([None, b"", b"abcdef"]),
)
@settings(max_examples=300, deadline=None)
def test_a_sessions_headers_give_the_fields_a_list_gives(
    pairs: list[tuple[str, str | bytes]], body: bytes | None, other_body: bytes | None
) -> None:
    """Remembered or not, a session's fields are the list's: a repeated header's values joined,
    the first Content-Type, the body's own length (not the one remembered), a Host header
    over the URL's host; and a caller's change to the fields it got is not remembered."""
    from iotfake.environ import SessionHeaders, header_fields

    expected = header_fields("iotfake:8080", list(pairs), body)
    first = header_fields("iotfake:8080", SessionHeaders(pairs), body)
    assert first == expected
    first["HTTP_X_CHANGED"] = "by the caller"
    assert header_fields("iotfake:8080", SessionHeaders(pairs), body) == expected  # remembered
    assert header_fields("other", SessionHeaders(pairs), other_body) == header_fields(
        "other", list(pairs), other_body
    )


def test_a_plain_tuple_is_read_as_pairs_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the transports' session sets are remembered: a caller's tuple reads as it did."""
    from iotfake import environ

    monkeypatch.setattr(environ, "_SESSION_FIELDS", {})
    assert environ.header_fields("h", (("X-A", "1"),), None)["HTTP_X_A"] == "1"
    assert environ._SESSION_FIELDS == {}


def test_a_session_with_an_unhashable_value_is_read_as_pairs() -> None:
    from iotfake.environ import SessionHeaders, header_fields

    pairs = SessionHeaders([("X-A", "1"), ["X-B", "2"]])  # a list as a pair: no hash
    assert header_fields("h", pairs, None) == {"HTTP_HOST": "h", "HTTP_X_A": "1", "HTTP_X_B": "2"}


def test_equal_values_of_another_type_are_not_remembered() -> None:
    """1 == 1.0 == True as dict keys: only sets of text and bytes are remembered, so each of
    these is read as sent (as werkzeug's Headers writes it)."""
    from iotfake.environ import SessionHeaders, header_fields

    assert header_fields("h", SessionHeaders([("X-N", 1)]), None)["HTTP_X_N"] == "1"
    assert header_fields("h", SessionHeaders([("X-N", 1.0)]), None)["HTTP_X_N"] == "1.0"
    assert header_fields("h", SessionHeaders([("X-N", True)]), None)["HTTP_X_N"] == "True"


def test_session_fields_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """At most _SESSION_FIELDS_SIZE sets (past that they start over), none over 4,096
    characters; every set still reads right."""
    from iotfake import environ
    from iotfake.environ import SessionHeaders

    monkeypatch.setattr(environ, "_SESSION_FIELDS", {})
    for number in range(environ._SESSION_FIELDS_SIZE + 10):
        fields = environ.header_fields("h", SessionHeaders([("X-N", str(number))]), None)
        assert fields["HTTP_X_N"] == str(number)
        assert 0 < len(environ._SESSION_FIELDS) <= environ._SESSION_FIELDS_SIZE
    environ._SESSION_FIELDS.clear()
    big = SessionHeaders([("X-Big", "v" * 5000)])
    assert environ.header_fields("h", big, None)["HTTP_X_BIG"] == "v" * 5000
    assert environ._SESSION_FIELDS == {}


def test_requests_bodies_of_every_length_share_one_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """Content-Length stays out of a session's set (the environ's comes from the body), so a
    session's calls with bodies of many lengths are one set, each with its own length."""
    from iotfake import environ
    from iotfake.transports import requests_session

    monkeypatch.setattr(environ, "_SESSION_FIELDS", {})
    seen: list[tuple[str, int]] = []

    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append((env["CONTENT_LENGTH"], len(env["wsgi.input"].read())))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    session = requests_session(app)
    for size in range(1, 80):
        session.post("/x", data=b"x" * size)
    assert seen == [(str(size), size) for size in range(1, 80)]


def test_a_session_through_the_fake_is_remembered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from iotfake import environ
    from iotfake.transports import requests_session

    monkeypatch.setattr(environ, "_SESSION_FIELDS", {})
    cloud = FakeCloud(seed=1)
    token = cloud.scriptr("acme").token
    session = requests_session(cloud)
    for size in range(1, 40):
        answer = session.post(
            "/scriptr/device/get", json={"id": "x" * size}, headers={"Authorization": f"bearer {token}"}
        )
        result = answer.json()["response"]["result"]["metadata"]  # no such device
        assert result["errorCode"] == "INVALID_IDENTIFIER"
        assert result["errorDetail"] == f"The device [{'x' * size}] is invalid."
    assert len(environ._SESSION_FIELDS) == 1
