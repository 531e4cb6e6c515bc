"""The admin API can reset, seed and read every secret, so it answers loopback (and in-process)
clients only, unless ``iotfake serve --admin-token TOKEN`` lets others in with that token."""

from __future__ import annotations

import pytest
import requests
from serve_process import serving
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.cli import _parser

REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/_iotfake/health", "GET"),
        ("/_iotfake/state", "GET"),
        ("/_iotfake/reset", "POST"),
        ("/_iotfake/seed", "POST"),
    ],
)
def test_a_remote_client_is_refused_without_a_token(path: str, method: str) -> None:
    cloud = FakeCloud(seed=51)
    acme = cloud.scriptr("acme")
    answer = Client(cloud.wsgi_app).open(path, method=method, json={}, environ_overrides=REMOTE)
    assert answer.status_code == 403
    assert "loopback clients only" in answer.json["error"] and "--admin-token" in answer.json["error"]
    assert cloud.scriptr("acme").token == acme.token  # nothing reset


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_and_in_process_clients_need_no_token(address: str) -> None:
    client = Client(FakeCloud(seed=52, admin_token="s3cret").wsgi_app)
    assert client.get("/_iotfake/health", environ_overrides={"REMOTE_ADDR": address}).status_code == 200
    assert client.get("/_iotfake/health").status_code == 200  # no REMOTE_ADDR: no socket at all


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", "Basic czNjcmV0", "Bearer", "bearer s3cret-and-more", "s3cret"]
)
def test_with_a_token_a_remote_client_must_send_it(header: str | None) -> None:
    client = Client(FakeCloud(seed=53, admin_token="s3cret").wsgi_app)
    headers = {} if header is None else {"Authorization": header}
    answer = client.get("/_iotfake/state", headers=headers, environ_overrides=REMOTE)
    assert answer.status_code == 403 and "Bearer" in answer.json["error"]


@pytest.mark.parametrize("header", ["Bearer s3cret", "bearer s3cret", "BEARER  s3cret "])
def test_the_right_token_lets_a_remote_client_in(header: str) -> None:
    client = Client(FakeCloud(seed=54, admin_token="s3cret").wsgi_app)
    answer = client.get("/_iotfake/health", headers={"Authorization": header}, environ_overrides=REMOTE)
    assert answer.status_code == 200 and answer.json["status"] == "ok"


def test_provider_apis_are_not_affected() -> None:
    client = Client(FakeCloud(seed=55).wsgi_app)
    answer = client.get(
        "/connect-service/v2.1/products?action=search&orgId=o1",
        headers={"apim-accesstoken": "t"},
        environ_overrides=REMOTE,
    )
    assert answer.status_code == 200


@pytest.mark.e2e
def test_serve_takes_the_token_from_the_flag_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _parser().parse_args(["serve", "--admin-token", "abc"]).admin_token == "abc"
    monkeypatch.setenv("IOTFAKE_ADMIN_TOKEN", "from-env")
    assert _parser().parse_args(["serve"]).admin_token == "from-env"
    monkeypatch.delenv("IOTFAKE_ADMIN_TOKEN")
    assert _parser().parse_args(["serve"]).admin_token is None


@pytest.mark.e2e
def test_a_served_cloud_keeps_answering_its_loopback_clients() -> None:
    with serving("--admin-token", "s3cret") as served:
        assert requests.get(f"{served.url}/_iotfake/health", timeout=10).status_code == 200
        assert requests.post(f"{served.url}/_iotfake/reset", timeout=10).status_code == 200
