"""One live fake with its broker per module; a fresh cloud state per test."""

from __future__ import annotations

import json

import pytest
from aws_helpers import in_process

from iotfake import FakeCloud

from ._device import Device

EVERYTHING = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
)


@pytest.fixture(scope="module")
def served():
    cloud = FakeCloud(seed=5)
    with cloud.serve() as server:
        assert server.mqtt is not None, "the broker needs the mqtt extra: pip install -e '.[test]'"
        yield server


@pytest.fixture
def cloud(served) -> FakeCloud:
    served.cloud.reset()
    return served.cloud


@pytest.fixture
def iot(cloud):
    return in_process(cloud)


@pytest.fixture
def iot_data(cloud):
    return in_process(cloud, "iot-data")


@pytest.fixture
def thing(iot):
    """``thing(name, policy=...)``: a thing with an ACTIVE certificate and a policy attached."""

    def make(name: str = "lamp", policy: str = EVERYTHING, *, attach: bool = True) -> dict:
        iot.create_thing(thingName=name)
        cert = iot.create_keys_and_certificate(setAsActive=True)
        if attach:
            iot.attach_thing_principal(thingName=name, principal=cert["certificateArn"])
        iot.create_policy(policyName=f"{name}-policy", policyDocument=policy)
        iot.attach_policy(policyName=f"{name}-policy", target=cert["certificateArn"])
        return cert

    return make


@pytest.fixture
def devices(served):
    """``devices(client_id, cert)``: a connected (or refused) AWS device; closed after the test."""
    made: list[Device] = []

    def connect(
        client_id: str, cert: dict | None, *, expect: int | None = 0, clean_session: bool = True
    ) -> Device:
        device = Device(client_id, clean_session=clean_session)
        key = cert["keyPair"]["PrivateKey"] if cert else None
        device.tls(served.cloud.ca_pem, cert["certificatePem"] if cert else None, key)
        made.append(device)
        code = device.connect(served.mqtt.tls_port)
        if expect is not None:
            assert code == expect, f"CONNACK {code}, expected {expect}"
        return device

    yield connect
    for device in made:
        device.close()
