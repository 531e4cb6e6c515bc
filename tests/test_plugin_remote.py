"""``--iotfake-url``: the plugin's fixtures against an external ``iotfake serve``, each xdist worker
in a namespace of its own, reset before every test (issue 13's namespaces paragraph)."""

from __future__ import annotations

import pytest
import requests
from serve_process import serving

pytestmark = pytest.mark.e2e

SUITE = """
import pytest

PRODUCT = {"productName": {"defaultValue": "Meter"}, "productType": "Device", "dataFormat": "Json",
           "modelId": "meter", "biDirectionalAuth": False}
DEVICES = "/connect-service/v2.1/devices?action=create&orgId=o1"


def create(enos, key):
    pk = enos.post("/connect-service/v2.1/products?action=create&orgId=o1", json=PRODUCT).json()["data"]
    body = {"productKey": pk, "deviceKey": key, "timezone": "+08:00", "deviceName": {"defaultValue": key}}
    return enos.post(DEVICES, json=body).json()


@pytest.mark.parametrize("n", range(6))
def test_the_same_device_key_every_time(iotfake_enos, iotfake_server, n):
    assert "/_ns/pytest-" in iotfake_server.url
    assert create(iotfake_enos, "meter-1")["code"] == 0  # 11702 if a namespace were shared or kept


@pytest.mark.iotfake(faults=[{"provider": "enos", "operation": "CreateDevice", "action": {"error": "11714"}}])
def test_markers_reach_the_namespace(iotfake_enos, iotfake):
    assert create(iotfake_enos, "meter-2")["code"] == 11714
    entry = iotfake.journal.last(operation="CreateDevice")
    assert entry.rule and entry.code == "11714"
    iotfake.faults.add(provider="enos", operation="CreateProduct", error="99500")
    assert [rule["provider"] for rule in iotfake.faults] == ["enos", "enos"]


@pytest.mark.iotfake(seed=3)
def test_a_seed_marker_is_refused(iotfake):
    pass
"""


def test_workers_share_one_server_in_namespaces_of_their_own(pytester: pytest.Pytester) -> None:
    with serving("--no-mqtt") as served:
        pytester.makepyfile(test_remote=SUITE)
        result = pytester.runpytest(
            "-p", "xdist", "-n", "2", f"--iotfake-url={served.url}", "-p", "no:cacheprovider"
        )
        result.assert_outcomes(passed=7, errors=1)
        result.stdout.fnmatch_lines(["*cannot apply with --iotfake-url*"])
        names = [
            n["name"]
            for n in requests.get(f"{served.url}/_iotfake/namespaces", timeout=10).json()["namespaces"]
        ]
        assert sorted({n.split("-")[1] for n in names if n.startswith("pytest-")}) == ["gw0", "gw1"]
