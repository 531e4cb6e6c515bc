"""README, "pytest in twenty lines": the example passes when pasted into a test file."""

from __future__ import annotations

from collections.abc import Callable

import pytest


def test_the_pasted_example_passes(pytester: pytest.Pytester, readme: Callable[[str], list[str]]) -> None:
    [example] = readme("pytest in twenty lines")
    assert len(example.splitlines()) <= 25  # the README promises about twenty
    pytester.makepyfile(test_devices=example)
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)
