"""Certificates: CreateKeysAndCertificate, CreateCertificateFromCsr, Describe, List, Update, Delete.

Certificates are real (see ``pki.py``); records live in the registry's credential tables.
"""

from __future__ import annotations

from typing import Any

from . import arns, paging, pki
from .context import Context
from .wire import invalid

#: statuses AWS uses internally and refuses in UpdateCertificate
INTERNAL_STATUSES = ("PENDING_TRANSFER", "PENDING_ACTIVATION")


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
    key = pki.new_key(ctx.tenant.settings.get("keyAlgorithm", "EC_P256"))
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


def certificate_id(value: str) -> str:
    value = value.lower()
    return value[2:] if value.startswith("0x") else value


def describe(ctx: Context) -> dict[str, Any]:
    rec = ctx.credentials.certificate(certificate_id(ctx.input["certificateId"]))
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
            "certificateMode": "DEFAULT",
        }
    }


def listing(ctx: Context) -> dict[str, Any]:
    pool = list(ctx.credentials.certificates().values())
    chunk, marker = paging.page(
        pool,
        key=lambda r: [r["created"], r["id"]],
        token=ctx.input.get("marker"),
        size=ctx.input.get("pageSize", paging.DEFAULT_MARKER_PAGE),
        field="marker",
        descending=not ctx.input.get("ascendingOrder", False),
    )
    items = [
        {
            "certificateArn": arns.certificate(ctx.tenant.id, r["id"]),
            "certificateId": r["id"],
            "status": r["status"],
            "certificateMode": "DEFAULT",
            "creationDate": r["created"] / 1000,
        }
        for r in chunk
    ]
    return {"certificates": items, "nextMarker": marker}


def update(ctx: Context) -> dict[str, Any]:
    status = ctx.input["newStatus"]
    if status in INTERNAL_STATUSES:
        raise invalid(f"The certificate status cannot be set to {status}: AWS IoT uses it internally")
    ctx.credentials.set_certificate_status(certificate_id(ctx.input["certificateId"]), status, ctx.now_ms)
    return {}


def delete(ctx: Context) -> dict[str, Any]:
    cert_id = certificate_id(ctx.input["certificateId"])
    ctx.credentials.remove_certificate(
        cert_id, arns.certificate(ctx.tenant.id, cert_id), force=bool(ctx.input.get("forceDelete"))
    )
    return {}
