"""Certificates are real X.509: keys, CSR signing, a CA per account, certificateId = sha256(DER)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from aws_helpers import conforms, csr_pem
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store

from iotfake import FakeCloud


def ca_of(cloud: FakeCloud, region: str = "us-east-1") -> x509.Certificate:
    return x509.load_pem_x509_certificate(
        cloud.providers["aws"].ca_certificate_pem("123456789012", region).encode()  # type: ignore[attr-defined]
    )


def verify_chain(cert: x509.Certificate, ca: x509.Certificate) -> None:
    """Path validation against the CA as the only trust anchor (device certificates carry no SAN,
    so the end-entity extension policy is relaxed; the CA is held to the web PKI's rules)."""
    verifier = (
        PolicyBuilder()
        .store(Store([ca]))
        .extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()
        )
        .build_client_verifier()
    )
    verifier.verify(cert, [])


def test_keys_and_certificate_are_real_and_chain_to_the_account_ca(aws_cloud: FakeCloud, iot) -> None:
    answer = conforms("CreateKeysAndCertificate", iot.create_keys_and_certificate(setAsActive=True))
    cert = x509.load_pem_x509_certificate(answer["certificatePem"].encode())
    der = cert.public_bytes(serialization.Encoding.DER)
    assert answer["certificateId"] == hashlib.sha256(der).hexdigest()
    assert answer["certificateArn"] == f"arn:aws:iot:us-east-1:123456789012:cert/{answer['certificateId']}"
    private = serialization.load_pem_private_key(answer["keyPair"]["PrivateKey"].encode(), password=None)
    public = serialization.load_pem_public_key(answer["keyPair"]["PublicKey"].encode())
    assert isinstance(private, rsa.RSAPrivateKey) and private.key_size == 2048  # as AWS issues them
    assert answer["keyPair"]["PrivateKey"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert (
        private.public_key().public_numbers() == public.public_numbers() == cert.public_key().public_numbers()
    )
    ca = ca_of(aws_cloud)
    cert.verify_directly_issued_by(ca)
    verify_chain(cert, ca)
    assert cert.subject.rfc4514_string() == "CN=AWS IoT Certificate"
    assert cert.not_valid_after_utc == dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


def test_a_csr_is_signed_with_its_own_key_and_subject(aws_cloud: FakeCloud, iot) -> None:
    pem, key = csr_pem("device-42")
    answer = conforms(
        "CreateCertificateFromCsr", iot.create_certificate_from_csr(certificateSigningRequest=pem)
    )
    cert = x509.load_pem_x509_certificate(answer["certificatePem"].encode())
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    assert cert.subject.rfc4514_string() == "CN=device-42"
    verify_chain(cert, ca_of(aws_cloud))
    status = iot.describe_certificate(certificateId=answer["certificateId"])["certificateDescription"][
        "status"
    ]
    assert status == "INACTIVE"


@pytest.mark.parametrize(
    "csr", ["not a csr", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----"]
)
def test_a_bad_csr_is_an_invalid_request(iot, csr: str) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.create_certificate_from_csr(certificateSigningRequest=csr)
    assert "certificate signing request" in caught.value.response["Error"]["Message"]
    assert iot.list_certificates()["certificates"] == []


def test_each_account_and_region_has_its_own_ca(aws_cloud: FakeCloud, iot, aws_clients) -> None:
    here = x509.load_pem_x509_certificate(iot.create_keys_and_certificate()["certificatePem"].encode())
    there_client = aws_clients(region="eu-west-1")
    there = x509.load_pem_x509_certificate(
        there_client.create_keys_and_certificate()["certificatePem"].encode()
    )
    assert ca_of(aws_cloud) != ca_of(aws_cloud, "eu-west-1")
    verify_chain(there, ca_of(aws_cloud, "eu-west-1"))
    with pytest.raises(Exception):  # noqa: B017 - any verification error will do
        verify_chain(here, ca_of(aws_cloud, "eu-west-1"))


def test_a_fresh_cloud_makes_no_ca_until_one_is_needed() -> None:
    cloud = FakeCloud()
    assert all("ca" not in t.settings for t in cloud.registry.tenants("aws"))
    cloud.providers["aws"].ca_certificate_pem()  # type: ignore[attr-defined]
    assert [t.id for t in cloud.registry.tenants("aws") if "ca" in t.settings] == ["123456789012/us-east-1"]


def test_ec_keys_for_accounts_that_ask_for_them(aws_cloud: FakeCloud, iot) -> None:
    aws_cloud.seed({"aws": {"accounts": [{"keyAlgorithm": "EC_P256"}]}})
    answer = iot.create_keys_and_certificate()
    assert answer["keyPair"]["PrivateKey"].startswith("-----BEGIN EC PRIVATE KEY-----")
    private = serialization.load_pem_private_key(answer["keyPair"]["PrivateKey"].encode(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    verify_chain(x509.load_pem_x509_certificate(answer["certificatePem"].encode()), ca_of(aws_cloud))


def test_every_rsa_key_is_new(iot) -> None:
    """The pool makes keys ahead of need; it never hands one out twice."""
    keys = {iot.create_keys_and_certificate()["keyPair"]["PublicKey"] for _ in range(12)}
    assert len(keys) == 12


def test_a_sha1_csr_is_refused_saying_why(iot) -> None:
    csr = (Path(__file__).parent / "data" / "sha1.csr").read_text()  # openssl req -sha1
    with pytest.raises(iot.exceptions.InvalidRequestException, match="signed with SHA-1") as caught:
        iot.create_certificate_from_csr(certificateSigningRequest=csr)
    assert "SHA-256" in caught.value.response["Error"]["Message"]
    assert iot.list_certificates()["certificates"] == []


def test_describe_certificate(iot) -> None:
    created = iot.create_keys_and_certificate(setAsActive=True)
    answer = conforms("DescribeCertificate", iot.describe_certificate(certificateId=created["certificateId"]))
    description = answer["certificateDescription"]
    assert description["certificateArn"] == created["certificateArn"]
    assert description["certificatePem"] == created["certificatePem"]
    assert description["status"] == "ACTIVE"
    assert description["ownedBy"] == "123456789012"
    assert description["certificateMode"] == "DEFAULT"
    assert description["validity"]["notAfter"].year == 2049
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_certificate(certificateId="0" * 64)
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.describe_certificate(certificateId="z" * 64)


def test_list_certificates_newest_first_with_markers(aws_cloud: FakeCloud, iot) -> None:
    ids = []
    for _ in range(5):
        ids.append(iot.create_keys_and_certificate()["certificateId"])
        aws_cloud.clock.advance(1)
    first = conforms("ListCertificates", iot.list_certificates(pageSize=2))
    assert [c["certificateId"] for c in first["certificates"]] == ids[::-1][:2]
    pages = list(iot.get_paginator("list_certificates").paginate(PaginationConfig={"PageSize": 2}))
    assert [c["certificateId"] for p in pages for c in p["certificates"]] == ids[::-1]
    ascending = iot.list_certificates(ascendingOrder=True)
    assert [c["certificateId"] for c in ascending["certificates"]] == ids


def test_update_status_and_revocation_is_final(iot) -> None:
    cert_id = iot.create_keys_and_certificate()["certificateId"]
    iot.update_certificate(certificateId=cert_id, newStatus="ACTIVE")
    iot.update_certificate(certificateId=cert_id, newStatus="ACTIVE")
    assert iot.describe_certificate(certificateId=cert_id)["certificateDescription"]["status"] == "ACTIVE"
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.update_certificate(certificateId=cert_id, newStatus="PENDING_TRANSFER")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.update_certificate(certificateId=cert_id, newStatus="EXPIRED")
    assert "Member must satisfy enum value set" in caught.value.response["Error"]["Message"]
    iot.update_certificate(certificateId=cert_id, newStatus="REVOKED")
    with pytest.raises(iot.exceptions.CertificateStateException):
        iot.update_certificate(certificateId=cert_id, newStatus="ACTIVE")


def test_delete_refuses_active_or_attached_certificates(iot) -> None:
    iot.create_policy(
        policyName="p", policyDocument='{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'
    )
    iot.create_thing(thingName="t1")
    cert = iot.create_keys_and_certificate(setAsActive=True)
    cert_id, arn = cert["certificateId"], cert["certificateArn"]
    iot.attach_thing_principal(thingName="t1", principal=arn)
    iot.attach_policy(policyName="p", target=arn)
    with pytest.raises(iot.exceptions.CertificateStateException) as caught:
        iot.delete_certificate(certificateId=cert_id)
    assert caught.value.response["Error"]["Message"] == (
        f"Certificate must be deactivated (not ACTIVE) before deletion. Id: {cert_id}"
    )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 406
    iot.update_certificate(certificateId=cert_id, newStatus="INACTIVE")
    with pytest.raises(iot.exceptions.DeleteConflictException) as caught:
        iot.delete_certificate(certificateId=cert_id, forceDelete=True)
    assert (
        caught.value.response["Error"]["Message"] == f"Things must be detached before deletion (arn: {arn})"
    )
    iot.detach_thing_principal(thingName="t1", principal=arn)
    with pytest.raises(iot.exceptions.DeleteConflictException):
        iot.delete_certificate(certificateId=cert_id)
    iot.delete_certificate(certificateId=cert_id, forceDelete=True)
    assert iot.list_targets_for_policy(policyName="p")["targets"] == []
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.delete_certificate(certificateId=cert_id)
