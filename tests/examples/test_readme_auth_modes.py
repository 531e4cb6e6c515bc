"""The README's fixture examples pass under every auth mode (issue 13): under ``strict`` the
ready-made clients carry credentials the fake issued (a seeded EnOS app's signed token, the
scriptr account's owner token, a seeded AWS key), in ``off`` and ``lenient`` their stand-ins."""

from __future__ import annotations

from collections.abc import Callable

import pytest

CONFTEST = """
import pytest


@pytest.fixture(scope="session")
def iotfake_auth():
    return {mode!r}
"""

MORE = """
import pytest

DEVICES = "/connect-service/v2.1/devices?action=create&orgId=o1"


def test_scriptr_create_and_get(iotfake_scriptr, iotfake):
    device = {{"id": "d1", "name": "M", "password": "pw"}}
    made = iotfake_scriptr.post("/scriptr/device/create", json=device).json()
    assert made["response"]["metadata"]["status"] == "success", made
    got = iotfake_scriptr.post("/scriptr/device/get", json={{"id": "d1"}}).json()
    assert got["response"]["result"]["metadata"]["status"] == "success", got
    assert iotfake.auth == {mode!r}


def test_enos_survives_a_clock_move_past_the_token_lifetime(iotfake_enos, iotfake):
    answer = iotfake_enos.post("/connect-service/v2.1/products?action=search&orgId=o1", json={{}}).json()
    assert answer["code"] == 0, answer
    iotfake.clock.advance(7201)  # a token issued at set-up has expired
    answer = iotfake_enos.post("/connect-service/v2.1/products?action=search&orgId=o1", json={{}}).json()
    assert answer["code"] == 0, answer
    assert [e.outcome for e in iotfake.journal.calls()] == ["ok", "ok"]  # the fixture's tokens: no calls


def test_a_fault_on_every_enos_call_meets_the_test_not_the_fixture(iotfake_enos, iotfake):
    iotfake.faults.add(provider="enos", operation="*", error="11714", times=1)
    answer = iotfake_enos.post("/connect-service/v2.1/products?action=search&orgId=o1", json={{}}).json()
    assert answer["code"] == 11714


def test_boto3(iotfake_boto3):
    iotfake_boto3.create_thing(thingName="meter-001")
    assert iotfake_boto3.describe_thing(thingName="meter-001")["thingName"] == "meter-001"
"""


@pytest.mark.parametrize("mode", ["off", "lenient", "strict"])
def test_every_readme_fixture_example_passes_under_each_auth_mode(
    pytester: pytest.Pytester, readme: Callable[[str], list[str]], mode: str
) -> None:
    [quickstart] = readme("pytest in twenty lines")
    marker = readme("pytest plugin")[0]
    pytester.makeconftest(CONFTEST.format(mode=mode))
    pytester.makepyfile(test_quickstart=quickstart, test_marker=marker, test_more=MORE.format(mode=mode))
    result = pytester.runpytest("--strict-markers", "-p", "no:randomly")
    result.assert_outcomes(passed=6)
