"""The README's twenty-line example passes under every auth mode (issue 13, item 3): under strict
auth the iotfake_enos fixture seeds an app, takes a real token and signs every call."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.mark.parametrize("mode", ["off", "lenient", "strict"])
def test_the_twenty_lines_pass_in_every_auth_mode(
    pytester: pytest.Pytester, readme: Callable[[str], list[str]], mode: str
) -> None:
    [example] = readme("pytest in twenty lines")
    pytester.makeconftest(
        f"""
import pytest

@pytest.fixture(scope="session")
def iotfake_auth():
    return {mode!r}
"""
    )
    pytester.makepyfile(test_devices=example)
    pytester.runpytest("--strict-markers", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_strict_auth_really_checks_what_the_fixture_sends(pytester: pytest.Pytester) -> None:
    """The strict session's calls are signed; a call without the signature is refused."""
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="session")
def iotfake_auth():
    return "strict"
"""
    )
    pytester.makepyfile(
        test_strict="""
import requests

def test_signed_and_unsigned(iotfake_enos):
    signed = iotfake_enos.post("/connect-service/v2.1/devices?action=search&orgId=o1", json={})
    assert signed.json()["code"] == 0, signed.text
    bare = requests.post(iotfake_enos.url("/connect-service/v2.1/devices?action=search&orgId=o1"),
                         json={}, headers={"apim-accesstoken": "made-up"}, timeout=10)
    assert bare.json()["apim_status"] == 4012
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
