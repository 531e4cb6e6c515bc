from __future__ import annotations

# The client libraries that tests use inside pytester's in-process runs are imported here, before
# any inner run: pytester drops the modules first imported during a run, and a fresh import of
# requests afterwards no longer matches the classes that other modules kept.
import boto3  # noqa: F401
import httpx  # noqa: F401
import pytest
import requests  # noqa: F401
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
