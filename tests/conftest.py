from __future__ import annotations

from collections.abc import Iterator

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud
from iotfake.server import Server

ENOS_HEADERS = {"apim-accesstoken": "test-token"}


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud(seed=1)


@pytest.fixture
def client(cloud: FakeCloud) -> Client:
    return Client(cloud.wsgi_app)


@pytest.fixture
def server(cloud: FakeCloud) -> Iterator[Server]:
    """A live server for the test's ``cloud``."""
    with cloud.serve() as server:
        yield server
