"""Just-in-time provisioning: a CA certificate's registration config naming a JITP template (the
association, stored by CA certificate id), the template a CA uses cannot be deleted, and the
provisioning a device certificate signed by the CA triggers on its first connection."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from aws_helpers import POLICY, template
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from iotfake import FakeCloud
from iotfake.providers.aws_iot.wire import AwsError
from iotfake.registry.errors import NotFound

ROLE = "arn:aws:iam::123456789012:role/JITPRole"
CA_ID = "ca" * 32
SUBJECT = "AWS::IoT::Certificate::"
JITP_BODY = template(
    {
        "thing": {
            "Type": "AWS::IoT::Thing",
            "Properties": {
                "ThingName": {"Ref": SUBJECT + "CommonName"},
                "AttributePayload": {"country": {"Ref": SUBJECT + "Country"}},
            },
        },
        "certificate": {
            "Type": "AWS::IoT::Certificate",
            "Properties": {"CertificateId": {"Ref": SUBJECT + "Id"}, "Status": "ACTIVE"},
        },
        "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyDocument": json.dumps(POLICY)}},
    },
    {SUBJECT + name: {"Type": "String"} for name in ("CommonName", "Country", "Id")},
)


def device_certificate(common_name: str = "sensor-001", country: str = "DE") -> str:
    """A device certificate signed by a CA of the customer's own."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Acme devices CA")])
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                    x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                ]
            )
        )
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture
def jitp(iot, aws_cloud: FakeCloud):
    iot.create_provisioning_template(
        templateName="jitp", templateBody=JITP_BODY, provisioningRoleArn=ROLE, type="JITP", enabled=True
    )
    aws_cloud.aws.set_registration_config(CA_ID, {"templateName": "jitp", "roleArn": ROLE})
    return aws_cloud.aws


def test_the_association_is_kept_by_ca_certificate_id(iot, jitp) -> None:
    assert jitp.registration_config(CA_ID) == {"templateName": "jitp", "roleArn": ROLE}
    assert jitp.registration_config("00" * 32) is None
    jitp.set_registration_config(CA_ID, None)
    assert jitp.registration_config(CA_ID) is None
    iot.delete_provisioning_template(templateName="jitp")


def test_only_an_existing_jitp_template_can_be_named(iot, jitp) -> None:
    iot.create_provisioning_template(
        templateName="fleet", templateBody=JITP_BODY, provisioningRoleArn=ROLE, enabled=True
    )
    with pytest.raises(AwsError, match="of type FLEET_PROVISIONING, not JITP"):
        jitp.set_registration_config(CA_ID, {"templateName": "fleet"})
    with pytest.raises(NotFound):
        jitp.set_registration_config(CA_ID, {"templateName": "ghost"})
    with pytest.raises(AwsError, match="not both"):
        jitp.set_registration_config(CA_ID, {"templateName": "jitp", "templateBody": JITP_BODY})
    with pytest.raises(AwsError, match="Invalid registration template"):
        jitp.set_registration_config(CA_ID, {"templateBody": "{"})
    assert jitp.registration_config(CA_ID) == {"templateName": "jitp", "roleArn": ROLE}


def test_a_template_a_ca_uses_cannot_be_deleted(iot, jitp) -> None:
    with pytest.raises(iot.exceptions.DeleteConflictException, match="registration config uses it"):
        iot.delete_provisioning_template(templateName="jitp")
    assert iot.describe_provisioning_template(templateName="jitp")["type"] == "JITP"


def test_a_devices_first_connection_provisions_it(iot, jitp) -> None:
    pem = device_certificate()
    answer = jitp.jitp_provision(CA_ID, pem)
    assert set(answer["resourceArns"]) == {"thing", "certificate", "policy"}
    assert answer["certificatePem"] == pem
    assert iot.describe_thing(thingName="sensor-001")["attributes"] == {"country": "DE"}
    principal = answer["resourceArns"]["certificate"]
    assert iot.list_thing_principals(thingName="sensor-001")["principals"] == [principal]
    certificate_id = principal.rsplit("/", 1)[1]
    described = iot.describe_certificate(certificateId=certificate_id)["certificateDescription"]
    assert (described["status"], described["certificatePem"]) == ("ACTIVE", pem)
    assert len(iot.list_attached_policies(target=principal)["policies"]) == 1
    jitp.jitp_provision(CA_ID, pem)  # a second connection changes nothing
    assert len(iot.list_things()["things"]) == 1


def test_a_failing_jitp_registers_nothing(iot, jitp) -> None:
    grouped = JITP_BODY.replace('"AttributePayload"', '"ThingGroups": ["missing"], "AttributePayload"')
    iot.create_provisioning_template_version(templateName="jitp", templateBody=grouped, setAsDefault=True)
    with pytest.raises(AwsError, match="Thing group missing does not exist"):
        jitp.jitp_provision(CA_ID, device_certificate())
    assert iot.list_certificates()["certificates"] == []
    assert iot.list_things()["things"] == []
    iot.update_provisioning_template(templateName="jitp", enabled=False, defaultVersionId=1)
    with pytest.raises(AwsError, match="not enabled"):
        jitp.jitp_provision(CA_ID, device_certificate())
    with pytest.raises(AwsError, match="no registration config"):
        jitp.jitp_provision("00" * 32, device_certificate())


def test_an_inline_template_body_works_too(iot, aws_cloud: FakeCloud) -> None:
    aws_cloud.aws.set_registration_config(CA_ID, {"templateBody": JITP_BODY, "roleArn": ROLE})
    aws_cloud.aws.jitp_provision(CA_ID, device_certificate("inline-1", "FR"))
    assert iot.describe_thing(thingName="inline-1")["attributes"] == {"country": "FR"}


def test_the_association_survives_a_snapshot(iot, jitp, aws_cloud: FakeCloud) -> None:
    other = FakeCloud.from_snapshot(aws_cloud.snapshot())
    assert other.aws.registration_config(CA_ID) == {"templateName": "jitp", "roleArn": ROLE}
