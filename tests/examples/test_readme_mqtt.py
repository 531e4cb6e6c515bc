"""README, "MQTT: devices connect": the fleet provisioning example, and the jobs one after it,
pass when pasted into a test file."""

from __future__ import annotations

from collections.abc import Callable

import pytest


def test_the_pasted_fleet_provisioning_example_passes(
    pytester: pytest.Pytester, readme: Callable[[str], list[str]]
) -> None:
    fleet, jobs = readme("MQTT: devices connect")
    assert len(fleet.splitlines()) <= 30 and len(jobs.splitlines()) <= 20
    pytester.makepyfile(test_devices=fleet + "\n\n" + jobs)  # the jobs example uses the fleet one's ALL
    pytester.runpytest("--strict-markers", "-p", "no:cacheprovider").assert_outcomes(passed=2)
