"""Real X.509 for the fake: one CA per tenant (account + region), device keys, CSR signing.

The CA is made on first use and kept in the tenant's settings as PEM, so snapshots carry it and a
fresh FakeCloud pays nothing for it. Keys are RSA-2048, as AWS issues them; generating one takes
tens of milliseconds, so a background pool keeps a few ready (``keypool``). An account seeded with
``"keyAlgorithm": "EC_P256"`` gets EC P-256 keys instead (tens of microseconds each), for suites
that create thousands. Neither comes from the cloud's seed (see ``keypool``): a seeded cloud's
certificates, and their ids, differ from run to run.

Certificates a customer brings (a CSR, RegisterCertificate, a CA) must be signed with one of the
algorithms AWS IoT accepts: SHA-256 or stronger (SHA-1 and MD5 are refused, saying so).

``certificateId`` is the SHA-256 of the certificate's DER, in hex, as AWS computes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID, SignatureAlgorithmOID

from ... import cryptotime

if TYPE_CHECKING:
    from ...ids import Ids
    from ...registry import Tenant

cryptotime.pin()  # before any signing, whatever freezegun does (see ``cryptotime``)

KEY_ALGORITHMS = ("RSA_2048", "EC_P256")
DEFAULT_KEY_ALGORITHM = "RSA_2048"
#: signature hashes AWS IoT accepts in certificates and CSRs
ACCEPTED_HASHES = ("sha256", "sha384", "sha512")
#: AWS-issued device certificates are valid until the end of 2049
NOT_AFTER = dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
#: ... which is only a real end near today: once the fake's clock (moved ahead by a test) comes
#: within a year of it, certificates are valid this long from their start instead
LATE_VALIDITY = dt.timedelta(days=25 * 365)
#: the CAs never expire (RFC 5280's "no well-defined expiration date"), so whatever the clock
#: says, they cover the certificates they sign
CA_NOT_AFTER = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
DEVICE_SUBJECT = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "AWS IoT Certificate")])

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class CertificateError(ValueError):
    """A PEM or CSR that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Issued:
    pem: str
    certificate_id: str
    not_before: float
    not_after: float


def new_key(algorithm: str = DEFAULT_KEY_ALGORITHM) -> PrivateKey:
    if algorithm == "RSA_2048":
        from .keypool import RSA_POOL

        return RSA_POOL.take()
    return ec.generate_private_key(ec.SECP256R1())


def key_pair_pems(key: PrivateKey) -> tuple[str, str]:
    """(public PEM, private PEM); RSA keys in PKCS#1 like AWS's, EC keys in SEC1."""
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return public, private


def certificate_id(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


# -- the tenant's CA -------------------------------------------------------------------------------
def ca(tenant: Tenant, ids: Ids, now: float) -> tuple[PrivateKey, x509.Certificate]:
    """The tenant's CA key and certificate, created on first use (atomically)."""
    stored = tenant.settings.get("ca")
    if stored is None:
        with tenant.lock:
            stored = tenant.settings.get("ca")
            if stored is None:
                stored = _new_ca(tenant.id, ids, now)
                tenant.settings["ca"] = stored
    return load_ca(stored["key"], stored["cert"])


def ca_pem(tenant: Tenant, ids: Ids, now: float) -> str:
    ca(tenant, ids, now)
    return tenant.settings["ca"]["cert"]


@lru_cache(maxsize=64)
def load_ca(key_pem: str, cert_pem: str) -> tuple[PrivateKey, x509.Certificate]:
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return key, x509.load_pem_x509_certificate(cert_pem.encode())


def _new_ca(tenant_id: str, ids: Ids, now: float) -> dict[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    account, _, region = tenant_id.partition("/")
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "iotfake"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "fake AWS IoT"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"iotfake CA {account} {region}"),
        ]
    )
    start = dt.datetime.fromtimestamp(now, dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(_serial(ids))
        .not_valid_before(start)
        .not_valid_after(CA_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _, private = key_pair_pems(key)
    return {"key": private, "cert": cert.public_bytes(serialization.Encoding.PEM).decode()}


def _serial(ids: Ids) -> int:
    """A positive serial under 2**159 (RFC 5280), from the seeded ids."""
    return int(ids.token(19), 16) | 1


# -- issuing ---------------------------------------------------------------------------------------
def issue(
    tenant: Tenant,
    ids: Ids,
    now: float,
    public_key: Any,
    subject: x509.Name | None = None,
    *,
    valid_for: float | None = None,
) -> Issued:
    """A device certificate for ``public_key``, signed by the tenant's CA; ``valid_for`` seconds
    from now (a provisioning claim's five minutes) instead of AWS's usual end."""
    ca_key, ca_cert = ca(tenant, ids, now)
    start = dt.datetime.fromtimestamp(int(now), dt.UTC)
    end = not_after(start) if valid_for is None else start + dt.timedelta(seconds=valid_for)
    usage_ec = isinstance(public_key, ec.EllipticCurvePublicKey)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject if subject is not None and len(subject) else DEVICE_SUBJECT)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(_serial(ids))
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=not usage_ec,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return Issued(
        pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        certificate_id=certificate_id(cert),
        not_before=start.timestamp(),
        not_after=end.timestamp(),
    )


def not_after(start: dt.datetime) -> dt.datetime:
    """AWS's end of 2049 while that is over a year away; else :data:`LATE_VALIDITY` from start."""
    if start + dt.timedelta(days=365) <= NOT_AFTER:
        return NOT_AFTER
    return min(start + LATE_VALIDITY, CA_NOT_AFTER)


def sign_csr(tenant: Tenant, ids: Ids, now: float, csr_pem: str) -> Issued:
    """Sign a CSR whose own signature verifies; the subject is taken from the CSR."""
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
    except (ValueError, UnicodeEncodeError) as exc:
        raise CertificateError("The certificate signing request is not a valid PEM-encoded CSR") from exc
    try:
        valid = csr.is_signature_valid
        public_key = csr.public_key()
    except (ValueError, InvalidSignature, NotImplementedError) as exc:
        raise CertificateError(f"The certificate signing request cannot be used: {exc}") from exc
    check_signature_hash(csr, "certificate signing request")
    if not valid:
        raise CertificateError("The certificate signing request's signature does not verify")
    if not isinstance(public_key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise CertificateError("The certificate signing request must carry an RSA or EC public key")
    return issue(tenant, ids, now, public_key, csr.subject)


def load_certificate(pem: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem.encode())
    except (ValueError, UnicodeEncodeError) as exc:
        raise CertificateError("The certificate is not a valid PEM-encoded X.509 certificate") from exc


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def check_signature_hash(signed: x509.Certificate | x509.CertificateSigningRequest, what: str) -> None:
    """Refuse SHA-1, MD5 and other weak signatures by name (OpenSSL would only say that the
    signature does not verify, which is not the reason)."""
    oid = signed.signature_algorithm_oid
    if oid in (SignatureAlgorithmOID.ED25519, SignatureAlgorithmOID.ED448):
        return
    try:
        algorithm = signed.signature_hash_algorithm
    except UnsupportedAlgorithm:
        algorithm = None
    name = algorithm.name if algorithm is not None else ""
    if name in ACCEPTED_HASHES:
        return
    label = getattr(oid, "_name", "") or oid.dotted_string
    shown = {"sha1": "SHA-1", "md5": "MD5"}.get(name, name.upper() or label)
    raise CertificateError(
        f"The {what} is signed with {shown} ({label}), which AWS IoT does not accept: "
        "sign it with SHA-256, SHA-384 or SHA-512"
    )
