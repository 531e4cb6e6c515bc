"""Just-in-time provisioning (JITP): a CA certificate's registration config, and the provisioning
it runs when a device certificate that CA signed first connects.

AWS keeps ``registrationConfig`` (``templateName`` | ``templateBody``, ``roleArn``) on the CA
certificate (RegisterCACertificate, UpdateCACertificate). Here it is a record of its own
(``ca registration config``) keyed by the registered CA certificate's id: it goes with its CA
(CASCADE), and its ``templateName`` is a RESTRICT reference (a template a CA uses cannot be
deleted: DeleteConflictException). :func:`set_config` takes the wire's ``registrationConfig``;
:func:`provision` is what the MQTT side runs on a device's first connection: the CA must be
registered, ACTIVE, with auto-registration enabled (the developer guide's JITP set-up), and must
have signed the device certificate.

Provisioning registers the device certificate (PENDING_ACTIVATION, as AWS does before it applies
the template), evaluates the template with the parameters AWS fills from the certificate
(``AWS::IoT::Certificate::Id``, ``CommonName``, ``Country``, ``Organization``,
``OrganizationalUnit``, ``DistinguishedNameQualifier``, ``StateName``, ``Locality``, ``Title``,
``SerialNumber``, each ``AWS::IoT::Certificate::<Name>``) and commits it with RegisterThing's
planning, all or nothing.

Choices where AWS documents nothing ([I] in the README): a ``templateName`` must name a template
of type JITP (InvalidRequestException otherwise), and a disabled one does not provision; giving
both ``templateName`` and ``templateBody`` is refused.
"""

from __future__ import annotations

from typing import Any

from cryptography.x509.oid import NameOID

from ...registry import Tenant
from ...registry.records import Records
from . import certificates, pki, provisioning_templates, register
from .context import Context
from .templates import TemplateError, evaluate
from .wire import AwsError, invalid

KIND = "ca registration config"
#: certificate subject fields AWS offers a JITP template, by parameter name
SUBJECT_PARAMETERS = {
    "CommonName": NameOID.COMMON_NAME,
    "Country": NameOID.COUNTRY_NAME,
    "Organization": NameOID.ORGANIZATION_NAME,
    "OrganizationalUnit": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "DistinguishedNameQualifier": NameOID.DN_QUALIFIER,
    "StateName": NameOID.STATE_OR_PROVINCE_NAME,
    "Locality": NameOID.LOCALITY_NAME,
    "Title": NameOID.TITLE,
    "SerialNumber": NameOID.SERIAL_NUMBER,
}


def config(tenant: Tenant, ca_certificate_id: str) -> dict[str, Any] | None:
    """The CA certificate's registration config as the wire shows it (None: it has none)."""
    record = Records(tenant, KIND).find(ca_certificate_id)
    if record is None:
        return None
    return {k: record[k] for k in ("templateName", "templateBody", "roleArn") if record.get(k) is not None}


def set_config(tenant: Tenant, ca_certificate_id: str, registration: dict[str, Any] | None) -> None:
    """Store (or, with None or ``{}``, remove) a CA certificate's ``registrationConfig``."""
    table = Records(tenant, KIND)
    with tenant.changes.transaction(tenant.lock):
        if not registration:
            if ca_certificate_id in table:
                table.delete(ca_certificate_id)
            return
        name, body = registration.get("templateName"), registration.get("templateBody")
        if name is not None and body is not None:
            raise invalid("A registrationConfig takes templateName or templateBody, not both")
        if name is not None:
            template = Records(tenant, provisioning_templates.KIND).get(name)
            if template["type"] != provisioning_templates.JITP:
                raise invalid(f"Provisioning template {name} is of type {template['type']}, not JITP")
        if body is not None:
            provisioning_templates.check_body(body)
        record = {
            "caCertificateId": ca_certificate_id,
            "templateName": name,
            "templateBody": body,
            "roleArn": registration.get("roleArn"),
        }
        if ca_certificate_id in table:
            table.replace(ca_certificate_id, record)
        else:
            table.create(ca_certificate_id, record)


def provision(ctx: Context, ca_certificate_id: str, certificate_pem: str) -> dict[str, Any]:
    """JITP for a device certificate the CA signed, on its first connection: its certificate is
    registered and the CA's template applied, all or nothing. Returns RegisterThing's answer."""
    from .ca_certificates import get as ca_record

    ca = ca_record(ctx.tenant, ca_certificate_id)
    if ca["status"] != "ACTIVE" or ca["autoRegistrationStatus"] != "ENABLE":
        raise AwsError(
            "CertificateStateException",
            f"CA certificate {ca['id']} must be ACTIVE with auto-registration enabled to provision "
            f"devices just in time (it is {ca['status']}, auto-registration {ca['autoRegistrationStatus']})",
        )
    record = Records(ctx.tenant, KIND).find(ca["id"])
    if record is None:
        raise invalid(f"CA certificate {ca_certificate_id} has no registration config for JITP")
    body = record.get("templateBody")
    if record.get("templateName") is not None:
        template = Records(ctx.tenant, provisioning_templates.KIND).get(record["templateName"])
        if not template["enabled"]:
            raise invalid(f"Provisioning template {template['name']} is not enabled")
        body = provisioning_templates.default_body(ctx, template)
    if body is None:
        raise invalid(f"CA certificate {ca_certificate_id}'s registration config names no template")
    try:
        cert = pki.load_certificate(certificate_pem)
    except pki.CertificateError as exc:
        raise invalid(str(exc)) from exc
    if not pki.issued_by(cert, pki.load_certificate(ca["pem"])):
        raise AwsError(
            "CertificateValidationException",
            f"The device certificate is not signed by CA certificate {ca['id']}",
        )
    certificate_id = pki.certificate_id(cert)
    builtins = {"AWS::IoT::Certificate::Id": certificate_id}
    for name, oid in SUBJECT_PARAMETERS.items():
        found = cert.subject.get_attributes_for_oid(oid)
        if found:
            builtins[f"AWS::IoT::Certificate::{name}"] = str(found[0].value)
    try:
        template_spec = evaluate(body, {}, builtins)
    except TemplateError as exc:
        raise AwsError(exc.code, exc.message) from exc
    issued = pki.Issued(
        pem=certificate_pem,
        certificate_id=certificate_id,
        not_before=cert.not_valid_before_utc.timestamp(),
        not_after=cert.not_valid_after_utc.timestamp(),
    )
    with ctx.provider.cloud.registry.transaction():
        if certificate_id not in ctx.credentials.certificates():
            made = certificates.record(ctx, issued, "PENDING_ACTIVATION")
            made.update(caCertificateId=ca["id"], certificateMode=ca["certificateMode"])
            ctx.credentials.add_certificate(made)
        return register.provision(ctx, template_spec)
