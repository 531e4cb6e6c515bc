"""pytest plugin, installed by the ``pytest11`` entry point: fixtures and the ``iotfake`` marker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .cloud import FakeCloud
from .server import Server


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "iotfake(fixtures=None, faults=None, seed=None, auth=None): configure the test's fake cloud",
    )


@pytest.fixture
def iotfake(request: pytest.FixtureRequest) -> Iterator[FakeCloud]:
    """A fresh FakeCloud, seeded from the test id so a failure reproduces."""
    marker = request.node.get_closest_marker("iotfake")
    options = dict(marker.kwargs) if marker else {}
    cloud = FakeCloud(seed=options.get("seed", request.node.nodeid), auth=options.get("auth", "lenient"))
    for path in (
        [options["fixtures"]] if isinstance(options.get("fixtures"), str) else options.get("fixtures") or []
    ):
        cloud.load(path)
    yield cloud


@pytest.fixture
def iotfake_server(iotfake: FakeCloud) -> Iterator[Server]:
    """A live HTTP server for the test's cloud."""
    with iotfake.serve() as server:
        yield server
