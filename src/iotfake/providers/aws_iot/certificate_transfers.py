"""Certificate transfers between accounts: TransferCertificate, Accept/Reject/CancelCertificateTransfer,
ListOutgoingCertificates (moto serves none of them).

A transfer is a certificate record of the source account in status PENDING_TRANSFER with a
``transfer`` (target account, message, date). The target sees it before accepting (the API
reference: "To check for pending certificate transfers, call ListCertificates"): its
ListCertificates and DescribeCertificate include certificates transferred to it from accounts of
the same region (found through the target's own index, never by walking every account).
Accepting moves the record into the target account (``ownedBy`` the target,
``previousOwnedBy`` the source, INACTIVE unless ``setAsActive``); rejecting or cancelling returns
it to the source INACTIVE, ``transferData`` saying what happened. The source remembers accepted
transfers (tenant setting ``transferredOut``), so a late cancel answers
TransferAlreadyCompletedException rather than a bare not-found.

Choices where AWS documents nothing ([I] in the README): a certificate with things attached cannot
be transferred either (TransferConflictException, as for policies); transferring to the own
account is InvalidRequestException; a REVOKED certificate cannot be transferred.
"""

from __future__ import annotations

from typing import Any

from ...registry import Tenant
from ...registry.records import cascade
from . import arns, paging
from .certificates import certificate_id
from .context import Context
from .wire import AwsError, invalid

PENDING = "PENDING_TRANSFER"
#: the target account's index of transfers to it
INCOMING = "incomingTransfers"


def _done() -> AwsError:
    return AwsError(
        "TransferAlreadyCompletedException", "The certificate transfer has already been completed"
    )


def _account(tenant: Tenant) -> str:
    return arns.split_tenant(tenant.id)[0]


def incoming(ctx: Context) -> list[tuple[Tenant, dict[str, Any]]]:
    """Certificates other accounts of this region are transferring to this one: (source, record).

    The target keeps an index of them (setting ``incomingTransfers``: certificate id -> source
    account), so its listings never walk every account."""
    found = []
    for cert_id, source_id in dict(ctx.tenant.settings.get(INCOMING) or {}).items():
        source = ctx.provider.cloud.registry.find_tenant("aws", source_id)
        record = source.table("certificates").get(cert_id) if source is not None else None
        if record is not None and record["status"] == PENDING:
            found.append((source, record))
    return found


def _index(tenant: Tenant, cert_id: str, source: str | None) -> None:
    pending = dict(tenant.settings.get(INCOMING) or {})
    if source is None:
        pending.pop(cert_id, None)
    else:
        pending[cert_id] = source
    tenant.settings[INCOMING] = pending


def _incoming(ctx: Context, cert_id: str) -> tuple[Tenant, dict[str, Any]]:
    for source, record in incoming(ctx):
        if record["id"] == cert_id:
            return source, record
    if cert_id in ctx.credentials.certificates():
        raise _done()  # here already: accepted before
    raise AwsError(
        "ResourceNotFoundException", f"No pending transfer of certificate {cert_id} to this account"
    )


def transfer(ctx: Context) -> dict[str, Any]:
    cert_id = certificate_id(ctx.input["certificateId"])
    target = ctx.input["targetAwsAccount"]
    record = ctx.credentials.certificate(cert_id)
    if target == _account(ctx.tenant):
        raise invalid("A certificate cannot be transferred to the account that owns it")
    if record["status"] in ("ACTIVE", "REVOKED", PENDING):
        raise AwsError(
            "CertificateStateException",
            f"Certificate {cert_id} is {record['status']}: only an INACTIVE certificate can be transferred",
        )
    principal = arns.certificate(ctx.tenant.id, cert_id)
    if ctx.credentials.targets.lefts(principal):
        raise AwsError("TransferConflictException", f"Certificate {cert_id} still has policies attached")
    if ctx.credentials.principals.lefts(principal):
        raise AwsError("TransferConflictException", f"Certificate {cert_id} is still attached to things")
    transfer_data = {"transferMessage": ctx.input.get("transferMessage"), "transferDate": ctx.now_ms}
    region = arns.split_tenant(ctx.tenant.id)[1]
    with ctx.provider.cloud.registry.transaction():
        _store(
            ctx.tenant,
            {**record, "status": PENDING, "updated": ctx.now_ms, "transfer": {"to": target, **transfer_data}},
        )
        _index(ctx.provider.account(target, region), cert_id, ctx.tenant.id)
    return {"transferredCertificateArn": arns.certificate(arns.tenant_id(target, region), cert_id)}


def accept(ctx: Context) -> dict[str, Any]:
    cert_id = certificate_id(ctx.input["certificateId"])
    with ctx.provider.cloud.registry.transaction():
        source, record = _incoming(ctx, cert_id)
        pending = record["transfer"]
        moved = {k: v for k, v in record.items() if k != "transfer"}
        moved.update(
            status="ACTIVE" if ctx.input.get("setAsActive") else "INACTIVE",
            ownedBy=_account(ctx.tenant),
            previousOwnedBy=_account(source),
            updated=ctx.now_ms,
            transferData={
                "transferMessage": pending.get("transferMessage"),
                "transferDate": pending["transferDate"],
                "acceptDate": ctx.now_ms,
            },
        )
        cascade(source, "certificate", cert_id)  # the catalog's rules (a claim goes with it)
        del source.table("certificates")[cert_id]
        _index(ctx.tenant, cert_id, None)
        source.settings["transferredOut"] = {
            **source.settings.get("transferredOut", {}),
            cert_id: moved["ownedBy"],
        }
        ctx.credentials.add_certificate(moved)
    return {}


def reject(ctx: Context) -> dict[str, Any]:
    cert_id = certificate_id(ctx.input["certificateId"])
    with ctx.provider.cloud.registry.transaction():
        source, record = _incoming(ctx, cert_id)
        _return(source, record, ctx.now_ms, rejectReason=ctx.input.get("rejectReason"), rejectDate=ctx.now_ms)
        _index(ctx.tenant, cert_id, None)
    return {}


def cancel(ctx: Context) -> dict[str, Any]:
    cert_id = certificate_id(ctx.input["certificateId"])
    with ctx.tenant.lock:
        record = ctx.credentials.certificates().get(cert_id)
        if record is None:
            if cert_id in ctx.tenant.settings.get("transferredOut", {}):
                raise _done()
            raise AwsError("ResourceNotFoundException", f"Certificate {cert_id} does not exist")
        if record["status"] != PENDING:
            if record.get("transferData", {}).get("rejectDate") is not None:
                raise _done()
            raise invalid(f"Certificate {cert_id} is not being transferred")
        target = ctx.provider.account(record["transfer"]["to"], arns.split_tenant(ctx.tenant.id)[1])
        with ctx.provider.cloud.registry.transaction():
            _return(ctx.tenant, record, ctx.now_ms)
            _index(target, cert_id, None)
    return {}


def _return(source: Tenant, record: dict[str, Any], now: int, **extra: Any) -> None:
    pending = record["transfer"]
    data = {
        "transferMessage": pending.get("transferMessage"),
        "transferDate": pending["transferDate"],
        **extra,
    }
    returned = {k: v for k, v in record.items() if k != "transfer"}
    returned.update(
        status="INACTIVE", updated=now, transferData={k: v for k, v in data.items() if v is not None}
    )
    _store(source, returned)


def _store(tenant: Tenant, record: dict[str, Any]) -> None:
    with tenant.lock:
        tenant.table("certificates")[record["id"]] = record


def outgoing(ctx: Context) -> dict[str, Any]:
    pool = [r for r in ctx.credentials.certificates().values() if r["status"] == PENDING]
    chunk, marker = paging.by_marker(ctx.input, pool, key=lambda r: [r["transfer"]["transferDate"], r["id"]])
    items = [
        {
            "certificateArn": arns.certificate(ctx.tenant.id, r["id"]),
            "certificateId": r["id"],
            "transferredTo": r["transfer"]["to"],
            "transferDate": r["transfer"]["transferDate"] / 1000,
            "creationDate": r["created"] / 1000,
            **(
                {"transferMessage": r["transfer"]["transferMessage"]}
                if r["transfer"].get("transferMessage")
                else {}
            ),
        }
        for r in chunk
    ]
    return {"outgoingCertificates": items, "nextMarker": marker}
