"""Who may connect (device_auth): registered, ACTIVE, valid, CA active, iot:Connect allowed; JITR
and JITP on a first connection with a certificate a registered CA signed."""

from __future__ import annotations

import json

import pytest
from aws_helpers import POLICY
from aws_pki import customer_ca, register_ca

from iotfake import FakeCloud
from iotfake.providers.aws_iot.device_auth import Refused, admit

CONNECT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}
)


@pytest.fixture
def aws(aws_cloud: FakeCloud, iot):
    return aws_cloud.providers["aws"]


def test_an_active_certificate_with_a_connect_policy_gets_in(aws, iot) -> None:
    cert = iot.create_keys_and_certificate(setAsActive=True)
    with pytest.raises(Refused, match="no policy allows iot:Connect"):
        admit(aws, cert["certificatePem"], "lamp-1")
    iot.create_policy(policyName="connect", policyDocument=CONNECT)
    iot.attach_policy(policyName="connect", target=cert["certificateArn"])
    admission = admit(aws, cert["certificatePem"], "lamp-1")
    assert (
        admission.certificate_id == cert["certificateId"] and admission.tenant.id == "123456789012/us-east-1"
    )
    iot.update_certificate(certificateId=cert["certificateId"], newStatus="INACTIVE")
    with pytest.raises(Refused, match="is INACTIVE, not ACTIVE"):
        admit(aws, cert["certificatePem"], "lamp-1")
    iot.update_certificate(certificateId=cert["certificateId"], newStatus="REVOKED")
    with pytest.raises(Refused, match="REVOKED"):
        admit(aws, cert["certificatePem"], "lamp-1")


def test_unknown_and_expired_certificates_are_refused(aws, aws_cloud, iot) -> None:
    with pytest.raises(Refused, match="not registered in any account"):
        admit(aws, customer_ca().device(), "x")
    cert = iot.create_keys_and_certificate(setAsActive=True)
    iot.create_policy(policyName="connect", policyDocument=CONNECT)
    iot.attach_policy(policyName="connect", target=cert["certificateArn"])
    aws_cloud.clock.advance(40 * 365 * 86400)  # past the end of 2049
    with pytest.raises(Refused, match="not valid now"):
        admit(aws, cert["certificatePem"], "lamp-1")


def test_a_certificate_under_an_inactive_ca_is_refused(aws, iot) -> None:
    ca = customer_ca()
    ca_id = register_ca(iot, ca)
    device = ca.device("d1")
    cert_id = iot.register_certificate(certificatePem=device, status="ACTIVE")["certificateId"]
    iot.create_policy(policyName="connect", policyDocument=CONNECT)
    iot.attach_policy(policyName="connect", target=f"arn:aws:iot:us-east-1:123456789012:cert/{cert_id}")
    assert admit(aws, device, "d1").certificate_id == cert_id
    iot.update_ca_certificate(certificateId=ca_id, newStatus="INACTIVE")
    with pytest.raises(Refused, match=r"CA certificate \w+ is INACTIVE"):
        admit(aws, device, "d1")


def test_jitr_registers_a_first_connection_pending_activation(aws, aws_cloud, iot) -> None:
    published = []
    aws_cloud.changes.subscribe(
        lambda batch: published.extend(c.after.data for c in batch if c.kind == "published")
    )
    ca = customer_ca()
    ca_id = register_ca(iot, ca, allowAutoRegistration=True)
    device = ca.device("d1")
    with pytest.raises(Refused, match="registered just in time") as caught:
        admit(aws, device, "d1")
    assert caught.value.registered
    (listed,) = iot.list_certificates_by_ca(caCertificateId=ca_id)["certificates"]
    assert listed["status"] == "PENDING_ACTIVATION"
    (event,) = published
    assert event["topic"] == f"$aws/events/certificates/registered/{ca_id}"
    assert json.loads(event["payload"])["certificateId"] == listed["certificateId"]
    with pytest.raises(Refused, match="PENDING_ACTIVATION, not ACTIVE"):
        admit(aws, device, "d1")  # until the customer's code activates it


def test_jitp_provisions_on_first_connection(aws, iot) -> None:
    ca = customer_ca()
    body = json.dumps(
        {
            "Parameters": {"AWS::IoT::Certificate::CommonName": {"Type": "String"}},
            "Resources": {
                "thing": {
                    "Type": "AWS::IoT::Thing",
                    "Properties": {"ThingName": {"Ref": "AWS::IoT::Certificate::CommonName"}},
                },
                "certificate": {
                    "Type": "AWS::IoT::Certificate",
                    "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "ACTIVE"},
                },
                "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyDocument": json.dumps(POLICY)}},
            },
        }
    )
    register_ca(iot, ca, allowAutoRegistration=True, registrationConfig={"templateBody": body})
    device = ca.device("sensor-7")
    with pytest.raises(Refused, match="provisioned just in time"):
        admit(aws, device, "sensor-7")
    assert iot.describe_thing(thingName="sensor-7")["thingName"] == "sensor-7"
    assert admit(aws, device, "sensor-7").connection.thing == "sensor-7"  # the reconnect gets in
