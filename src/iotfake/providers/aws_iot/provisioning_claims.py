"""CreateProvisioningClaim: a claim certificate and key pair for fleet provisioning by trusted user.

The claim is a real certificate, signed by the account's CA, ACTIVE, valid for five minutes on
the fake's clock (its X.509 ``notAfter``, DescribeCertificate's ``validity.notAfter`` and the
answer's ``expiration`` are the same instant), recorded twice: as a certificate (so
DescribeCertificate and ListCertificates show it, and a device can present it) and as a
``provisioning claim`` record naming the template it provisions with and when it expires. The
device side (``fleet_provisioning``) accepts a claim only for its template and before it expires.
Deleting the template or the certificate drops the claim record (the catalog's CASCADE rules).

Choices where AWS documents nothing ([I] in the README): a claim for a JITP template is refused
(InvalidRequestException: claims are for fleet provisioning); a claim for a disabled template is
issued (provisioning then refuses it); the key is RSA-2048 unless the account's
``keyAlgorithm`` says EC_P256, as for CreateKeysAndCertificate; an expired claim certificate
stays ACTIVE in the registry (AWS documents no clean-up), but cannot provision.
"""

from __future__ import annotations

from typing import Any

from ...registry import Tenant
from ...registry.records import Records
from . import certificates, pki, provisioning_templates
from .context import Context
from .wire import invalid

KIND = "provisioning claim"
#: how long a provisioning claim is valid (the developer guide's "Provisioning by trusted user")
CLAIM_SECONDS = 5 * 60


def create(ctx: Context) -> dict[str, Any]:
    name = ctx.input["templateName"]
    template = provisioning_templates.records(ctx).get(name)
    if template["type"] != provisioning_templates.FLEET:
        raise invalid(
            f"Provisioning template {name} is of type {template['type']}: claims are for fleet provisioning"
        )
    key = pki.new_key(ctx.tenant.settings.get("keyAlgorithm", pki.DEFAULT_KEY_ALGORITHM))
    issued = pki.issue(ctx.tenant, ctx.ids, ctx.now, key.public_key(), valid_for=CLAIM_SECONDS)
    expires = int(issued.not_after * 1000)
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        provisioning_templates.records(ctx).get(name)  # still there, now that the lock is held
        ctx.credentials.add_certificate(certificates.record(ctx, issued, "ACTIVE"))
        Records(ctx.tenant, KIND).create(
            issued.certificate_id,
            {
                "certificateId": issued.certificate_id,
                "template": name,
                "expires": expires,
                "created": ctx.now_ms,
            },
        )
    public, private = pki.key_pair_pems(key)
    return {
        "certificateId": issued.certificate_id,
        "certificatePem": issued.pem,
        "keyPair": {"PublicKey": public, "PrivateKey": private},
        "expiration": expires / 1000,
    }


def claim(tenant: Tenant, certificate_id: str) -> dict[str, Any] | None:
    """The provisioning claim a certificate stands for (None: an ordinary certificate)."""
    return Records(tenant, KIND).find(certificate_id)
