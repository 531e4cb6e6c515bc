"""CA certificates: RegisterCACertificate, Describe/List/Update/DeleteCACertificate,
Get/DeleteRegistrationCode, over the catalog's ``ca certificate`` kind.

A customer proves it owns a CA the way AWS asks (developer guide, "Register your CA
certificate"): in DEFAULT mode it signs a *verification certificate* with the CA's key whose
common name is the account's registration code; in SNI_ONLY mode (multi-account registration) no
proof is needed. The registration code is made on first GetRegistrationCode, stays the same until
DeleteRegistrationCode, and is drawn from the cloud's seeded ids, so a seeded cloud hands out the
same code every run.

A CA's ``registrationConfig`` (JITP) is the ``ca registration config`` kind (``jitp``), which goes
with its CA by the catalog's CASCADE rule.

Choices where AWS documents nothing ([I] in the README): DeleteCACertificate of an ACTIVE CA is
refused with CertificateStateException (deactivate it first, as for device certificates);
device certificates registered under a CA keep their ``caCertificateId`` after the CA is deleted;
a CA must be a CA (X.509 basicConstraints ``CA:TRUE``), else CertificateValidationException;
ListCACertificates lists newest first unless ``ascendingOrder`` is true, as ListCertificates does.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509

from ...registry import Tenant
from ...registry.records import Records
from . import arns, jitp, paging, pki
from .certificates import certificate_id as normal_id
from .context import Context
from .wire import AwsError, invalid

KIND = "ca certificate"
#: AWS: "up to 10 CA certificates with the same CA subject field per account"
SAME_SUBJECT_LIMIT = 10
STATUSES = ("ACTIVE", "INACTIVE")


def arn(tenant: Tenant, certificate_id: str) -> str:
    return arns.arn(tenant.id, f"cacert/{certificate_id}")


def records(tenant: Tenant) -> Records:
    return Records(tenant, KIND)


def get(tenant: Tenant, certificate_id: str) -> dict[str, Any]:
    found = records(tenant).find(normal_id(certificate_id))
    if found is None:
        raise AwsError("ResourceNotFoundException", f"CA certificate {certificate_id} does not exist")
    return found


# -- the registration code -------------------------------------------------------------------------
def registration_code(ctx: Context) -> str:
    code = ctx.tenant.settings.get("registrationCode")
    if code is None:
        code = ctx.tenant.settings["registrationCode"] = ctx.ids.token(32)
    return code


def get_registration_code(ctx: Context) -> dict[str, Any]:
    return {"registrationCode": registration_code(ctx)}


def delete_registration_code(ctx: Context) -> dict[str, Any]:
    ctx.tenant.settings.pop("registrationCode", None)
    return {}


# -- registering -----------------------------------------------------------------------------------
def _validation(message: str) -> AwsError:
    return AwsError("CertificateValidationException", message)


def load_ca(pem: str) -> x509.Certificate:
    try:
        cert = pki.load_certificate(pem)
        pki.check_signature_hash(cert, "CA certificate")
    except pki.CertificateError as exc:
        raise _validation(str(exc)) from exc
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise _validation("The certificate is not a CA certificate (its basicConstraints do not say CA:TRUE)")
    return cert


def _check_verification(ctx: Context, ca: x509.Certificate, pem: str | None) -> None:
    if not pem:
        raise invalid("A verificationCertificate is required to register a CA certificate in DEFAULT mode")
    try:
        verification = pki.load_certificate(pem)
    except pki.CertificateError as exc:
        raise _validation(f"The verification certificate cannot be used: {exc}") from exc
    names = verification.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    if not names or names[0].value != registration_code(ctx):
        raise AwsError(
            "RegistrationCodeValidationException",
            "The verification certificate's common name is not this account's registration code "
            "(GetRegistrationCode)",
        )
    if not pki.issued_by(verification, ca):
        raise _validation("The verification certificate is not signed by the CA certificate's private key")


def register(ctx: Context) -> dict[str, Any]:
    pem = ctx.input["caCertificate"]
    cert = load_ca(pem)
    mode = ctx.input.get("certificateMode", "DEFAULT")
    if mode == "DEFAULT":
        _check_verification(ctx, cert, ctx.input.get("verificationCertificate"))
    cert_id = pki.certificate_id(cert)
    subject = cert.subject.rfc4514_string()
    table = records(ctx.tenant)
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        if cert_id in table:
            raise AwsError(
                "ResourceAlreadyExistsException",
                "The CA certificate is already registered",
                resourceId=cert_id,
                resourceArn=arn(ctx.tenant, cert_id),
            )
        if sum(1 for _, r in table.items() if r["subject"] == subject) >= SAME_SUBJECT_LIMIT:
            raise AwsError(
                "LimitExceededException",
                f"An account can register up to {SAME_SUBJECT_LIMIT} CA certificates with the same "
                f"subject ({subject})",
            )
        table.create(
            cert_id,
            {
                "id": cert_id,
                "pem": pem,
                "status": "ACTIVE" if ctx.input.get("setAsActive") else "INACTIVE",
                "autoRegistrationStatus": "ENABLE" if ctx.input.get("allowAutoRegistration") else "DISABLE",
                "certificateMode": mode,
                "subject": subject,
                "created": ctx.now_ms,
                "updated": ctx.now_ms,
                "generationId": ctx.ids.token(16),
                "customerVersion": 1,
                "ownedBy": ctx.tenant.settings.get("accountId", arns.split_tenant(ctx.tenant.id)[0]),
                "notBefore": cert.not_valid_before_utc.timestamp(),
                "notAfter": cert.not_valid_after_utc.timestamp(),
                "tags": list(ctx.input.get("tags") or []),
            },
        )
        if ctx.input.get("registrationConfig"):
            jitp.set_config(ctx.tenant, cert_id, ctx.input["registrationConfig"])
    return {"certificateArn": arn(ctx.tenant, cert_id), "certificateId": cert_id}


def signer(tenant: Tenant, cert: x509.Certificate, ca_pem: str | None = None) -> dict[str, Any] | None:
    """The registered CA that signed ``cert`` (the one ``ca_pem`` names, when given), or None."""
    if ca_pem is not None:
        candidate = records(tenant).find(pki.certificate_id(load_ca(ca_pem)))
        candidates = [candidate] if candidate is not None else []
    else:
        issuer = cert.issuer.rfc4514_string()
        candidates = [r for _, r in records(tenant).items() if r["subject"] == issuer]
    for record in candidates:
        if pki.issued_by(cert, pki.load_certificate(record["pem"])):
            return record
    return None


# -- reading ---------------------------------------------------------------------------------------
def describe(ctx: Context) -> dict[str, Any]:
    record = get(ctx.tenant, ctx.input["certificateId"])
    answer: dict[str, Any] = {
        "certificateDescription": {
            "certificateArn": arn(ctx.tenant, record["id"]),
            "certificateId": record["id"],
            "status": record["status"],
            "certificatePem": record["pem"],
            "ownedBy": record["ownedBy"],
            "creationDate": record["created"] / 1000,
            "autoRegistrationStatus": record["autoRegistrationStatus"],
            "lastModifiedDate": record["updated"] / 1000,
            "customerVersion": record["customerVersion"],
            "generationId": record["generationId"],
            "validity": {"notBefore": record["notBefore"], "notAfter": record["notAfter"]},
            "certificateMode": record["certificateMode"],
        }
    }
    config = jitp.config(ctx.tenant, record["id"])
    if config:
        answer["registrationConfig"] = config
    return answer


def listing(ctx: Context) -> dict[str, Any]:
    pool = [r for _, r in records(ctx.tenant).items()]
    template = ctx.input.get("templateName")
    if template is not None:
        pool = [r for r in pool if (jitp.config(ctx.tenant, r["id"]) or {}).get("templateName") == template]
    chunk, marker = paging.by_marker(ctx.input, pool, key=lambda r: [r["created"], r["id"]])
    items = [
        {
            "certificateArn": arn(ctx.tenant, r["id"]),
            "certificateId": r["id"],
            "status": r["status"],
            "creationDate": r["created"] / 1000,
        }
        for r in chunk
    ]
    return {"certificates": items, "nextMarker": marker}


# -- changing --------------------------------------------------------------------------------------
def update(ctx: Context) -> dict[str, Any]:
    record = get(ctx.tenant, ctx.input["certificateId"])
    changes: dict[str, Any] = {}
    status = ctx.input.get("newStatus")
    if status is not None:
        if status not in STATUSES:
            raise invalid(f"A CA certificate's status can be {' or '.join(STATUSES)}, not {status}")
        changes["status"] = status
    if ctx.input.get("newAutoRegistrationStatus") is not None:
        changes["autoRegistrationStatus"] = ctx.input["newAutoRegistrationStatus"]
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        if changes:
            changes["updated"] = ctx.now_ms
            records(ctx.tenant).replace(record["id"], {**record, **changes})
        if ctx.input.get("removeAutoRegistration"):
            jitp.set_config(ctx.tenant, record["id"], None)
        elif ctx.input.get("registrationConfig") is not None:
            jitp.set_config(ctx.tenant, record["id"], ctx.input["registrationConfig"])
    return {}


def delete(ctx: Context) -> dict[str, Any]:
    record = get(ctx.tenant, ctx.input["certificateId"])
    if record["status"] == "ACTIVE":
        raise AwsError(
            "CertificateStateException",
            f"CA certificate {record['id']} is ACTIVE: set it INACTIVE (UpdateCACertificate) before "
            "deleting it",
        )
    records(ctx.tenant).delete(record["id"])
    return {}
