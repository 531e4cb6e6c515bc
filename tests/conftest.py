from __future__ import annotations

import pytest
from werkzeug.test import Client

from iotfake import FakeCloud

pytest_plugins = ["pytester"]

ENOS_HEADERS = {"apim-accesstoken": "test-token"}


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud(seed=1)


@pytest.fixture
def client(cloud: FakeCloud) -> Client:
    return Client(cloud.wsgi_app)
