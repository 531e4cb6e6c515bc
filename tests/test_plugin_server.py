"""``iotfake_server``: one live server per process, rebound to each test's fresh cloud."""

from __future__ import annotations

import os

import pytest


def environment() -> dict[str, str]:
    """os.environ less the variable the inner pytest session clears on its way out."""
    return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


TESTS = """
import os
import requests

PRODUCT = {"productName": {"defaultValue": "Meter"}, "productType": "Device", "dataFormat": "Json",
           "modelId": "meter", "biDirectionalAuth": False}
H = {"apim-accesstoken": "t"}
urls = []

def test_first(iotfake_server, iotfake):
    assert iotfake_server.cloud is iotfake
    urls.append(iotfake_server.url)
    answer = requests.post(iotfake_server.url + "/connect-service/v2.1/products?action=create&orgId=o1",
                           json=PRODUCT, headers=H).json()
    assert answer["code"] == 0
    os.environ["PRODUCT_KEY"] = answer["data"]

def test_second_sees_a_clean_state_on_the_same_server(iotfake_server, iotfake):
    assert iotfake_server.url == urls[0]
    answer = requests.get(iotfake_server.url + "/connect-service/v2.1/products?action=get&orgId=o1"
                          "&productKey=" + os.environ["PRODUCT_KEY"], headers=H).json()
    assert answer["code"] == 11611
    assert [e.operation for e in iotfake.journal.calls()] == ["GetProduct"]

def test_between_tests_the_server_serves_no_test_cloud(iotfake_session_server):
    assert iotfake_session_server.url == urls[0]
    journal = requests.get(iotfake_session_server.url + "/_iotfake/journal").json()
    assert journal["entries"] == []
"""


def test_one_server_for_the_process_and_a_clean_state_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


def test_environment_points_clients_at_the_server_and_is_restored(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "real-key")
    monkeypatch.delenv("IOTFAKE_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_IOT", raising=False)
    before = environment()
    pytester.makepyfile(
        """
import os

def test_env(iotfake_server):
    assert os.environ["IOTFAKE_URL"] == iotfake_server.url
    assert os.environ["AWS_ENDPOINT_URL_IOT"] == iotfake_server.url
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAIOTFAKEEXAMPLE01"
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == "iotfake-secret-key"
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
    assert "AWS_PROFILE" not in os.environ

def test_env_is_unset_after(iotfake):
    assert os.environ["AWS_PROFILE"] == "production"
    assert "IOTFAKE_URL" not in os.environ
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
    assert environment() == before


def test_unmodified_boto3_code_finds_the_server_through_the_environment(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import boto3

def test_env_client(iotfake_server):
    client = boto3.client("iot")
    assert client.meta.endpoint_url == iotfake_server.url
    assert client.meta.region_name == "us-east-1"
    assert client._request_signer._credentials.access_key == "AKIAIOTFAKEEXAMPLE01"
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_boto3_s_default_session_carries_no_credentials_across_tests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``boto3.client()`` uses ``boto3.DEFAULT_SESSION``, made from the environment the first
    time and kept: the fake's dummy key stayed in it after the test (a later test's boto3 code
    signed with it), and a session made before the test kept the real key inside it (refused
    by a strict fake)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY000000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    pytester.makeconftest(
        """
import pytest

@pytest.fixture
def iotfake_auth():
    return "strict"
"""
    )
    pytester.makepyfile(
        """
import boto3

def key():
    return boto3.client("sts", region_name="us-east-1")._request_signer._credentials.access_key

def test_1_before():
    assert key() == "AKIAREALKEY000000000"

def test_2_fake(iotfake_server):
    assert key() == "AKIAIOTFAKEEXAMPLE01"
    boto3.client("iot").create_thing(thingName="t")  # signed with the key a strict fake knows

def test_3_after():
    assert key() == "AKIAREALKEY000000000"
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


def test_host_is_a_session_setting(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="session")
def iotfake_host():
    return "localhost"
"""
    )
    pytester.makepyfile(
        """
def test_host(iotfake_server):
    assert iotfake_server.url.startswith("http://localhost:")
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_host_that_cannot_be_served_fails_set_up_with_one_line(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="session")
def iotfake_host():
    return "nonsense.invalid"
"""
    )
    pytester.makepyfile("def test_host(iotfake_server):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*the iotfake_host fixture's 'nonsense.invalid': *cannot listen on nonsense.invalid*"]
    )
    assert "Traceback" not in result.stdout.str() and "gaierror" not in result.stdout.str()
