"""CA certificates (RegisterCACertificate and family), the registration code, device certificates
registered with or without a CA (RegisterCertificate, RegisterCertificateWithoutCA,
ListCertificatesByCA), through boto3."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from aws_helpers import conforms, in_process, template
from aws_pki import NOW, customer_ca, register_ca

from iotfake import FakeCloud

ROLE = "arn:aws:iam::123456789012:role/JITPRole"
CN = "AWS::IoT::Certificate::CommonName"
BODY = template(
    {"thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": CN}}}}, {CN: {"Type": "String"}}
)


def test_the_registration_code_is_stable_until_deleted(iot) -> None:
    code = conforms("GetRegistrationCode", iot.get_registration_code())["registrationCode"]
    assert re.fullmatch(r"[0-9a-f]{64}", code)
    assert iot.get_registration_code()["registrationCode"] == code
    iot.delete_registration_code()
    assert iot.get_registration_code()["registrationCode"] != code


def test_a_seeded_cloud_hands_out_the_same_code_every_run() -> None:
    codes = []
    for _ in range(2):
        codes.append(in_process(FakeCloud(seed=11)).get_registration_code()["registrationCode"])
    assert codes[0] == codes[1]


def test_register_describe_and_list_a_ca(iot) -> None:
    ca = customer_ca()
    code = iot.get_registration_code()["registrationCode"]
    answer = conforms(
        "RegisterCACertificate",
        iot.register_ca_certificate(
            caCertificate=ca.pem,
            verificationCertificate=ca.verification(code),
            setAsActive=True,
            allowAutoRegistration=True,
            tags=[{"Key": "team", "Value": "fleet"}],
        ),
    )
    ca_id = answer["certificateId"]
    assert answer["certificateArn"] == f"arn:aws:iot:us-east-1:123456789012:cacert/{ca_id}"
    described = conforms("DescribeCACertificate", iot.describe_ca_certificate(certificateId=ca_id))
    description = described["certificateDescription"]
    assert description["status"] == "ACTIVE"
    assert description["autoRegistrationStatus"] == "ENABLE"
    assert description["certificateMode"] == "DEFAULT"
    assert description["certificatePem"] == ca.pem
    assert description["ownedBy"] == "123456789012"
    assert description["customerVersion"] == 1
    assert description["validity"]["notAfter"] > dt.datetime.now(dt.UTC)
    assert "registrationConfig" not in described
    listed = conforms("ListCACertificates", iot.list_ca_certificates())["certificates"]
    assert [(c["certificateId"], c["status"]) for c in listed] == [(ca_id, "ACTIVE")]
    tags = iot.list_tags_for_resource(resourceArn=answer["certificateArn"])["tags"]
    assert tags == [{"Key": "team", "Value": "fleet"}]


def test_the_owner_must_prove_it_holds_the_cas_key(iot) -> None:
    ca, other = customer_ca(), customer_ca("Someone else's CA")
    code = iot.get_registration_code()["registrationCode"]
    with pytest.raises(iot.exceptions.RegistrationCodeValidationException, match="registration code"):
        iot.register_ca_certificate(caCertificate=ca.pem, verificationCertificate=ca.verification("0" * 64))
    with pytest.raises(iot.exceptions.CertificateValidationException, match="not signed by the CA"):
        iot.register_ca_certificate(caCertificate=ca.pem, verificationCertificate=other.verification(code))
    with pytest.raises(iot.exceptions.InvalidRequestException, match="verificationCertificate is required"):
        iot.register_ca_certificate(caCertificate=ca.pem)
    with pytest.raises(iot.exceptions.CertificateValidationException, match="not a CA certificate"):
        leaf = customer_ca("Not a CA", ca=False)
        iot.register_ca_certificate(caCertificate=leaf.pem, verificationCertificate=leaf.verification(code))
    with pytest.raises(iot.exceptions.CertificateValidationException, match="not a valid PEM"):
        iot.register_ca_certificate(
            caCertificate="-----BEGIN CERTIFICATE-----\nxx", certificateMode="SNI_ONLY"
        )
    assert iot.list_ca_certificates()["certificates"] == []


def test_sni_only_mode_needs_no_proof_and_a_ca_registers_once(iot) -> None:
    ca = customer_ca()
    ca_id = iot.register_ca_certificate(caCertificate=ca.pem, certificateMode="SNI_ONLY")["certificateId"]
    described = iot.describe_ca_certificate(certificateId=ca_id)["certificateDescription"]
    assert (described["certificateMode"], described["status"]) == ("SNI_ONLY", "INACTIVE")
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException) as caught:
        iot.register_ca_certificate(caCertificate=ca.pem, certificateMode="SNI_ONLY")
    assert caught.value.response["resourceId"] == ca_id


def test_update_a_ca_and_its_registration_config(iot) -> None:
    ca_id = register_ca(iot, customer_ca())
    iot.create_provisioning_template(
        templateName="jitp", templateBody=BODY, provisioningRoleArn=ROLE, type="JITP"
    )
    iot.update_ca_certificate(
        certificateId=ca_id,
        newStatus="INACTIVE",
        newAutoRegistrationStatus="ENABLE",
        registrationConfig={"templateName": "jitp", "roleArn": ROLE},
    )
    described = iot.describe_ca_certificate(certificateId=ca_id)
    assert described["certificateDescription"]["status"] == "INACTIVE"
    assert described["certificateDescription"]["autoRegistrationStatus"] == "ENABLE"
    assert described["registrationConfig"] == {"templateName": "jitp", "roleArn": ROLE}
    by_template = iot.list_ca_certificates(templateName="jitp")["certificates"]
    assert [c["certificateId"] for c in by_template] == [ca_id]
    assert iot.list_ca_certificates(templateName="other")["certificates"] == []
    with pytest.raises(iot.exceptions.DeleteConflictException):
        iot.delete_provisioning_template(templateName="jitp")
    iot.update_ca_certificate(certificateId=ca_id, removeAutoRegistration=True)
    assert "registrationConfig" not in iot.describe_ca_certificate(certificateId=ca_id)
    iot.delete_provisioning_template(templateName="jitp")


def test_delete_a_ca_only_once_it_is_inactive(iot) -> None:
    ca_id = register_ca(iot, customer_ca())
    with pytest.raises(iot.exceptions.CertificateStateException, match="is ACTIVE") as caught:
        iot.delete_ca_certificate(certificateId=ca_id)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 406
    iot.update_ca_certificate(certificateId=ca_id, newStatus="INACTIVE")
    iot.delete_ca_certificate(certificateId=ca_id)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_ca_certificate(certificateId=ca_id)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.delete_ca_certificate(certificateId=ca_id)


def test_list_ca_certificates_pages(iot) -> None:
    ids = [
        iot.register_ca_certificate(caCertificate=customer_ca(f"CA {i}").pem, certificateMode="SNI_ONLY")[
            "certificateId"
        ]
        for i in range(5)
    ]
    pages = iot.get_paginator("list_ca_certificates").paginate(PaginationConfig={"PageSize": 2})
    seen = [c["certificateId"] for page in pages for c in page["certificates"]]
    assert sorted(seen) == sorted(ids) and len(seen) == 5


def test_register_a_device_certificate_under_a_registered_ca(iot) -> None:
    ca = customer_ca()
    ca_id = register_ca(iot, ca)
    device = ca.device("sensor-1")
    answer = conforms("RegisterCertificate", iot.register_certificate(certificatePem=device, status="ACTIVE"))
    described = iot.describe_certificate(certificateId=answer["certificateId"])["certificateDescription"]
    assert described["caCertificateId"] == ca_id
    assert (described["status"], described["certificateMode"]) == ("ACTIVE", "DEFAULT")
    assert described["certificatePem"] == device
    explicit = iot.register_certificate(certificatePem=ca.device("sensor-2"), caCertificatePem=ca.pem)
    assert (
        iot.describe_certificate(certificateId=explicit["certificateId"])["certificateDescription"]["status"]
        == "INACTIVE"
    )
    by_ca = conforms("ListCertificatesByCA", iot.list_certificates_by_ca(caCertificateId=ca_id))
    assert {c["certificateId"] for c in by_ca["certificates"]} == {
        answer["certificateId"],
        explicit["certificateId"],
    }
    pages = iot.get_paginator("list_certificates_by_ca").paginate(
        caCertificateId=ca_id, PaginationConfig={"PageSize": 1}
    )
    assert len([c for page in pages for c in page["certificates"]]) == 2
    assert iot.list_certificates_by_ca(caCertificateId="00" * 32)["certificates"] == []
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.register_certificate(certificatePem=device)


def test_a_certificate_no_registered_ca_signed_is_refused(iot) -> None:
    stranger = customer_ca("Unregistered CA")
    with pytest.raises(iot.exceptions.CertificateValidationException, match="register the CA first"):
        iot.register_certificate(certificatePem=stranger.device())
    register_ca(iot, customer_ca("Unregistered CA"))  # same subject, another key: still not the signer
    with pytest.raises(iot.exceptions.CertificateValidationException, match="not signed by a CA"):
        iot.register_certificate(certificatePem=stranger.device())
    assert iot.list_certificates()["certificates"] == []


def test_registered_certificates_are_checked_on_the_fakes_clock(iot) -> None:
    ca = customer_ca()
    register_ca(iot, ca)
    expired = ca.device(start=NOW - dt.timedelta(days=30), days=10)
    with pytest.raises(iot.exceptions.CertificateValidationException, match="not valid now"):
        iot.register_certificate(certificatePem=expired)
    with pytest.raises(iot.exceptions.InvalidRequestException, match="not PENDING_TRANSFER"):
        iot.register_certificate(certificatePem=ca.device(), status="PENDING_TRANSFER")


def test_register_a_certificate_without_a_ca(iot) -> None:
    stranger = customer_ca("Private CA")
    answer = conforms(
        "RegisterCertificateWithoutCA",
        iot.register_certificate_without_ca(certificatePem=stranger.device(), status="ACTIVE"),
    )
    described = iot.describe_certificate(certificateId=answer["certificateId"])["certificateDescription"]
    assert described["certificateMode"] == "SNI_ONLY"
    assert "caCertificateId" not in described
    listed = iot.list_certificates()["certificates"]
    assert [(c["certificateId"], c["certificateMode"]) for c in listed] == [
        (answer["certificateId"], "SNI_ONLY")
    ]


def test_cas_survive_a_snapshot_and_deleting_one_drops_its_registration_config(aws_cloud, iot) -> None:
    ca_id = register_ca(iot, customer_ca(), allowAutoRegistration=True)
    iot.create_provisioning_template(
        templateName="jitp", templateBody=BODY, provisioningRoleArn=ROLE, type="JITP"
    )
    iot.update_ca_certificate(certificateId=ca_id, registrationConfig={"templateName": "jitp"})
    snapshot = aws_cloud.snapshot()
    aws_cloud.reset()
    aws_cloud.restore(snapshot)
    assert iot.describe_ca_certificate(certificateId=ca_id)["registrationConfig"] == {"templateName": "jitp"}
    iot.update_ca_certificate(certificateId=ca_id, newStatus="INACTIVE")
    iot.delete_ca_certificate(certificateId=ca_id)
    iot.delete_provisioning_template(templateName="jitp")  # nothing uses it any more


def test_fixtures_register_ca_certificates(aws_cloud, iot) -> None:
    ca = customer_ca()
    aws_cloud.seed(
        {
            "aws": {
                "accounts": [
                    {
                        "provisioningTemplates": [
                            {
                                "templateName": "jitp",
                                "templateBody": BODY,
                                "provisioningRoleArn": ROLE,
                                "type": "JITP",
                            }
                        ],
                        "caCertificates": [
                            {
                                "caCertificate": ca.pem,
                                "certificateMode": "SNI_ONLY",
                                "setAsActive": True,
                                "allowAutoRegistration": True,
                                "registrationConfig": {"templateName": "jitp"},
                            }
                        ],
                    }
                ]
            }
        }
    )
    (listed,) = iot.list_ca_certificates(templateName="jitp")["certificates"]
    assert listed["status"] == "ACTIVE"
