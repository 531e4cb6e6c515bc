"""The request object's fast paths give exactly werkzeug's values.

``iotfake.request.Request`` reads plain queries with a split, sized bodies with one ``read`` and
the content length straight from the environ. Whatever a client sends, each must agree with
werkzeug's own parsing, or a provider would see a different request than before.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Request as WerkzeugRequest

from iotfake import FakeCloud
from iotfake import request as request_module
from iotfake.request import Request

QUERY_CHARS = st.sampled_from([*"ab=&;+%20é/?_.-~ ", "%", "%zz", "%C3%A9", "&&", "=="])


def environ(query: str = "", body: bytes = b"", **extra: str) -> dict:
    env = EnvironBuilder(method="POST", path="/p", data=body).get_environ()
    env["QUERY_STRING"] = query.encode("utf-8").decode("latin-1")  # what a WSGI server hands over
    env.update(extra)
    env["wsgi.input"] = io.BytesIO(body)
    return env


@given(st.lists(QUERY_CHARS, max_size=12).map("".join))
def test_args_match_werkzeug_for_any_query(query: str) -> None:
    ours = Request(environ(query)).args
    theirs = WerkzeugRequest(environ(query)).args
    assert list(ours.items(multi=True)) == list(theirs.items(multi=True))


@given(st.lists(QUERY_CHARS, max_size=12).map("".join))
def test_a_repeated_query_reads_as_werkzeug_reads_it(query: str) -> None:
    first = Request(environ(query)).args
    again = Request(environ(query)).args  # split once, remembered (immutable, so shared)
    theirs = list(WerkzeugRequest(environ(query)).args.items(multi=True))
    assert list(first.items(multi=True)) == list(again.items(multi=True)) == theirs
    with pytest.raises(TypeError):
        again["x"] = "y"  # shared between calls: nobody may change it


def test_remembered_queries_are_bounded() -> None:
    request_module._QUERIES.clear()
    for number in range(request_module._QUERIES_SIZE + 1):
        request_module.plain_args(f"n={number}")
    assert len(request_module._QUERIES) <= request_module._QUERIES_SIZE
    for number in range(request_module._QUERIES_SIZE * 2 + 5):
        assert request_module.plain_args(f"action=get&deviceKey=d{number}")["deviceKey"] == f"d{number}"
    assert len(request_module._QUERIES) <= request_module._QUERIES_SIZE
    long = "a=" + "x" * request_module._QUERY_CHARS
    assert request_module.plain_args(long)["a"] == "x" * request_module._QUERY_CHARS
    assert long not in request_module._QUERIES


@pytest.mark.parametrize(
    "query",
    ["action=create&orgId=o1", "a=1&a=2", "flag", "=v", "a=&b", "&&a=1&", "x=a=b", "q=%41", "q=a+b"],
)
def test_args_examples(query: str) -> None:
    ours = Request(environ(query)).args
    assert list(ours.items(multi=True)) == list(WerkzeugRequest(environ(query)).args.items(multi=True))


@given(st.one_of(st.just(""), st.text("0123456789x -+", max_size=6)))
def test_content_length_matches_werkzeug(value: str) -> None:
    extra = {"CONTENT_LENGTH": value}
    assert Request(environ(**extra)).content_length == WerkzeugRequest(environ(**extra)).content_length


def test_chunked_requests_have_no_content_length() -> None:
    extra = {"CONTENT_LENGTH": "5", "HTTP_TRANSFER_ENCODING": "chunked"}
    assert Request(environ(**extra)).content_length is None


@pytest.mark.parametrize("body", [b"", b"{}", json.dumps({"a": "é" * 50}).encode()])
def test_sized_body_read_once_and_cached(body: bytes) -> None:
    request = Request(environ(body=body))
    assert request.get_data() == body
    assert request.get_data() == body  # cached: the stream was read once
    assert request.get_data(as_text=True) == body.decode()


def test_body_is_not_cached_when_asked_not_to() -> None:
    request = Request(environ(body=b"abc"))
    assert request.get_data(cache=False) == b"abc"
    assert "_cached_data" not in request.__dict__


def test_form_parsing_still_reads_a_cached_body() -> None:
    body = b"a=1&b=two"
    env = environ(body=body, CONTENT_TYPE="application/x-www-form-urlencoded")
    request = Request(env)
    assert request.get_data() == body
    assert request.form.to_dict() == {"a": "1", "b": "two"}


def test_a_body_shorter_than_announced_is_a_client_error_not_a_crash() -> None:
    """A client that hangs up mid-body: werkzeug's answer (400), never a 500."""
    cloud = FakeCloud()
    env = environ(body=b'{"productKey"', CONTENT_LENGTH="500")
    env["PATH_INFO"] = "/connect-service/v2.1/devices"
    env["QUERY_STRING"] = "action=create&orgId=o1"
    env["HTTP_APIM_ACCESSTOKEN"] = "t"
    status: list[str] = []
    body = b"".join(cloud.wsgi_app(env, lambda s, h, e=None: status.append(s)))
    assert status[0].startswith("400"), (status, body)
    assert b"Traceback" not in body


def test_a_body_over_the_limit_is_refused_before_it_is_read() -> None:
    cloud = FakeCloud(max_body=10)
    response = Client(cloud.wsgi_app).post(
        "/connect-service/v2.1/devices?action=create&orgId=o1", data=b"x" * 11
    )
    assert response.status_code == 413


ENVIRONS = [
    {},
    {"SERVER_NAME": "localhost", "SERVER_PORT": "8080", "REMOTE_ADDR": "127.0.0.1"},
    {"SERVER_NAME": "/tmp/sock", "SERVER_PORT": "", "REQUEST_METHOD": "post"},
    {"SERVER_NAME": "h", "SERVER_PORT": " 81 ", "wsgi.url_scheme": "https"},
    {"PATH_INFO": "//a//b/", "SCRIPT_NAME": "/mount/", "QUERY_STRING": "x=1"},
    {"PATH_INFO": "caf\xc3\xa9/\xff", "SCRIPT_NAME": "\xc3\xa9", "QUERY_STRING": "q=\xc3\xa9"},
    {"PATH_INFO": "", "REQUEST_METHOD": "GET", "HTTP_HOST": "example.com:1"},
]


@pytest.mark.parametrize("overrides", ENVIRONS)
def test_headers_hold_what_werkzeugs_environ_headers_hold(overrides: dict) -> None:
    from werkzeug.datastructures import EnvironHeaders

    env = environ(**overrides)
    ours, theirs = request_module.Headers(env), EnvironHeaders(env)
    assert vars(theirs).items() <= vars(ours).items()  # werkzeug 3.0 sets no ``_list``; 3.1 does
    assert list(ours.items()) == list(theirs.items()) and ours == theirs


@pytest.mark.parametrize("overrides", ENVIRONS)
def test_constructor_sets_what_werkzeugs_sets(overrides: dict) -> None:
    """The inlined constructor leaves the request as werkzeug's would: every attribute, and what
    werkzeug derives from them (URLs, host)."""
    env = environ(**overrides)
    ours, theirs = Request(dict(env)), WerkzeugRequest(dict(env))
    mine, werkzeugs = vars(ours), vars(theirs)
    assert set(mine) == set(werkzeugs)
    for name in mine:
        if name == "headers":
            assert list(ours.headers.items()) == list(theirs.headers.items())
        elif name != "environ":
            assert mine[name] == werkzeugs[name], name
    for derived in ("url", "base_url", "host", "host_url", "full_path"):
        assert getattr(ours, derived) == getattr(theirs, derived), derived


def test_populate_and_shallow_as_werkzeug() -> None:
    env = environ()
    request = Request(env)
    assert env["werkzeug.request"] is request
    env = environ()
    Request(env, populate_request=False)
    assert "werkzeug.request" not in env
    with pytest.raises(RuntimeError):
        Request(environ(), shallow=True).stream  # noqa: B018


@given(st.lists(QUERY_CHARS, max_size=12).map("".join), st.sampled_from(["a", "b", "", "q", "x"]))
def test_args_get_matches_werkzeug(query: str, name: str) -> None:
    ours, theirs = Request(environ(query)).args, WerkzeugRequest(environ(query)).args
    assert ours.get(name) == theirs.get(name)
    assert ours.get(name, "default") == theirs.get(name, "default")
    assert ours.get(name, -1, type=int) == theirs.get(name, -1, type=int)
    assert ours.getlist(name) == theirs.getlist(name)


@given(st.one_of(st.none(), st.text(' \t;="a/Bx-+.,é', max_size=24)))
def test_mimetype_matches_werkzeug(value: str | None) -> None:
    extra = {} if value is None else {"CONTENT_TYPE": value}
    env = environ()
    env.pop("CONTENT_TYPE", None)
    env.update(extra)
    ours, theirs = Request(dict(env)), WerkzeugRequest(dict(env))
    assert ours.mimetype == theirs.mimetype
    assert ours.mimetype_params == theirs.mimetype_params  # werkzeug's own parse still serves these


def test_no_content_length_header_means_none_without_werkzeug() -> None:
    env = environ()
    env.pop("CONTENT_LENGTH", None)
    assert Request(env).content_length is None is WerkzeugRequest(env).content_length
