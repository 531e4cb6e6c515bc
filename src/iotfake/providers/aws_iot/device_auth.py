"""Who may connect: a device's TLS client certificate against the registry, as AWS IoT admits it.

The MQTT broker hands over the certificate a device presented (and its MQTT client id); the
answer is an :class:`Admission` (the account, the certificate, the policy :class:`Connection`) or
:class:`Refused` saying why. A certificate gets in when it is registered in some account, ACTIVE,
within its validity on the fake's clock, its CA (if it was registered under one) ACTIVE, and a
policy attached to it allows ``iot:Connect`` for the client id.

A certificate nobody registered, signed by a registered CA with auto-registration enabled, is
registered on this first connection, which is refused (the developer guide: the device's first
connection fails while AWS IoT registers the certificate; it reconnects): with the CA's JITP
registration config the template provisions thing, policy and certificate
(``jitp.provision``); without one (just-in-time registration) the certificate is registered
PENDING_ACTIVATION and ``$aws/events/certificates/registered/<caCertificateId>`` is published for
the customer's activation code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...registry import Tenant
from ...registry.kinds import CA_CERTIFICATES, CERTIFICATES
from ...registry.records import Records
from . import arns, ca_certificates, certificates, jitp, pki
from .context import Context
from .messages import deliver
from .policy_eval import Connection, authorize

if TYPE_CHECKING:
    from . import AwsIotProvider

#: MQTT 3.1.1 CONNACK return code for a client that may not connect
NOT_AUTHORIZED = 5


class Refused(Exception):
    """The connection is refused; ``reason`` says why (for the journal and the test that reads it)."""

    def __init__(self, reason: str, *, registered: bool = False, code: int = NOT_AUTHORIZED) -> None:
        super().__init__(reason)
        self.reason = reason
        #: the certificate was registered (JITR) or provisioned (JITP) by this attempt
        self.registered = registered
        self.code = code


@dataclass(frozen=True, slots=True)
class Admission:
    tenant: Tenant
    certificate_id: str
    connection: Connection
    #: the CA certificate the certificate was registered under, if any
    ca_id: str | None = None

    @property
    def credentials(self) -> frozenset[tuple[str, str]]:
        """(table, key) of the records it was admitted by: its certificate and its CA's."""
        found = {(CERTIFICATES, self.certificate_id)}
        if self.ca_id:
            found.add((CA_CERTIFICATES, self.ca_id))
        return frozenset(found)


def find(provider: AwsIotProvider, certificate_id: str) -> tuple[Tenant, dict[str, Any]] | None:
    """The account holding a certificate (ids are SHA-256 digests: one account at most)."""
    for tenant in provider.cloud.registry.tenants("aws"):
        record = tenant.table(CERTIFICATES).get(certificate_id)
        if record is not None:
            return tenant, record
    return None


def identify(provider: AwsIotProvider, certificate_pem: str, client_id: str) -> dict[str, str]:
    """What a certificate presented as ``client_id`` is, admitted or not (a Connect fault rule's
    fields): its id, and where it is registered its account, region and the connection's thing."""
    try:
        certificate_id = pki.certificate_id(pki.load_certificate(certificate_pem))
    except pki.CertificateError:
        return {}
    found = find(provider, certificate_id)
    if found is None:
        return {"certificateId": certificate_id}
    tenant = found[0]
    account, region = arns.split_tenant(tenant.id)
    params = {"certificateId": certificate_id, "account": account, "region": region, "tenant": tenant.id}
    thing = Connection.of(tenant, certificate_id, client_id).thing
    if thing is not None:
        params["thingName"] = thing
    return params


def admit(provider: AwsIotProvider, certificate_pem: str, client_id: str) -> Admission:
    """Admit a device presenting ``certificate_pem`` as ``client_id``, or raise :class:`Refused`."""
    try:
        cert = pki.load_certificate(certificate_pem)
    except pki.CertificateError as exc:
        raise Refused(str(exc)) from exc
    certificate_id = pki.certificate_id(cert)
    found = find(provider, certificate_id)
    if found is None:
        _register_first_connection(provider, cert, certificate_pem)
        raise Refused(f"certificate {certificate_id} is not registered in any account")
    tenant, record = found
    if record["status"] != "ACTIVE":
        raise Refused(f"certificate {certificate_id} is {record['status']}, not ACTIVE")
    now = provider.cloud.clock.time()
    if not record["notBefore"] <= now <= record["notAfter"]:
        raise Refused(f"certificate {certificate_id} is not valid now (it has expired or is not valid yet)")
    withdrawn = _ca_withdrawn(tenant, record)
    if withdrawn is not None:
        raise Refused(withdrawn)
    connection = Connection.of(tenant, certificate_id, client_id)
    verdict = authorize(connection, "iot:Connect", client_id)
    if not verdict.allowed:
        raise Refused(verdict.reason)
    return Admission(tenant, certificate_id, connection, record.get("caCertificateId"))


def revoked(admission: Admission) -> str | None:
    """Why an admitted connection may no longer stay, or None. AWS's UpdateCertificate: "Within a
    few minutes of updating a certificate from an ACTIVE state to any other state, IoT
    disconnects all devices that used that certificate to connect"; the fake does it at once,
    and likewise for a certificate deleted or whose CA certificate left ACTIVE."""
    record = admission.tenant.table(CERTIFICATES).get(admission.certificate_id)
    if record is None:
        return f"certificate {admission.certificate_id} was deleted"
    if record.get("status") != "ACTIVE":
        return f"certificate {admission.certificate_id} is {record.get('status')}, not ACTIVE"
    return _ca_withdrawn(admission.tenant, record)


def _ca_withdrawn(tenant: Tenant, record: dict[str, Any]) -> str | None:
    ca_id = record.get("caCertificateId")
    ca = Records(tenant, ca_certificates.KIND).find(ca_id) if ca_id else None
    if ca is not None and ca["status"] != "ACTIVE":
        return f"certificate {record.get('id')}'s CA certificate {ca_id} is {ca['status']}"
    return None


def _register_first_connection(provider: AwsIotProvider, cert: Any, pem: str) -> None:
    """JITP or JITR for a certificate a registered, auto-registering CA signed (else nothing)."""
    for tenant in provider.cloud.registry.tenants("aws"):
        ca = ca_certificates.signer(tenant, cert)
        if ca is None or ca["status"] != "ACTIVE" or ca["autoRegistrationStatus"] != "ENABLE":
            continue
        ctx = Context(provider, None, tenant, {})
        if jitp.config(tenant, ca["id"]):
            jitp.provision(ctx, ca["id"], pem)
            raise Refused("the certificate was provisioned just in time: connect again", registered=True)
        issued = pki.Issued(
            pem=pem,
            certificate_id=pki.certificate_id(cert),
            not_before=cert.not_valid_before_utc.timestamp(),
            not_after=cert.not_valid_after_utc.timestamp(),
        )
        made = certificates.record(ctx, issued, "PENDING_ACTIVATION")
        made.update(caCertificateId=ca["id"], certificateMode=ca["certificateMode"])
        ctx.credentials.add_certificate(made)
        account = arns.split_tenant(tenant.id)[0]
        event = {
            "certificateId": made["id"],
            "caCertificateId": ca["id"],
            "timestamp": ctx.now_ms,
            "certificateStatus": "PENDING_ACTIVATION",
            "awsAccountId": account,
            "certificateRegistrationTimestamp": ctx.now_ms,
        }
        deliver(
            ctx,
            f"$aws/events/certificates/registered/{ca['id']}",
            json.dumps(event).encode(),
            qos=0,
            retain=False,
        )
        tenant.changes.dispatch()
        raise Refused(
            "the certificate was registered just in time (PENDING_ACTIVATION): activate it and connect again",
            registered=True,
        )
