"""A web page in the developer's browser can neither steer nor read the fake's admin API.

The outside battery reset the cloud and added fault rules with a cross-site ``text/plain`` POST,
and read ``GET /_iotfake/state`` under a foreign ``Host`` (DNS rebinding: a page's own name
pointed at 127.0.0.1). Scripts and curl, which send no ``Origin``, keep working."""

from __future__ import annotations

import pytest
import requests

from iotfake import FakeCloud


@pytest.fixture
def served():
    cloud = FakeCloud(seed=1)
    with cloud.serve() as server:
        yield cloud, server.url


RULE = '{"provider": "aws", "operation": "CreateThing", "action": {"error": "Internal"}}'


def test_a_cross_site_text_plain_post_is_refused_and_changes_nothing(served) -> None:
    cloud, url = served
    for headers in (
        {"Origin": "https://evil.example", "Content-Type": "text/plain"},
        {"Origin": "null", "Content-Type": "text/plain"},
        {"Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"},
    ):
        answer = requests.post(url + "/_iotfake/faults", data=RULE, headers=headers, timeout=10)
        assert answer.status_code == 403, headers
        assert "web pages from other sites" in answer.json()["error"]
        assert requests.post(url + "/_iotfake/reset", headers=headers, timeout=10).status_code == 403
    assert len(cloud.faults) == 0


def test_a_page_of_the_same_loopback_origin_must_still_send_json(served) -> None:
    cloud, url = served
    local = {"Origin": url}
    plain = requests.post(
        url + "/_iotfake/faults", data=RULE, headers={**local, "Content-Type": "text/plain"}
    )
    assert plain.status_code == 403 and "admin writes take JSON" in plain.json()["error"]
    ok = requests.post(
        url + "/_iotfake/faults", data=RULE, headers={**local, "Content-Type": "application/json"}
    )
    assert ok.status_code in (200, 201), ok.text
    assert len(cloud.faults) == 1


def test_dns_rebinding_cannot_read_the_state(served) -> None:
    _, url = served
    rebound = requests.get(url + "/_iotfake/state", headers={"Host": "attacker.example:4510"}, timeout=10)
    assert rebound.status_code == 403
    assert "loopback names only" in rebound.json()["error"]
    assert requests.get(url + "/_iotfake/state", timeout=10).status_code == 200  # 127.0.0.1:PORT
    assert requests.get(url + "/_iotfake/health", headers={"Host": "probe"}, timeout=10).status_code == 200


def test_configured_host_names_are_let_in() -> None:
    cloud = FakeCloud(seed=1, admin_hosts=["iotfake.ci.internal"])
    with cloud.serve() as server:
        answer = requests.get(server.url + "/_iotfake/state", headers={"Host": "iotfake.ci.internal"})
        assert answer.status_code == 200


def test_scripts_without_an_origin_keep_working_with_any_content_type(served) -> None:
    cloud, url = served
    answer = requests.post(url + "/_iotfake/faults", data=RULE, timeout=10)  # curl -d style
    assert answer.status_code in (200, 201), answer.text
    assert len(cloud.faults) == 1


def test_a_page_of_another_local_origin_is_refused(served) -> None:
    """Another port of this machine is another origin (a local dev server's page): only the
    fake's own pages (the console) may write; the Origin's host alone let every local port in."""
    cloud, url = served
    port = url.rsplit(":", 1)[1]
    other = f"http://localhost:{int(port) % 65535 + 1}"
    cloud.faults.add({"id": "keep", "provider": "enos", "action": {"error": "Internal"}})
    refused = requests.post(url + "/_iotfake/reset", headers={"Origin": other}, timeout=10)
    assert refused.status_code == 403 and "web pages from other sites" in refused.json()["error"]
    assert [rule.id for rule in cloud.faults] == ["keep"]
    own = requests.post(url + "/_iotfake/reset", headers={"Origin": url}, timeout=10)
    assert own.status_code == 200 and len(cloud.faults) == 0


def test_in_process_clients_reach_the_admin_api_at_their_own_base_url() -> None:
    """The in-process transports name the fake ``http://iotfake``: no browser can send such a
    call, so no Host rule applies (only ``health`` used to answer there)."""
    from iotfake.transports import httpx_client, requests_session

    cloud = FakeCloud(seed=1)
    session = requests_session(cloud)
    assert session.post("/_iotfake/faults", data=RULE).status_code == 200
    assert session.get("/_iotfake/faults").json()["rules"][0]["operation"] == "CreateThing"
    with httpx_client(cloud) as client:
        assert client.post("/_iotfake/reset").json() == {"status": "reset"}
    assert len(cloud.faults) == 0
