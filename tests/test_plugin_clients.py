"""The ready-made clients: ``iotfake_enos``, ``iotfake_scriptr`` and ``iotfake_boto3``."""

from __future__ import annotations

import sys

import pytest


def test_enos_session_sends_the_token_to_the_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
PRODUCT = {"productName": {"defaultValue": "Meter"}, "productType": "Device", "dataFormat": "Json",
           "modelId": "meter", "biDirectionalAuth": False}

def test_enos(iotfake_enos, iotfake_server):
    assert iotfake_enos.base_url == iotfake_server.url
    assert iotfake_enos.url("/x?y=1") == iotfake_server.url + "/x?y=1"
    assert iotfake_enos.headers["apim-accesstoken"]
    answer = iotfake_enos.post("/connect-service/v2.1/products?action=create&orgId=o1", json=PRODUCT).json()
    assert answer["code"] == 0
    absolute = iotfake_enos.get(iotfake_enos.url(
        "/connect-service/v2.1/products?action=get&orgId=o1&productKey=" + answer["data"])).json()
    assert absolute["data"]["productKey"] == answer["data"]

def test_without_the_token_the_gateway_refuses(iotfake_enos):
    del iotfake_enos.headers["apim-accesstoken"]
    answer = iotfake_enos.post("/connect-service/v2.1/products?action=create&orgId=o1", json={})
    assert answer.status_code == 401
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_scriptr_session_sends_a_bearer_token(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import requests

def test_scriptr(iotfake_scriptr, iotfake_server):
    assert iotfake_scriptr.base_url == iotfake_server.url
    request = requests.Request("GET", iotfake_scriptr.url("/scriptr/device/get"))
    prepared = iotfake_scriptr.prepare_request(request)
    assert prepared.url == iotfake_server.url + "/scriptr/device/get"
    assert prepared.headers["Authorization"].startswith("bearer ")
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_scriptr_session_creates_a_device(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_scriptr(iotfake_scriptr):
    device = {"id": "meter1", "name": "m", "password": "p"}
    answer = iotfake_scriptr.post("/scriptr/device/create", json=device)
    assert answer.json()["response"]["metadata"]["status"] == "success", answer.text
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_boto3_client_is_wired_to_the_server_with_retries_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_boto3(iotfake_boto3, iotfake_server):
    assert iotfake_boto3.meta.endpoint_url == iotfake_server.url
    assert iotfake_boto3.meta.service_model.service_name == "iot"
    assert iotfake_boto3.meta.config.retries["total_max_attempts"] == 1
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_boto3_config_is_a_setting(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import pytest
from botocore.config import Config

@pytest.fixture
def iotfake_boto3_config():
    return Config(retries={"total_max_attempts": 4, "mode": "standard"})
"""
    )
    pytester.makepyfile(
        """
def test_boto3(iotfake_boto3):
    assert iotfake_boto3.meta.config.retries["total_max_attempts"] == 4
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_boto3_client_creates_a_thing_the_cloud_sees(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_boto3(iotfake_boto3, iotfake):
    iotfake_boto3.create_thing(thingName="meter-1")
    assert iotfake_boto3.describe_thing(thingName="meter-1")["thingName"] == "meter-1"
    assert [e.operation for e in iotfake.journal.calls(provider="aws")] == ["CreateThing", "DescribeThing"]
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize(("module", "fixture"), [("requests", "iotfake_enos"), ("boto3", "iotfake_boto3")])
def test_a_missing_client_library_fails_with_the_install_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, module: str, fixture: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # what an uninstalled module looks like to import
    pytester.makepyfile(f"def test_client({fixture}):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [f"the {fixture} fixture needs {module}: pip install 'iotfake?test?' (or just {module})"]
    )
