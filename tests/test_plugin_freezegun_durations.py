"""With the plugin loaded, a fixture that freezes time leaves pytest's own timings real."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

pytest_plugins = ["pytester"]


def test_durations_stay_real_when_a_fixture_freezes_time(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from freezegun import freeze_time

        @pytest.fixture
        def frozen():
            with freeze_time("2030-01-01"):
                yield

        def test_frozen(frozen, iotfake):
            iotfake.clock.advance(10)
        """
    )
    result = pytester.runpytest_subprocess("--durations=0", "-vv")  # the installed plugin
    result.assert_outcomes(passed=1)
    seconds = [float(s) for s in re.findall(r"^([\d.]+)s (?:setup|call|teardown)", result.stdout.str(), re.M)]
    assert seconds and max(seconds) < 60
