"""Connections beyond the cap are answered 503 at once and closed; none pins a thread.

The outside battery left 900 threads alive with 1,000 slow clients: one thread per connection
with no cap."""

from __future__ import annotations

import socket
import threading

from _raw_http import Raw

from iotfake import FakeCloud


def test_one_connection_over_the_cap_gets_503_and_the_cap_frees_up() -> None:
    cloud = FakeCloud(seed=1)
    with cloud.serve(max_connections=4) as server:
        host, port = server.url.removeprefix("http://").rsplit(":", 1)
        held = [socket.create_connection((host, int(port)), timeout=10) for _ in range(4)]
        try:
            with Raw(server.url) as extra:
                answer = extra.send(b"GET /_iotfake/health HTTP/1.1\r\nHost: localhost\r\n\r\n").answer()
                assert answer.status == 503
                assert "most connections" in answer.json()["message"]
            threads = threading.active_count()
        finally:
            for sock in held:
                sock.close()
        # the held connections' threads end when their clients go; new clients are served again
        for _ in range(50):
            with Raw(server.url) as again:
                answer = again.send(b"GET /_iotfake/health HTTP/1.1\r\nHost: localhost\r\n\r\n").answer()
            if answer.status == 200:
                break
        assert answer.status == 200
        assert threading.active_count() <= threads
