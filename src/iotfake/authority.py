"""The fake's own root CA: the identity its TLS endpoints (the MQTT broker's, any HTTPS later)
present, and what clients are told to trust (``GET /_iotfake/ca.pem``, ``cloud.ca_pem``).

Why a root of the cloud's own, apart from the CAs that sign device certificates: AWS keeps the
two apart too (endpoints chain to Amazon Root CA 1; CreateKeysAndCertificate's certificates to a
per-account issuing CA), and a broker verifies devices against the issuing CAs it knows
(per-account CAs, customers' registered CAs) whatever signed its own certificate. So device
certificates keep their per-tenant CA (``providers/aws_iot/pki``), and this root signs server
certificates only.

The root is made on first use with a fresh random key (never derived from a seed or built into
the package: a developer who trusts it must not be trusting a key anyone can compute). It is part
of the cloud's state (snapshots, ``--state``), survives ``reset()`` (a client that fetched the CA
keeps trusting the server through every test), and is shared by every namespace of a server.
Validity windows are fixed (2020 to 2099 for server certificates, to 9999 for the root) rather
than taken from a clock: TLS peers check them against the real time while tests move the fake's
clock, or freeze time, at will.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from . import cryptotime

cryptotime.pin()  # before any signing, whatever freezegun does (see ``cryptotime``)

NOT_BEFORE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
SERVER_NOT_AFTER = dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
ROOT_NOT_AFTER = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
#: what a server certificate names when the caller names nothing
DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class ServerCertificate:
    """A TLS server identity: ``cert_pem`` (leaf, then the root), ``key_pem`` (PKCS#8)."""

    cert_pem: str
    key_pem: str
    hosts: tuple[str, ...]


class Authority:
    def __init__(self, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
        self._key = key
        self.certificate = cert
        self.pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        self._issued: dict[tuple[str, ...], ServerCertificate] = {}
        self._lock = threading.Lock()

    @classmethod
    def create(cls) -> Authority:
        key = ec.generate_private_key(ec.SECP256R1())
        serial = x509.random_serial_number()
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "iotfake"),
                # a short serial in the name tells two fakes' roots apart in a trust store
                x509.NameAttribute(NameOID.COMMON_NAME, f"iotfake Root CA {serial % 16**8:08x}"),
            ]
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(NOT_BEFORE)
            .not_valid_after(ROOT_NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(key, cert)

    # -- state -------------------------------------------------------------------------------------
    def to_json(self) -> dict[str, str]:
        key = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return {"key": key, "cert": self.pem}

    @classmethod
    def from_json(cls, data: Any) -> Authority:
        """The authority a snapshot holds; ValueError naming what is wrong with it."""
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("key"), str)
            or not isinstance(data.get("cert"), str)
        ):
            raise ValueError('authority: expected {"key": PEM, "cert": PEM}')
        try:
            key = serialization.load_pem_private_key(data["key"].encode(), password=None)
            cert = x509.load_pem_x509_certificate(data["cert"].encode())
        except (ValueError, TypeError) as exc:
            raise ValueError(f"authority: not a PEM key and certificate ({exc})") from exc
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
            raise ValueError("authority: the key is not the certificate's (an EC P-256 key is expected)")
        return cls(key, cert)

    # -- issuing -----------------------------------------------------------------------------------
    def server_certificate(self, hosts: Iterable[str] = DEFAULT_HOSTS) -> ServerCertificate:
        """A certificate for ``hosts`` (DNS names and IP addresses), made once per set of hosts."""
        names = tuple(dict.fromkeys(h.strip("[]").lower() for h in hosts if h))
        with self._lock:
            issued = self._issued.get(names)
            if issued is None:
                issued = self._issued[names] = self._issue(names)
            return issued

    def _issue(self, hosts: tuple[str, ...]) -> ServerCertificate:
        key = ec.generate_private_key(ec.SECP256R1())
        alternatives: list[x509.GeneralName] = []
        for host in hosts:
            try:
                alternatives.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                alternatives.append(x509.DNSName(host))
        cert = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0] if hosts else "iotfake")])
            )
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOT_BEFORE)
            .not_valid_after(SERVER_NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        leaf = cert.public_bytes(serialization.Encoding.PEM).decode()
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return ServerCertificate(cert_pem=leaf + self.pem, key_pem=key_pem, hosts=hosts)


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
