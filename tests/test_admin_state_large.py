"""The admin API has its own body limit: a snapshot round-trips over HTTP whatever its size.

The outside battery found ``GET state`` then ``PUT state`` answered 413 once a snapshot passed
1 MiB (2,000 generated devices are 1.4 MB), so a state could be read but not restored."""

from __future__ import annotations

import requests

from iotfake import FakeCloud


def test_a_snapshot_over_the_provider_body_limit_round_trips_over_http() -> None:
    cloud = FakeCloud(seed=9)
    cloud.seed({"enos": {"orgs": [{"orgId": "o1", "products": [{"productKey": "p1", "productName": "M"}]}]}})
    cloud.populate("enos", 2500, org="o1", product="p1")
    with cloud.serve() as server:
        state = requests.get(server.url + "/_iotfake/state", timeout=30)
        assert len(state.content) > cloud.max_body  # bigger than any provider request may be
        requests.post(server.url + "/_iotfake/reset", timeout=10)
        put = requests.put(
            server.url + "/_iotfake/state",
            data=state.content,
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        assert put.status_code == 200, put.text[:200]
    assert len(cloud.registry.tenant("enos", "o1").devices) == 2500


def test_provider_calls_keep_their_own_limit() -> None:
    cloud = FakeCloud(seed=9, max_body=1000)
    with cloud.serve() as server:
        answer = requests.post(
            server.url + "/connect-service/v2.1/devices?action=create&orgId=o1",
            data=b"{" + b" " * 2000 + b"}",
            headers={"apim-accesstoken": "t", "Content-Type": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 413
