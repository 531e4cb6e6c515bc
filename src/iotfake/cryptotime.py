"""cryptography's X.509 signing under freezegun.

cryptography's Rust code looks ``datetime.datetime`` up once, the first time it signs, and keeps
it. Signed first inside ``freeze_time``, it kept freezegun's ``FakeDatetime``, and every
certificate signed after the freeze ended failed ("'datetime' object is not an instance of
'FakeDatetime'"): CreateKeysAndCertificate answered InternalFailure for the rest of the test run.
The modules that sign call ``pin()`` when imported: one tiny signature with the real class in
place, whatever freezegun is doing at that moment.
"""

from __future__ import annotations

import datetime
import sys
import threading

_pinned = False
_lock = threading.Lock()


def pin() -> None:
    """Sign once with the real ``datetime.datetime`` (idempotent; about a millisecond, once)."""
    global _pinned
    if _pinned:
        return
    with _lock:
        if _pinned:
            return
        real = getattr(sys.modules.get("freezegun.api"), "real_datetime", datetime.datetime)
        current = datetime.datetime
        datetime.datetime = real  # type: ignore[misc]  # what cryptography looks up now
        try:
            _sign_once(real)
        finally:
            datetime.datetime = current  # type: ignore[misc]
        _pinned = True


def _sign_once(real: type[datetime.datetime]) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "iotfake pin")])
    start = real(2000, 1, 1, tzinfo=datetime.UTC)
    (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
