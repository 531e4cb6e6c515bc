"""A running Server can be rebound to another cloud: requests and the body limit follow it."""

from __future__ import annotations

import requests

from iotfake import FakeCloud


def test_requests_after_rebinding_reach_the_new_cloud() -> None:
    first, second = FakeCloud(seed=1), FakeCloud(seed=2)
    with first.serve() as server, requests.Session() as session:
        assert session.get(server.url + "/_iotfake/health").json()["seed"] == 1
        server.cloud = second
        assert session.get(server.url + "/_iotfake/health").json()["seed"] == 2  # same connection
        assert server.cloud is second


def test_the_body_limit_follows_the_cloud() -> None:
    """The server reads a body up to the cloud's limit; a chunked one shows if that limit is stale."""
    small, large = FakeCloud(max_body=100, max_admin_body=100), FakeCloud()
    body = b'{"advance": 0' + b" " * 200 + b"}"

    def post_chunked(url: str) -> int:
        return requests.post(url + "/_iotfake/clock", data=iter([body]), timeout=10).status_code

    with small.serve() as server:
        assert post_chunked(server.url) == 413
        server.cloud = large
        assert post_chunked(server.url) == 200
        server.cloud = small
        assert post_chunked(server.url) == 413
