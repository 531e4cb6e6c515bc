"""Fleet provisioning's MQTT API without the broker (fleet_topics.respond): create keys or sign a
CSR for an ownership token, then RegisterThing by template with it."""

from __future__ import annotations

import json

import pytest
from aws_helpers import POLICY, csr_pem

from iotfake import FakeCloud
from iotfake.providers.aws_iot.fleet_topics import respond

ROLE = "arn:aws:iam::123456789012:role/Provisioning"
TEMPLATE = json.dumps(
    {
        "Parameters": {"SerialNumber": {"Type": "String"}},
        "Resources": {
            "thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": "SerialNumber"}}},
            "certificate": {
                "Type": "AWS::IoT::Certificate",
                "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "ACTIVE"},
            },
            "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyDocument": json.dumps(POLICY)}},
        },
        "DeviceConfiguration": {"fallbackUrl": "https://example.com"},
    }
)


@pytest.fixture
def fleet(iot, aws_cloud: FakeCloud):
    iot.create_provisioning_template(
        templateName="widgets", templateBody=TEMPLATE, provisioningRoleArn=ROLE, enabled=True
    )
    claim = iot.create_provisioning_claim(templateName="widgets")
    aws = aws_cloud.providers["aws"]
    tenant = aws.account("123456789012", "us-east-1")

    def publish(topic: str, document) -> tuple[str, dict]:
        payload = document if isinstance(document, bytes) else json.dumps(document).encode()
        ((answer_topic, answer),) = respond(
            aws, tenant, topic, payload, certificate_id=claim["certificateId"], client_id="w-1"
        )
        return answer_topic, json.loads(answer)

    return publish


def test_create_keys_then_provision_by_claim(iot, aws_cloud, fleet) -> None:
    topic, created = fleet("$aws/certificates/create/json", {})
    assert topic == "$aws/certificates/create/json/accepted"
    assert set(created) == {"certificateId", "certificatePem", "privateKey", "certificateOwnershipToken"}
    described = iot.describe_certificate(certificateId=created["certificateId"])["certificateDescription"]
    assert described["status"] == "PENDING_ACTIVATION"
    topic, accepted = fleet(
        "$aws/provisioning-templates/widgets/provision/json",
        {
            "certificateOwnershipToken": created["certificateOwnershipToken"],
            "parameters": {"SerialNumber": "W-1"},
        },
    )
    assert topic == "$aws/provisioning-templates/widgets/provision/json/accepted"
    assert accepted == {"deviceConfiguration": {"fallbackUrl": "https://example.com"}, "thingName": "W-1"}
    described = iot.describe_certificate(certificateId=created["certificateId"])["certificateDescription"]
    assert described["status"] == "ACTIVE"
    assert iot.list_thing_principals(thingName="W-1")["principals"] == [described["certificateArn"]]
    entry = aws_cloud.journal.last(operation="CreateKeysAndCertificate")
    assert (entry.method, entry.path) == ("MQTT", "$aws/certificates/create/json")


def test_create_from_csr(iot, fleet) -> None:
    csr, _key = csr_pem("device-csr")
    topic, created = fleet("$aws/certificates/create-from-csr/json", {"certificateSigningRequest": csr})
    assert topic.endswith("/accepted") and "privateKey" not in created
    topic, refused = fleet("$aws/certificates/create-from-csr/json", {"certificateSigningRequest": "nope"})
    assert topic == "$aws/certificates/create-from-csr/json/rejected"
    assert (refused["statusCode"], refused["errorCode"]) == (400, "InvalidRequest")


def test_tokens_expire_after_an_hour(aws_cloud, fleet) -> None:
    _, created = fleet("$aws/certificates/create/json", {})
    aws_cloud.clock.advance(3601)
    topic, refused = fleet(
        "$aws/provisioning-templates/widgets/provision/json",
        {
            "certificateOwnershipToken": created["certificateOwnershipToken"],
            "parameters": {"SerialNumber": "W-2"},
        },
    )
    assert topic.endswith("/rejected")
    # the claim (five minutes) has expired too by now: AWS checks the claim first
    assert refused["errorCode"] in ("AccessDenied", "InvalidCertificateOwnershipToken")


def test_bad_requests_are_rejected(fleet) -> None:
    topic, refused = fleet(
        "$aws/provisioning-templates/widgets/provision/json",
        {"certificateOwnershipToken": "made-up", "parameters": {"SerialNumber": "W-3"}},
    )
    assert (refused["statusCode"], refused["errorCode"]) == (400, "InvalidCertificateOwnershipToken")
    assert "not one this account issued" in refused["errorMessage"]
    topic, refused = fleet("$aws/certificates/create/json", b"{not json")
    assert topic == "$aws/certificates/create/json/rejected" and refused["errorCode"] == "InvalidPayload"
    topic, refused = fleet("$aws/certificates/create/cbor", b"\xa0")
    assert topic == "$aws/certificates/create/cbor/rejected" and "CBOR" in refused["errorMessage"]


def test_fault_rules_reach_the_mqtt_api(aws_cloud, fleet) -> None:
    aws_cloud.faults.add(
        provider="aws", operation="CreateKeysAndCertificate", error="ThrottlingException", times=1
    )
    topic, refused = fleet("$aws/certificates/create/json", {})
    assert topic.endswith("/rejected") and refused["errorCode"] == "Throttling"
    topic, _ = fleet("$aws/certificates/create/json", {})
    assert topic.endswith("/accepted")
