"""httpx in process answers as the other in-process transports do: through the fake's express
lane where a call fits it, with a server's reading of the request and the fake's answer as sent.
(``test_transports_enos`` holds httpx, requests and a socket to the same EnOS answers.)"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_express_lane import lane

from iotfake import FakeCloud
from iotfake.app import App
from iotfake.transports import call_wsgi, httpx_client, httpx_transport

ENOS = "/connect-service/v2.1"


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud(seed=1)


def test_it_is_still_httpx_s_wsgi_transport(cloud: FakeCloud) -> None:
    assert isinstance(httpx_transport(cloud), httpx.WSGITransport)


def test_calls_take_the_express_lane(cloud: FakeCloud) -> None:
    path = f"{ENOS}/devices?action=get&orgId=o1&assetId=a1"
    with lane(True) as taken, httpx_client(cloud) as client:
        answer = client.post(path, headers={"apim-accesstoken": "t"})
    assert answer.json()["code"] == 11404  # no such device
    assert taken == [("POST", f"http://iotfake{path}")]


def test_the_answer_is_what_the_fake_sent_and_nothing_more(cloud: FakeCloud) -> None:
    """Status, headers (in order, Content-Length included once) and body as the general path
    sends them: httpx adds no header of its own."""
    path = f"{ENOS}/devices?action=get&orgId=o1&assetId=a1"
    headers = [("apim-accesstoken", "t"), ("Host", "iotfake")]
    with mock.patch.object(App, "express", lambda *_: None):
        status, sent, body = call_wsgi(FakeCloud(seed=1).wsgi_app, "POST", f"http://iotfake{path}", headers)
    with httpx_client(cloud) as client:
        answer = client.post(path, headers=dict(headers))
    assert answer.status_code == status
    assert answer.headers.multi_items() == [(k.lower(), v) for k, v in sent.items()]
    assert answer.content == body


def test_repeated_and_non_ascii_headers_are_read_as_a_server_reads_them(cloud: FakeCloud) -> None:
    """A repeated header's values joined with ", " (httpx's own WSGI environ kept the last one),
    header bytes as latin-1 (httpx's raised UnicodeDecodeError)."""
    seen: list[dict[str, Any]] = []
    real = App.serve_call

    def spy(self: App, provider: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(dict(request.headers))
        return real(self, provider, request, *args, **kwargs)

    with mock.patch.object(App, "serve_call", spy), httpx_client(cloud) as client:
        sent = httpx.Headers([("X-Tag", "a"), ("X-Tag", "b"), ("X-Name", "caf\u00e9".encode("latin-1"))])
        client.post("/scriptr/device/frobnicate", headers=sent, content=b"{}")
        client.post("/scriptr/device/frobnicate", headers=sent, content=b"{}")  # remembered: the same
    assert seen[0]["X-Tag"] == "a, b"
    assert seen[0]["X-Name"] == "caf\u00e9"
    assert seen[1] == seen[0]


def _form_and_escaped_query(client: Any, cloud: FakeCloud) -> list[Any]:
    bearer = {"Authorization": f"bearer {cloud.scriptr('acme').token}"}
    form = {"id": "h1", "name": "h1", "password": "pw-123456"}
    return [
        client.post("/scriptr/device/create", data=form, headers=bearer).json(),
        client.get("/scriptr/device/get", params={"id": "h 1"}, headers=bearer).json(),
    ]


def test_a_form_and_an_escaped_query_answer_as_over_requests(cloud: FakeCloud) -> None:
    """Calls the lane hands to the general path (a form, ``+`` in the query) answer alike."""
    from iotfake.transports import requests_session

    twin = FakeCloud(seed=1)
    with httpx_client(cloud) as client:
        by_httpx = _form_and_escaped_query(client, cloud)
    by_requests = _form_and_escaped_query(requests_session(twin), twin)
    assert json.dumps(by_httpx) == json.dumps(by_requests)


@given(
    scheme=st.sampled_from(["http", "https"]),
    user=st.sampled_from(["", "me@", "me:pw@"]),
    host=st.sampled_from(["iotfake", "127.0.0.1", "[::1]", "Example.COM", "caf\u00e9.example"]),
    port=st.sampled_from(["", ":80", ":8123"]),
    path=st.text(alphabet="/abc%20é?#&=+", max_size=12),
    fragment=st.sampled_from(["", "#top", "#"]),
)
@settings(max_examples=300, deadline=None)
def test_the_url_a_call_is_read_from_is_httpx_s_own_text(
    scheme: str, user: str, host: str, port: str, path: str, fragment: str
) -> None:
    """Joined from httpx's parsed parts where that is plainly the same, or by ``str`` where not
    (a user, a fragment, an IPv6 host), the URL the fake reads is ``str(request.url)``."""
    from iotfake.transports import _url_text

    try:
        url = httpx.URL(f"{scheme}://{user}{host}{port}/{path}{fragment}")
    except httpx.InvalidURL:
        return
    assert _url_text(url) == str(url)


def test_header_sets_are_bounded_and_bodies_of_every_length_share_one(
    cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Content-Length stays out of a session's set, so bodies of many lengths make one set of
    environ keys; the decoded sets are bounded (64, starting over past that) and a large set
    is not kept."""
    from iotfake import environ, transports

    monkeypatch.setattr(environ, "_SESSION_FIELDS", {})
    monkeypatch.setattr(transports, "_TEXT_PAIRS", {})
    bearer = {"Authorization": f"bearer {cloud.scriptr('acme').token}"}
    with httpx_client(cloud) as client:
        for size in range(1, 80):
            answer = client.post("/scriptr/device/get", json={"id": "x" * size}, headers=bearer).json()
            detail = answer["response"]["result"]["metadata"]["errorDetail"]
            assert detail == f"The device [{'x' * size}] is invalid."
            assert 0 < len(transports._TEXT_PAIRS) <= 64
        assert len(environ._SESSION_FIELDS) == 1
        transports._TEXT_PAIRS.clear()
        client.get("/scriptr/device/get?id=a", headers={**bearer, "X-Big": "v" * 5000})
        assert transports._TEXT_PAIRS == {}
