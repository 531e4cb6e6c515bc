"""The reliability suite: concurrency, fuzzing, limits, hostile input.

Each test has a quick form that runs in the default ``pytest -q`` (hundreds of examples) and, where
more examples find more, a long form marked ``slow`` (thousands). Slow tests run only when asked:
``pytest -m slow tests/reliability``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = __file__.rsplit("/", 1)[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave this folder's slow tests out unless a ``-m`` expression names them."""
    if "slow" in (config.option.markexpr or ""):
        return
    slow = [item for item in items if item.get_closest_marker("slow") and str(item.path).startswith(HERE)]
    if slow:
        config.hook.pytest_deselected(items=slow)
        chosen = {id(item) for item in slow}
        items[:] = [item for item in items if id(item) not in chosen]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The schemathesis run is all slow: without ``-m slow`` its module is not even imported."""
    if collection_path.name == "test_reliability_schemathesis.py" and "slow" not in (
        config.option.markexpr or ""
    ):
        return True
    return None
