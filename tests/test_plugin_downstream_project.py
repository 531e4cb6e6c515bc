"""A throwaway downstream project, with no conftest, uses every fixture and the marker.

It runs in a subprocess, as a user's CI would: plain, under pytest-xdist (one server per worker,
ports never clash, the same seeds), and through the ``conftest_plugin`` shim with and without the
installed entry point.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]

DOWNSTREAM = """
import json
import os
from pathlib import Path

import boto3
import pytest
import requests

from iotfake.pytest_plugin import FROM_TEST_ID, seed_for
from iotfake.transports import httpx_client, requests_session, route_botocore

PRODUCT = {"productName": {"defaultValue": "Meter"}, "productType": "Device", "dataFormat": "Json",
           "modelId": "meter", "biDirectionalAuth": False}
PRODUCTS = "/connect-service/v2.1/products?action="


def log(request, **fields):
    with Path(os.environ["DOWNSTREAM_LOG"]).open("a") as out:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        out.write(json.dumps({"test": request.node.nodeid, "worker": worker, **fields}) + "\\n")


@pytest.mark.parametrize("n", range(4))
def test_enos_over_the_socket_starts_clean(iotfake_enos, iotfake_server, iotfake, n, request):
    key = iotfake_enos.post(PRODUCTS + "create&orgId=o1", json=PRODUCT).json()["data"]
    assert iotfake_enos.get(PRODUCTS + f"get&orgId=o1&productKey={key}").json()["code"] == 0
    assert [e.operation for e in iotfake.journal.calls()] == ["CreateProduct", "GetProduct"]
    assert os.environ["IOTFAKE_URL"] == iotfake_server.url
    log(request, url=iotfake_server.url, seed=iotfake.seed_value, product=key)


def test_every_in_process_transport_reaches_the_cloud(iotfake, iotfake_seed, request):
    with requests_session(iotfake) as session, httpx_client(iotfake) as client:
        session.headers["apim-accesstoken"] = "t"
        assert session.post(PRODUCTS + "create&orgId=o1", json=PRODUCT).json()["code"] == 0
        answer = client.post(PRODUCTS + "create&orgId=o1", json=PRODUCT, headers={"apim-accesstoken": "t"})
        assert answer.json()["code"] == 0
    iot = route_botocore(boto3.client("iot", endpoint_url="http://iotfake", region_name="us-east-1",
                                      aws_access_key_id="a", aws_secret_access_key="s"), iotfake)
    iot.create_thing(thingName="meter-1")
    assert [e.provider for e in iotfake.journal.calls()] == ["enos", "enos", "aws"]
    assert iotfake_seed is FROM_TEST_ID and iotfake.seed_value == seed_for(request.node.nodeid)
    log(request, seed=iotfake.seed_value)


KEY_BUSY = {"provider": "enos", "operation": "CreateDevice", "action": {"error": "11714"}, "times": 1}


@pytest.mark.iotfake(fixtures=["scenario.json", "two_orgs"], faults=KEY_BUSY, seed=99, auth="off")
@pytest.mark.iotfake(throttle_profile="slow.json")
def test_marker(iotfake, iotfake_auth):
    assert (iotfake.seed_value, iotfake.auth, iotfake_auth) == (99, "off", "lenient")
    assert iotfake.registry.find_tenant("enos", "o15475450989191") is not None
    assert len(iotfake.faults.rules) == 2


def test_boto3(iotfake_boto3, iotfake_server, iotfake_boto3_config):
    assert iotfake_boto3.meta.endpoint_url == iotfake_server.url
    assert boto3.client("iot").meta.endpoint_url == iotfake_server.url
    iotfake_boto3.create_thing(thingName="meter-1")
    assert iotfake_boto3.describe_thing(thingName="meter-1")["thingName"] == "meter-1"


def test_scriptr(iotfake_scriptr, iotfake_server):
    assert iotfake_scriptr.url("/scriptr/device/get") == iotfake_server.url + "/scriptr/device/get"
    assert iotfake_scriptr.headers["Authorization"].startswith("bearer ")


def test_session_server_and_host(iotfake_session_server, iotfake_host):
    assert iotfake_session_server.url.startswith(f"http://{iotfake_host}:")
    assert requests.get(iotfake_session_server.url + "/_iotfake/health").json()["status"] == "ok"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "downstream"
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "test_downstream.py").write_text(DOWNSTREAM)
    (root / "tests" / "scenario.json").write_text("{}")
    slow = {"rules": [{"provider": "enos", "action": {"throttle": {"rate": 50, "burst": 50}}}]}
    (root / "tests" / "slow.json").write_text(json.dumps(slow))
    (root / "pytest.ini").write_text(
        "[pytest]\naddopts = --strict-markers -p no:cacheprovider -p no:randomly\n"
    )
    return root


@pytest.fixture
def run(project: Path) -> Callable[..., list[dict]]:
    def run(*args: str, env: dict[str, str] | None = None) -> list[dict]:
        log = project / f"log-{len(list(project.glob('log-*')))}.jsonl"
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "AWS_", "IOTFAKE_"))}
        environ.update(env or {}, DOWNSTREAM_LOG=str(log))
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", *args],
            cwd=project,
            env=environ,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "9 passed" in done.stdout, done.stdout
        return [json.loads(line) for line in log.read_text().splitlines()]

    return run


def seeds(entries: list[dict]) -> dict[str, int]:
    return {e["test"]: e["seed"] for e in entries}


def test_plain_and_xdist_runs_pass_with_one_server_per_worker(run: Callable[..., list[dict]]) -> None:
    plain = run()
    socket_tests = [e for e in plain if "url" in e]
    assert len(socket_tests) == 4
    assert len({e["url"] for e in socket_tests}) == 1  # one server for the whole session

    spread = run("-n", "2", "--dist", "load")
    urls_by_worker: dict[str, set[str]] = {}
    for entry in spread:
        if "url" in entry:
            urls_by_worker.setdefault(entry["worker"], set()).add(entry["url"])
    assert set(urls_by_worker) == {"gw0", "gw1"}
    assert all(len(urls) == 1 for urls in urls_by_worker.values())  # one server per worker ...
    assert len(set.union(*urls_by_worker.values())) == 2  # ... on its own port
    # the same test gets the same seed, and so the same generated values, wherever it runs
    assert seeds(spread) == seeds(plain)
    assert {e["test"]: e["product"] for e in spread if "product" in e} == {
        e["test"]: e["product"] for e in plain if "product" in e
    }


def test_the_source_checkout_shim_works_alone_and_beside_the_installed_plugin(
    run: Callable[..., list[dict]],
) -> None:
    shim = {"PYTHONPATH": str(ROOT)}
    alone = run("-p", "conftest_plugin", env={**shim, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    both = run("-p", "conftest_plugin", env=shim)
    assert seeds(alone) == seeds(both)
