"""Fleet provisioning's MQTT API, transport-free: what a device publishing on these topics gets
back (the developer guide's "Device provisioning MQTT API"):

- ``$aws/certificates/create/json``: new keys and a certificate, PENDING_ACTIVATION, and a
  ``certificateOwnershipToken`` (answered on ``…/accepted``: ``certificateId``,
  ``certificatePem``, ``privateKey``, ``certificateOwnershipToken``);
- ``$aws/certificates/create-from-csr/json``: the same for the device's own CSR (no private key);
- ``$aws/provisioning-templates/<name>/provision/json``: RegisterThing with the token and the
  template's parameters (``fleet_provisioning.register_thing``), answered with ``thingName`` and
  ``deviceConfiguration``.

Refusals go to ``…/rejected`` as ``{"statusCode", "errorCode", "errorMessage"}``. An ownership
token stands for one certificate for one hour on the fake's clock (the guide: "valid for one
hour"), in the account that issued it; it is a catalog record (``ownership token``), so snapshots
keep it and deleting the certificate drops it. When the hour is up, the certificate goes unless
it was used (:func:`expire`, a read-time pass: DescribeCertificate, ListCertificates and the
other certificate reads run it first, as the jobs calls run ``jobs.refresh``). Fault rules apply
as to the HTTP operations of the same name (``CreateKeysAndCertificate``,
``CreateCertificateFromCsr``, ``RegisterThing``), and each request is journaled with method
``MQTT`` and its topic.

Choices where AWS documents nothing ([I] in the README): the ``cbor`` payload format is answered
``rejected`` 400 ``InvalidPayload`` (the fake speaks JSON); an expired or foreign token is 400
``InvalidCertificateOwnershipToken``, as fleet provisioning answers a token that does not hold.
"""

from __future__ import annotations

import heapq
import json
import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ... import jsonio
from ...operations import journal
from ...registry import Tenant
from ...registry.errors import DomainError
from ...registry.kinds import OWNERSHIP_TOKENS
from ...registry.records import Records
from ..base import Call, ProviderError
from . import arns, certificates, pki
from .context import Context
from .fleet_provisioning import ProvisioningRejected, register_thing, rejected
from .wire import invalid

if TYPE_CHECKING:
    from . import AwsIotProvider

KIND = "ownership token"
TOKEN_SECONDS = 60 * 60
PROVISION = re.compile(r"\$aws/provisioning-templates/(?P<name>[^/#+]+)/provision/(?P<format>json|cbor)")
CREATE = re.compile(r"\$aws/certificates/(?P<what>create|create-from-csr)/(?P<format>json|cbor)")

Message = tuple[str, bytes]


def is_request(topic: str) -> bool:
    return bool(PROVISION.fullmatch(topic) or CREATE.fullmatch(topic))


def respond(
    provider: AwsIotProvider,
    tenant: Tenant,
    topic: str,
    payload: bytes,
    *,
    certificate_id: str | None,
    client_id: str | None = None,
) -> list[Message]:
    """The answers to a fleet provisioning request (nothing for another topic). ``certificate_id``
    is the certificate the device is connected with (its claim)."""
    provision, create = PROVISION.fullmatch(topic), CREATE.fullmatch(topic)
    if provision is None and create is None:
        return []
    try:
        if (provision or create)["format"] == "cbor":  # type: ignore[index]
            raise ProvisioningRejected(
                400, "InvalidPayload", "iotfake speaks the JSON payload format, not CBOR"
            )
        try:
            request = jsonio.loads(payload or b"{}", what="the payload")
        except jsonio.JSONInputError:
            raise ProvisioningRejected(400, "InvalidPayload", "The payload is not valid JSON") from None
        if not isinstance(request, dict):
            raise ProvisioningRejected(400, "InvalidPayload", "The payload must be a JSON object")
        if provision is not None:
            answer = _provision(provider, tenant, provision["name"], request, certificate_id, client_id)
        else:
            answer = _create(provider, tenant, topic, create["what"], request, client_id)  # type: ignore[index]
    except ProvisioningRejected as exc:
        return [(f"{topic}/rejected", _dump(exc.payload()))]
    return [(f"{topic}/accepted", _dump(answer))]


def _create(
    provider: AwsIotProvider,
    tenant: Tenant,
    topic: str,
    what: str,
    request: dict[str, Any],
    client_id: str | None,
) -> dict[str, Any]:
    operation = "CreateKeysAndCertificate" if what == "create" else "CreateCertificateFromCsr"
    account, region = arns.split_tenant(tenant.id)
    call = Call("aws", operation, None, tenant=tenant.id)
    call.params = {"account": account, "region": region, **({"clientId": client_id} if client_id else {})}
    started = time.perf_counter()
    ctx = Context(provider, call, tenant, {})
    try:
        decision = provider.cloud.faults.decide(call)
        if decision is not None:
            if decision.delay > 0:
                time.sleep(decision.delay)
            failure = provider.cloud.faults.failure(provider, call, decision)
            if failure is not None:
                raise failure
        answer = _issue(ctx, what, request)
    except DomainError as exc:
        error = provider.from_domain(call, exc)
        return _refuse(provider, call, topic, error, started)
    except ProviderError as exc:
        return _refuse(provider, call, topic, exc, started)
    call.code = "OK"
    journal(provider.cloud, call, "MQTT", topic, 200, started)
    return answer


def _refuse(provider: AwsIotProvider, call: Call, topic: str, error: ProviderError, started: float) -> Any:
    error.status = provider.status_of(call, error)
    call.code = str(error.code)
    journal(provider.cloud, call, "MQTT", topic, error.status, started)
    raise rejected(error)


def _issue(ctx: Context, what: str, request: dict[str, Any]) -> dict[str, Any]:
    if what == "create":
        key = pki.new_key(ctx.tenant.settings.get("keyAlgorithm", pki.DEFAULT_KEY_ALGORITHM))
        issued = pki.issue(ctx.tenant, ctx.ids, ctx.now, key.public_key())
        private: str | None = pki.key_pair_pems(key)[1]
    else:
        csr = request.get("certificateSigningRequest")
        if not isinstance(csr, str):
            raise invalid("certificateSigningRequest is required: a PEM-encoded CSR")
        try:
            issued = pki.sign_csr(ctx.tenant, ctx.ids, ctx.now, csr)
        except pki.CertificateError as exc:
            raise invalid(str(exc)) from exc
        private = None
    token = ctx.ids.token(64)
    with ctx.tenant.changes.transaction(ctx.tenant.lock):
        ctx.credentials.add_certificate(certificates.record(ctx, issued, "PENDING_ACTIVATION"))
        Records(ctx.tenant, KIND).create(
            token,
            {
                "token": token,
                "certificateId": issued.certificate_id,
                "expires": ctx.now_ms + TOKEN_SECONDS * 1000,
            },
        )
    answer = {"certificateId": issued.certificate_id, "certificatePem": issued.pem}
    if private is not None:
        answer["privateKey"] = private
    answer["certificateOwnershipToken"] = token
    return answer


def _provision(
    provider: AwsIotProvider,
    tenant: Tenant,
    name: str,
    request: dict[str, Any],
    claim: str | None,
    client_id: str | None,
) -> dict[str, Any]:
    token = request.get("certificateOwnershipToken")
    with tenant.lock:
        expire(Context(provider, None, tenant, {}))
        record = Records(tenant, KIND).find(token) if isinstance(token, str) else None
    now_ms = int(provider.cloud.clock.time() * 1000)
    certificate_id = record["certificateId"] if record is not None and record["expires"] > now_ms else ""
    parameters = request.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ProvisioningRejected(400, "InvalidPayload", "parameters must be a JSON object")
    if not certificate_id:
        # register_thing journals the call and answers as for a certificate that does not exist
        reason = (
            "has expired"
            if record is not None
            else "is not one this account issued, or it expired and its certificate was deleted"
        )
        try:
            return register_thing(
                provider,
                tenant,
                name,
                parameters,
                certificate_id="",
                claim_certificate_id=claim,
                client_id=client_id,
            )
        except ProvisioningRejected as exc:
            if exc.error_code == "InvalidCertificateOwnershipToken":
                raise ProvisioningRejected(
                    400, exc.error_code, f"The certificateOwnershipToken {reason}"
                ) from None
            raise
    return register_thing(
        provider,
        tenant,
        name,
        parameters,
        certificate_id=certificate_id,
        claim_certificate_id=claim,
        client_id=client_id,
    )


# -- the read-time pass ----------------------------------------------------------------------------
class Expiries:
    """Ownership tokens by when they expire, kept as the tokens table changes (``Table.derived``,
    told of every write and undo), so the read-time pass pops the due ones rather than reading
    every token on every certificate read. An entry is checked against its record when it comes
    due and dropped if the record has gone or moved on (as ``job_deadlines.Deadlines`` does)."""

    __slots__ = ("_heap",)

    def __init__(self, rows: Iterable[tuple[str, Any]]) -> None:
        self._heap: list[tuple[int, str]] = []  # (expires, token)
        for key, record in rows:
            self.moved(key, None, record)

    def moved(self, key: str, before: Any, after: Any) -> None:
        if isinstance(after, dict) and (
            not isinstance(before, dict) or before["expires"] != after["expires"]
        ):
            heapq.heappush(self._heap, (after["expires"], key))

    def due(self, now_ms: int, table: dict[str, Any]) -> list[str]:
        """The tokens whose hour is up at ``now_ms``, earliest first; each is answered once."""
        found = []
        while self._heap and self._heap[0][0] <= now_ms:
            expires, key = heapq.heappop(self._heap)
            record = table.get(key)
            if record is not None and record["expires"] == expires:
                found.append(key)
        return found


def expire(ctx: Context) -> None:
    """Delete the certificates whose ownership token expired unused. The guide ("Device
    provisioning MQTT API", for CreateKeysAndCertificate and CreateCertificateFromCsr alike): "If
    the certificate created by CreateCertificateFromCsr hasn't been activated and hasn't been
    attached to a policy or a thing by the time the token expires, the certificate is deleted."
    Run, under the tenant's lock, by every certificate read before it reads, so a certificate is
    gone from the instant its hour is up whichever call looks first."""
    if OWNERSHIP_TOKENS not in ctx.tenant.tables:
        return
    with ctx.tenant.lock:
        table = Records(ctx.tenant, KIND).table
        for token in table.derived("expiries", Expiries).due(ctx.now_ms, table):
            record = table.get(token)
            if record is not None:
                _drop_if_unused(ctx, record["certificateId"])


def _drop_if_unused(ctx: Context, certificate_id: str) -> None:
    """Delete a certificate still PENDING_ACTIVATION with no policy and no thing attached (its
    token goes with it, the catalog's CASCADE). [I]: one whose status was changed by
    UpdateCertificate (INACTIVE, REVOKED) is kept, as one activated is: someone acted on it."""
    record = ctx.credentials.certificates().get(certificate_id)
    if record is None or record["status"] != "PENDING_ACTIVATION":
        return
    principal = arns.certificate(ctx.tenant.id, certificate_id)
    if ctx.credentials.principals.lefts(principal) or ctx.credentials.targets.lefts(principal):
        return
    ctx.credentials.remove_certificate(certificate_id, principal)


def _dump(document: dict[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()
