"""README, "pytest plugin": the marker and settings examples work as shown."""

from __future__ import annotations

from collections.abc import Callable

import pytest


def test_marker_and_conftest_examples(pytester: pytest.Pytester, readme: Callable[[str], list[str]]) -> None:
    marker, conftest = readme("pytest plugin")
    pytester.makepyfile(test_marker=marker)
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)

    pytester.makeconftest(conftest)
    pytester.makepyfile(test_strict="def test_strict(iotfake):\n    assert iotfake.auth == 'strict'\n")
    pytester.runpytest("--strict-markers", "test_strict.py").assert_outcomes(passed=1)
