"""README, "MQTT: devices connect": the fleet provisioning example passes when pasted into a test file."""

from __future__ import annotations

from collections.abc import Callable

import pytest


def test_the_pasted_fleet_provisioning_example_passes(
    pytester: pytest.Pytester, readme: Callable[[str], list[str]]
) -> None:
    [example] = readme("MQTT: devices connect")
    assert len(example.splitlines()) <= 30
    pytester.makepyfile(test_fleet=example)
    pytester.runpytest("--strict-markers", "-p", "no:cacheprovider").assert_outcomes(passed=1)
