"""Just-in-time provisioning: a registered CA certificate's registration config naming a JITP
template, the template a CA uses cannot be deleted, and the provisioning a device certificate
signed by the CA triggers on its first connection."""

from __future__ import annotations

import json

import pytest
from aws_helpers import POLICY, template
from aws_pki import CustomerCA, customer_ca, register_ca

from iotfake import FakeCloud
from iotfake.providers.aws_iot.wire import AwsError
from iotfake.registry.errors import NotFound

ROLE = "arn:aws:iam::123456789012:role/JITPRole"
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


@pytest.fixture
def ca() -> CustomerCA:
    return customer_ca()


@pytest.fixture
def ca_id(iot, ca: CustomerCA) -> str:
    return register_ca(iot, ca, allowAutoRegistration=True)


@pytest.fixture
def jitp(iot, aws_cloud: FakeCloud, ca_id: str):
    iot.create_provisioning_template(
        templateName="jitp", templateBody=JITP_BODY, provisioningRoleArn=ROLE, type="JITP", enabled=True
    )
    aws_cloud.aws.set_registration_config(ca_id, {"templateName": "jitp", "roleArn": ROLE})
    return aws_cloud.aws


def test_the_association_is_kept_by_ca_certificate_id(iot, jitp, ca, ca_id) -> None:
    assert jitp.registration_config(ca_id) == {"templateName": "jitp", "roleArn": ROLE}
    assert jitp.registration_config("00" * 32) is None
    jitp.set_registration_config(ca_id, None)
    assert jitp.registration_config(ca_id) is None
    iot.delete_provisioning_template(templateName="jitp")


def test_only_an_existing_jitp_template_can_be_named(iot, jitp, ca, ca_id) -> None:
    iot.create_provisioning_template(
        templateName="fleet", templateBody=JITP_BODY, provisioningRoleArn=ROLE, enabled=True
    )
    with pytest.raises(AwsError, match="of type FLEET_PROVISIONING, not JITP"):
        jitp.set_registration_config(ca_id, {"templateName": "fleet"})
    with pytest.raises(NotFound):
        jitp.set_registration_config(ca_id, {"templateName": "ghost"})
    with pytest.raises(AwsError, match="not both"):
        jitp.set_registration_config(ca_id, {"templateName": "jitp", "templateBody": JITP_BODY})
    with pytest.raises(AwsError, match="Invalid registration template"):
        jitp.set_registration_config(ca_id, {"templateBody": "{"})
    assert jitp.registration_config(ca_id) == {"templateName": "jitp", "roleArn": ROLE}


def test_a_template_a_ca_uses_cannot_be_deleted(iot, jitp, ca, ca_id) -> None:
    with pytest.raises(iot.exceptions.DeleteConflictException, match="registration config uses it"):
        iot.delete_provisioning_template(templateName="jitp")
    assert iot.describe_provisioning_template(templateName="jitp")["type"] == "JITP"


def test_a_devices_first_connection_provisions_it(iot, jitp, ca, ca_id) -> None:
    pem = ca.device()
    answer = jitp.jitp_provision(ca_id, pem)
    assert set(answer["resourceArns"]) == {"thing", "certificate", "policy"}
    assert answer["certificatePem"] == pem
    assert iot.describe_thing(thingName="sensor-001")["attributes"] == {"country": "DE"}
    principal = answer["resourceArns"]["certificate"]
    assert iot.list_thing_principals(thingName="sensor-001")["principals"] == [principal]
    certificate_id = principal.rsplit("/", 1)[1]
    described = iot.describe_certificate(certificateId=certificate_id)["certificateDescription"]
    assert (described["status"], described["certificatePem"]) == ("ACTIVE", pem)
    assert len(iot.list_attached_policies(target=principal)["policies"]) == 1
    jitp.jitp_provision(ca_id, pem)  # a second connection changes nothing
    assert len(iot.list_things()["things"]) == 1


def test_a_failing_jitp_registers_nothing(iot, jitp, ca, ca_id) -> None:
    grouped = JITP_BODY.replace('"AttributePayload"', '"ThingGroups": ["missing"], "AttributePayload"')
    iot.create_provisioning_template_version(templateName="jitp", templateBody=grouped, setAsDefault=True)
    with pytest.raises(AwsError, match="Thing group missing does not exist"):
        jitp.jitp_provision(ca_id, ca.device())
    assert iot.list_certificates()["certificates"] == []
    assert iot.list_things()["things"] == []
    iot.update_provisioning_template(templateName="jitp", enabled=False, defaultVersionId=1)
    with pytest.raises(AwsError, match="not enabled"):
        jitp.jitp_provision(ca_id, ca.device())
    jitp.set_registration_config(ca_id, None)
    with pytest.raises(AwsError, match="no registration config"):
        jitp.jitp_provision(ca_id, ca.device())
    with pytest.raises(AwsError, match="does not exist"):
        jitp.jitp_provision("00" * 32, ca.device())


def test_an_inline_template_body_works_too(iot, aws_cloud: FakeCloud, ca, ca_id) -> None:
    aws_cloud.aws.set_registration_config(ca_id, {"templateBody": JITP_BODY, "roleArn": ROLE})
    aws_cloud.aws.jitp_provision(ca_id, ca.device("inline-1", "FR"))
    assert iot.describe_thing(thingName="inline-1")["attributes"] == {"country": "FR"}


def test_the_association_survives_a_snapshot(iot, jitp, aws_cloud: FakeCloud, ca_id) -> None:
    other = FakeCloud.from_snapshot(aws_cloud.snapshot())
    assert other.aws.registration_config(ca_id) == {"templateName": "jitp", "roleArn": ROLE}


def test_only_an_active_ca_with_auto_registration_provisions(iot, jitp, ca, ca_id) -> None:
    iot.update_ca_certificate(certificateId=ca_id, newAutoRegistrationStatus="DISABLE")
    with pytest.raises(AwsError, match="auto-registration DISABLE") as caught:
        jitp.jitp_provision(ca_id, ca.device())
    assert caught.value.code == "CertificateStateException"
    iot.update_ca_certificate(certificateId=ca_id, newAutoRegistrationStatus="ENABLE", newStatus="INACTIVE")
    with pytest.raises(AwsError, match="it is INACTIVE"):
        jitp.jitp_provision(ca_id, ca.device())
    assert iot.list_things()["things"] == []


def test_a_certificate_another_ca_signed_is_not_provisioned(iot, jitp, ca_id) -> None:
    with pytest.raises(AwsError, match="not signed by CA certificate"):
        jitp.jitp_provision(ca_id, customer_ca("Acme devices CA").device())
    assert iot.list_certificates()["certificates"] == []


def test_a_registration_config_needs_a_registered_ca(aws_cloud: FakeCloud, iot) -> None:
    with pytest.raises(NotFound):
        aws_cloud.aws.set_registration_config("ab" * 32, {"templateBody": JITP_BODY})


def test_a_provisioned_certificate_names_its_ca(iot, jitp, ca, ca_id) -> None:
    answer = jitp.jitp_provision(ca_id, ca.device())
    certificate_id = answer["resourceArns"]["certificate"].rsplit("/", 1)[1]
    assert (
        iot.describe_certificate(certificateId=certificate_id)["certificateDescription"]["caCertificateId"]
        == ca_id
    )
    assert [
        c["certificateId"] for c in iot.list_certificates_by_ca(caCertificateId=ca_id)["certificates"]
    ] == [certificate_id]
