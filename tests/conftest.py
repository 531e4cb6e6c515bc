from __future__ import annotations

from collections.abc import Iterator

# The client libraries that tests use inside pytester's in-process runs are imported here, before
# any inner run: pytester drops the modules first imported during a run, and a fresh import of
# requests afterwards no longer matches the classes that other modules kept; cryptography's Rust
# bindings refuse the classes of a second import of its modules (the live server's broker and CA),
# so a file of plugin tests run alone failed where the whole suite had imported them already.
import boto3
import httpx  # noqa: F401
import pytest
from _scriptr import ScriptrLive
from werkzeug.test import Client

import iotfake.authority
import iotfake.mqtt.broker  # noqa: F401
from iotfake import FakeCloud
from iotfake.providers.aws_iot import keypool  # noqa: F401
from iotfake.server import Server

pytest_plugins = ["pytester"]

ENOS_HEADERS = {"apim-accesstoken": "test-token"}


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud(seed=1)


@pytest.fixture
def client(cloud: FakeCloud) -> Client:
    return Client(cloud.wsgi_app)


# -- scriptr: one live server per test module, reset per test ------------------------------------
@pytest.fixture(scope="module")
def scriptr_server() -> Iterator[tuple[FakeCloud, str]]:
    cloud = FakeCloud(seed=5)
    with cloud.serve() as server:
        yield cloud, server.url


@pytest.fixture
def live(scriptr_server: tuple[FakeCloud, str]) -> ScriptrLive:
    cloud, url = scriptr_server
    cloud.reset()
    cloud.auth = "lenient"
    return ScriptrLive(cloud, url)


@pytest.fixture
def server(cloud: FakeCloud) -> Iterator[Server]:
    """A live server for the test's ``cloud``."""
    with cloud.serve() as server:
        yield server


# -- AWS IoT: one live server per session, reset before each test (boto3 clients are slow to make) --
AWS_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


@pytest.fixture(scope="session")
def aws_cloud() -> FakeCloud:
    return FakeCloud(seed=7)


@pytest.fixture(scope="session")
def aws_server(aws_cloud: FakeCloud):
    with aws_cloud.serve() as server:
        yield server


@pytest.fixture(scope="session")
def aws_clients(aws_server):
    """``make(region=..., key=(id, secret))``: cached boto3 ``iot`` clients, retries off."""
    from botocore.config import Config

    cache: dict = {}

    def make(region: str = "us-east-1", key: tuple[str, str] = AWS_KEY):
        if (region, key) not in cache:
            cache[region, key] = boto3.client(
                "iot",
                endpoint_url=aws_server.url,
                region_name=region,
                aws_access_key_id=key[0],
                aws_secret_access_key=key[1],
                config=Config(retries={"total_max_attempts": 1}),
            )
        return cache[region, key]

    return make


@pytest.fixture(scope="session")
def jobs_client(aws_server):
    """A boto3 ``iot-jobs-data`` client (the device side of jobs) on the session's server."""
    from botocore.config import Config

    return boto3.client(
        "iot-jobs-data",
        endpoint_url=aws_server.url,
        region_name="us-east-1",
        aws_access_key_id=AWS_KEY[0],
        aws_secret_access_key=AWS_KEY[1],
        config=Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def iot(aws_cloud: FakeCloud, aws_clients):
    """A boto3 ``iot`` client on a freshly reset cloud."""
    aws_cloud.reset()
    return aws_clients()
