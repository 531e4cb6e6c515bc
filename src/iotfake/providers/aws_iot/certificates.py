"""Certificates: CreateKeysAndCertificate, CreateCertificateFromCsr, RegisterCertificate,
RegisterCertificateWithoutCA, Describe, List, ListCertificatesByCA, Update, Delete.

Certificates are real (see ``pki.py``); records live in the registry's credential tables. A
certificate registered under a CA keeps that CA's id and certificate mode; one registered without
a CA is in SNI_ONLY mode, as AWS describes it.

Choices where AWS documents nothing ([I] in the README): RegisterCertificate names the CA it
expects in CertificateValidationException when no registered CA signed the certificate, and
refuses a certificate outside its validity on the fake's clock; RegisterCertificate takes
``status`` ACTIVE, INACTIVE or REVOKED (the API reference's list), else InvalidRequestException;
ListCertificatesByCA of a CA that is not registered lists nothing (the model lists no
ResourceNotFoundException for it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from ...registry.errors import KeyCollision
from . import arns, paging, pki
from .context import Context
from .wire import AwsError, invalid

#: statuses AWS uses internally and refuses in UpdateCertificate
INTERNAL_STATUSES = ("PENDING_TRANSFER", "PENDING_ACTIVATION")
#: statuses a registered certificate may start in (RegisterCertificate's ``status``)
REGISTER_STATUSES = ("ACTIVE", "INACTIVE", "REVOKED")


def record(ctx: Context, issued: pki.Issued, status: str) -> dict[str, Any]:
    """A certificate record for the registry (JSON-able; times in ms, validity in seconds)."""
    return {
        "id": issued.certificate_id,
        "pem": issued.pem,
        "status": status,
        "created": ctx.now_ms,
        "updated": ctx.now_ms,
        "generationId": ctx.ids.token(16),
        "customerVersion": 1,
        "ownedBy": ctx.tenant.settings.get("accountId", arns.split_tenant(ctx.tenant.id)[0]),
        "notBefore": issued.not_before,
        "notAfter": issued.not_after,
    }


def created(ctx: Context, rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "certificateArn": arns.certificate(ctx.tenant.id, rec["id"]),
        "certificateId": rec["id"],
        "certificatePem": rec["pem"],
    }


def create_keys(ctx: Context) -> dict[str, Any]:
    key = pki.new_key(ctx.tenant.settings.get("keyAlgorithm", pki.DEFAULT_KEY_ALGORITHM))
    issued = pki.issue(ctx.tenant, ctx.ids, ctx.now, key.public_key())
    rec = ctx.credentials.add_certificate(
        record(ctx, issued, "ACTIVE" if ctx.input.get("setAsActive") else "INACTIVE")
    )
    public, private = pki.key_pair_pems(key)
    return {**created(ctx, rec), "keyPair": {"PublicKey": public, "PrivateKey": private}}


def create_from_csr(ctx: Context) -> dict[str, Any]:
    try:
        issued = pki.sign_csr(ctx.tenant, ctx.ids, ctx.now, ctx.input["certificateSigningRequest"])
    except pki.CertificateError as exc:
        raise invalid(str(exc)) from exc
    rec = ctx.credentials.add_certificate(
        record(ctx, issued, "ACTIVE" if ctx.input.get("setAsActive") else "INACTIVE")
    )
    return created(ctx, rec)


def _registering(ctx: Context) -> tuple[Any, str]:
    """The certificate to register, checked as AWS checks it, and the status it starts in."""
    pem = ctx.input["certificatePem"]
    try:
        cert = pki.load_certificate(pem)
        pki.check_signature_hash(cert, "certificate")
    except pki.CertificateError as exc:
        raise AwsError("CertificateValidationException", str(exc)) from exc
    now = ctx.now
    if not cert.not_valid_before_utc.timestamp() <= now <= cert.not_valid_after_utc.timestamp():
        raise AwsError(
            "CertificateValidationException",
            f"The certificate is not valid now: it is valid from {cert.not_valid_before_utc.isoformat()} "
            f"to {cert.not_valid_after_utc.isoformat()}",
        )
    status = ctx.input.get("status") or ("ACTIVE" if ctx.input.get("setAsActive") else "INACTIVE")
    if status not in REGISTER_STATUSES:
        raise invalid(f"A certificate can be registered {', '.join(REGISTER_STATUSES)}, not {status}")
    return cert, status


def _store(ctx: Context, cert: Any, status: str, **extra: Any) -> dict[str, Any]:
    issued = pki.Issued(
        pem=ctx.input["certificatePem"],
        certificate_id=pki.certificate_id(cert),
        not_before=cert.not_valid_before_utc.timestamp(),
        not_after=cert.not_valid_after_utc.timestamp(),
    )
    try:
        rec = ctx.credentials.add_certificate({**record(ctx, issued, status), **extra})
    except KeyCollision as exc:
        raise AwsError(
            "ResourceAlreadyExistsException",
            "The certificate is already registered",
            resourceId=issued.certificate_id,
            resourceArn=arns.certificate(ctx.tenant.id, issued.certificate_id),
        ) from exc
    return {"certificateArn": arns.certificate(ctx.tenant.id, rec["id"]), "certificateId": rec["id"]}


def register(ctx: Context) -> dict[str, Any]:
    from .ca_certificates import signer

    cert, status = _registering(ctx)
    ca = signer(ctx.tenant, cert, ctx.input.get("caCertificatePem"))
    if ca is None:
        raise AwsError(
            "CertificateValidationException",
            f"The certificate is not signed by a CA certificate registered in this account (issuer "
            f"{cert.issuer.rfc4514_string()}): register the CA first (RegisterCACertificate)",
        )
    return _store(ctx, cert, status, caCertificateId=ca["id"], certificateMode=ca["certificateMode"])


def register_without_ca(ctx: Context) -> dict[str, Any]:
    cert, status = _registering(ctx)
    return _store(ctx, cert, status, certificateMode="SNI_ONLY")


def certificate_id(value: str) -> str:
    value = value.lower()
    return value[2:] if value.startswith("0x") else value


def describe(ctx: Context) -> dict[str, Any]:
    from .certificate_transfers import incoming

    expire_unused(ctx)
    cert_id = certificate_id(ctx.input["certificateId"])
    rec = ctx.credentials.certificates().get(cert_id)
    if rec is None:  # a certificate another account is transferring to this one
        rec = next((r for _, r in incoming(ctx) if r["id"] == cert_id), None) or ctx.credentials.certificate(
            cert_id
        )
    optional = {key: rec[key] for key in ("caCertificateId", "previousOwnedBy") if rec.get(key)}
    transfer = rec.get("transferData") or (
        {k: v for k, v in rec["transfer"].items() if k != "to" and v is not None}
        if "transfer" in rec
        else None
    )
    if transfer:
        optional["transferData"] = {k: v / 1000 if k.endswith("Date") else v for k, v in transfer.items()}
    return {
        "certificateDescription": {
            "certificateArn": arns.certificate(ctx.tenant.id, rec["id"]),
            "certificateId": rec["id"],
            "status": rec["status"],
            "certificatePem": rec["pem"],
            "ownedBy": rec["ownedBy"],
            "creationDate": rec["created"] / 1000,
            "lastModifiedDate": rec["updated"] / 1000,
            "customerVersion": rec["customerVersion"],
            "generationId": rec["generationId"],
            "validity": {"notBefore": rec["notBefore"], "notAfter": rec["notAfter"]},
            "certificateMode": rec.get("certificateMode", "DEFAULT"),
            **optional,
        }
    }


def listing(ctx: Context) -> dict[str, Any]:
    from .certificate_transfers import incoming

    expire_unused(ctx)
    # certificates other accounts are transferring here are listed too, as the API reference says
    return _page(
        ctx,
        "ListCertificates",
        lambda: [*ctx.credentials.certificates().values(), *(r for _, r in incoming(ctx))],
    )


def listing_by_ca(ctx: Context) -> dict[str, Any]:
    expire_unused(ctx)
    ca = certificate_id(ctx.input["caCertificateId"])
    return _page(
        ctx,
        ("ListCertificatesByCA", ca),
        lambda: [r for r in ctx.credentials.certificates().values() if r.get("caCertificateId") == ca],
    )


def expire_unused(ctx: Context) -> None:
    """Fleet provisioning's read-time pass: a certificate whose ownership token expired unused
    is gone before any certificate call reads it, or attaches it (which would keep it), as
    ``fleet_topics.expire`` says."""
    from .fleet_topics import expire  # fleet_topics makes certificates with this module

    expire(ctx)


def _page(ctx: Context, spec: Hashable, pool: Callable[[], list[dict[str, Any]]]) -> dict[str, Any]:
    # sorted once while the registry is unchanged: a page of 25 of 5,000 certificates sorted them all
    chunk, marker = paging.kept_marker(ctx.tenant, spec, pool, lambda r: [r["created"], r["id"]], ctx.input)
    items = [
        {
            "certificateArn": arns.certificate(ctx.tenant.id, r["id"]),
            "certificateId": r["id"],
            "status": r["status"],
            "certificateMode": r.get("certificateMode", "DEFAULT"),
            "creationDate": r["created"] / 1000,
        }
        for r in chunk
    ]
    return {"certificates": items, "nextMarker": marker}


def update(ctx: Context) -> dict[str, Any]:
    expire_unused(ctx)
    status = ctx.input["newStatus"]
    if status in INTERNAL_STATUSES:
        raise invalid(f"The certificate status cannot be set to {status}: AWS IoT uses it internally")
    _not_in_transfer(ctx)
    ctx.credentials.set_certificate_status(certificate_id(ctx.input["certificateId"]), status, ctx.now_ms)
    return {}


def _not_in_transfer(ctx: Context) -> None:
    record = ctx.credentials.certificates().get(certificate_id(ctx.input["certificateId"]))
    if record is not None and record["status"] == "PENDING_TRANSFER":
        raise AwsError(
            "CertificateStateException",
            f"Certificate {record['id']} is being transferred: cancel the transfer first",
        )


def delete(ctx: Context) -> dict[str, Any]:
    expire_unused(ctx)
    _not_in_transfer(ctx)
    cert_id = certificate_id(ctx.input["certificateId"])
    ctx.credentials.remove_certificate(
        cert_id, arns.certificate(ctx.tenant.id, cert_id), force=bool(ctx.input.get("forceDelete"))
    )
    return {}
