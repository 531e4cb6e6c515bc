"""CreateProvisioningClaim through boto3: a real claim certificate and key pair, valid for five
minutes on the fake's clock, recorded for the device side; the catalog drops the claim with its
template or its certificate; snapshots keep it."""

from __future__ import annotations

import datetime as dt

import pytest
from aws_helpers import conforms
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from test_aws_provisioning_templates import BODY, ROLE

from iotfake import FakeCloud

ACCOUNT, REGION = "123456789012", "us-east-1"


def claims(cloud: FakeCloud) -> dict:
    return cloud.aws.account(ACCOUNT, REGION).table("provisioningClaims")


def test_a_claim_is_a_five_minute_certificate(iot, aws_cloud: FakeCloud) -> None:
    iot.create_provisioning_template(templateName="widgets", templateBody=BODY, provisioningRoleArn=ROLE)
    before = aws_cloud.clock.time()
    made = conforms("CreateProvisioningClaim", iot.create_provisioning_claim(templateName="widgets"))
    expiration = made["expiration"].timestamp()
    assert int(before) + 300 <= expiration <= before + 301
    cert = x509.load_pem_x509_certificate(made["certificatePem"].encode())
    assert cert.not_valid_after_utc.timestamp() == expiration
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc) == dt.timedelta(minutes=5)
    ca = x509.load_pem_x509_certificate(aws_cloud.aws.ca_certificate_pem().encode())
    cert.verify_directly_issued_by(ca)
    key = serialization.load_pem_private_key(made["keyPair"]["PrivateKey"].encode(), password=None)
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
    described = iot.describe_certificate(certificateId=made["certificateId"])["certificateDescription"]
    assert described["status"] == "ACTIVE"
    assert described["validity"]["notAfter"].timestamp() == expiration
    assert claims(aws_cloud)[made["certificateId"]] == {
        "certificateId": made["certificateId"],
        "template": "widgets",
        "expires": int(expiration * 1000),
        "created": claims(aws_cloud)[made["certificateId"]]["created"],
    }


def test_a_claim_needs_a_fleet_provisioning_template(iot) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Provisioning template nope"):
        iot.create_provisioning_claim(templateName="nope")
    iot.create_provisioning_template(
        templateName="jitp", templateBody=BODY, provisioningRoleArn=ROLE, type="JITP"
    )
    with pytest.raises(iot.exceptions.InvalidRequestException, match="claims are for fleet provisioning"):
        iot.create_provisioning_claim(templateName="jitp")
    assert iot.list_certificates()["certificates"] == []


def test_the_claim_goes_with_its_template_or_its_certificate(iot, aws_cloud: FakeCloud) -> None:
    iot.create_provisioning_template(templateName="widgets", templateBody=BODY, provisioningRoleArn=ROLE)
    first = iot.create_provisioning_claim(templateName="widgets")["certificateId"]
    second = iot.create_provisioning_claim(templateName="widgets")["certificateId"]
    iot.update_certificate(certificateId=first, newStatus="INACTIVE")
    iot.delete_certificate(certificateId=first)
    assert list(claims(aws_cloud)) == [second]
    iot.delete_provisioning_template(templateName="widgets")
    assert claims(aws_cloud) == {}
    assert iot.describe_certificate(certificateId=second)["certificateDescription"]["status"] == "ACTIVE"


def test_claims_survive_a_snapshot(iot, aws_cloud: FakeCloud) -> None:
    iot.create_provisioning_template(templateName="widgets", templateBody=BODY, provisioningRoleArn=ROLE)
    claim = iot.create_provisioning_claim(templateName="widgets")["certificateId"]
    snapshot = aws_cloud.snapshot()
    other = FakeCloud.from_snapshot(snapshot)
    assert claims(other) == claims(aws_cloud)
    tables = next(t for t in snapshot["registry"]["tenants"] if t["provider"] == "aws")["tables"]
    del tables["certificates"][claim]
    with pytest.raises(ValueError, match=rf"provisioningClaims\.{claim}: no certificate"):
        FakeCloud.from_snapshot(snapshot)
