"""A customer's own PKI for the AWS tests: a CA, its verification certificate, device certificates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = dt.datetime.now(dt.UTC)


def _name(**attributes: str) -> x509.Name:
    oids = {"CN": NameOID.COMMON_NAME, "C": NameOID.COUNTRY_NAME, "O": NameOID.ORGANIZATION_NAME}
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in attributes.items()])


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class CustomerCA:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> str:
        return pem(self.cert)

    def sign(
        self,
        subject: x509.Name,
        *,
        ca: bool = False,
        start: dt.datetime | None = None,
        days: int = 365,
    ) -> str:
        key = ec.generate_private_key(ec.SECP256R1())
        start = start or NOW - dt.timedelta(days=1)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return pem(cert)

    def issue(self, common_name: str) -> tuple[str, str]:
        """A device certificate and its private key (PEM, PKCS#8), for a device that connects."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(CN=common_name))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=365))
            .sign(self.key, hashes.SHA256())
        )
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return pem(cert), private

    def verification(self, registration_code: str) -> str:
        """The certificate that proves this CA's owner holds its key (AWS's DEFAULT mode)."""
        return self.sign(_name(CN=registration_code))

    def device(self, common_name: str = "sensor-001", country: str = "DE", **kwargs: object) -> str:
        return self.sign(_name(CN=common_name, C=country), **kwargs)  # type: ignore[arg-type]


def customer_ca(common_name: str = "Acme devices CA", *, ca: bool = True) -> CustomerCA:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(O="Acme", CN=common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return CustomerCA(key, cert)


def register_ca(iot, ca: CustomerCA, **kwargs: object) -> str:
    """Register ``ca`` (ACTIVE unless told) the way the developer guide does; its id."""
    code = iot.get_registration_code()["registrationCode"]
    kwargs.setdefault("setAsActive", True)
    answer = iot.register_ca_certificate(
        caCertificate=ca.pem, verificationCertificate=ca.verification(code), **kwargs
    )
    return answer["certificateId"]
