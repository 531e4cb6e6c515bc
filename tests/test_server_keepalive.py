"""The live server keeps HTTP/1.1 connections open and still bounds request bodies."""

from __future__ import annotations

import http.client
from collections.abc import Iterator

import pytest
import requests

from iotfake import FakeCloud
from iotfake.server import Server

URL = "/connect-service/v2.1/devices?action=create&orgId=o1"
H = {"apim-accesstoken": "t"}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with FakeCloud(seed=1).serve() as live:
        yield live


def connection(server: Server) -> http.client.HTTPConnection:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=10)


def test_one_connection_serves_many_requests(server: Server) -> None:
    conn = connection(server)
    for _ in range(20):
        conn.request("GET", "/_iotfake/health")
        answer = conn.getresponse()
        assert answer.status == 200 and answer.getheader("Connection") is None
        answer.read()
    local_port = conn.sock.getsockname()[1]
    conn.request("GET", "/_iotfake/health")
    conn.getresponse().read()
    assert conn.sock.getsockname()[1] == local_port  # the same socket all along


def test_oversized_body_gets_413_and_closes(server: Server) -> None:
    session = requests.Session()
    answer = session.post(server.url + URL, data=b"x" * (2 << 20), headers=H)
    assert answer.status_code == 413 and answer.headers["Connection"] == "close"
    assert session.get(server.url + "/_iotfake/health").status_code == 200


def test_oversized_chunked_body_gets_413(server: Server) -> None:
    session = requests.Session()
    answer = session.post(server.url + URL, data=iter([b"x" * (1 << 20), b"yy"]), headers=H)
    assert answer.status_code == 413
    assert session.get(server.url + "/_iotfake/health").status_code == 200


def test_chunked_body_is_read_whole_and_connection_reused(server: Server) -> None:
    session = requests.Session()
    answer = session.post(server.url + URL, data=iter([b'{"timezone":', b'"+08:00"}']), headers=H)
    assert answer.json()["msg"] == "Invalid Argument productKey:productKey is missing"
    assert session.get(server.url + "/_iotfake/health").json()["status"] == "ok"
