"""Fleet provisioning's device side: RegisterThing by template name, as a Python function.

A device publishes ``{"certificateOwnershipToken": ..., "parameters": {...}}`` on
``$aws/provisioning-templates/<templateName>/provision/<format>`` and hears the answer on
``.../accepted`` (``{"thingName": ..., "deviceConfiguration": {...}}``) or ``.../rejected``
(``{"statusCode": ..., "errorCode": ..., "errorMessage": ...}``). The MQTT side turns the
ownership token into the certificate it stands for and calls :func:`register_thing`, which
answers the accepted payload or raises :class:`ProvisioningRejected` carrying the rejected one.

What it does, in AWS's order (developer guide, "Provisioning devices that don't have device
certificates using fleet provisioning" and "Pre-provisioning hooks"):

1. fault rules for ``RegisterThing`` are consulted (match fields ``templateName``, ``parameters``,
   ``certificateId``, ``claimCertificateId``, ``clientId``); a rule whose error is ``Forbidden``
   denies as a pre-provisioning hook does (403 ``AccessDenied``);
2. the template must exist, be of type FLEET_PROVISIONING and be enabled;
3. the claiming certificate must exist and be ACTIVE; if it is a claim from
   CreateProvisioningClaim, it must be for this template and not expired on the fake's clock;
4. the device's new certificate (the one the ownership token names) must exist;
5. the template's pre-provisioning hook runs (a Python callable, see :class:`Hooks`): it gets
   AWS's documented input and answers ``{"allowProvisioning": bool, "parameterOverrides": {}}``;
   the overrides are added to the parameters;
6. the template's default version is evaluated by the template engine with those parameters and
   ``AWS::IoT::Certificate::Id`` (the device's certificate), and registered by RegisterThing's
   planning (``register.provision``): thing, certificate status, policies, all or nothing.

Choices where AWS documents nothing ([I] in the README): the rejected payload's ``errorCode`` is
the API error's name without "Exception" (``ResourceRegistrationFailure``, ``InvalidRequest``),
with the status the API model gives it; a missing template is 404 ``ResourceNotFound``, a
disabled or JITP template 400 ``InvalidRequest``; an unusable claim (inactive, expired, another
template's) and a hook's denial are 403 ``AccessDenied``; an unknown device certificate is 400
``InvalidCertificateOwnershipToken`` (the error AWS gives for a token that does not hold); a hook
that raises or answers without a boolean ``allowProvisioning`` is 500 ``InternalFailure``; a
template whose hook has no callable registered provisions as if the hook allowed it (the fake
runs no Lambda). Each call is journaled as operation ``RegisterThing`` with method ``MQTT`` and
the request topic as its path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ... import operations
from ...operations import journal
from ...registry import Tenant
from ...registry.errors import DomainError
from ...registry.records import Records
from ..base import Call, ProviderError
from . import arns, provisioning_claims, provisioning_templates, register
from .context import Context
from .templates import TemplateError, evaluate
from .wire import AwsError

if TYPE_CHECKING:
    from . import AwsIotProvider

Hook = Callable[[dict[str, Any]], Any]
#: the fault-rule error that denies as a pre-provisioning hook does
DENY = "Forbidden"
#: the match fields a fleet provisioning call carries besides account and region
FIELDS = frozenset({"templateName", "parameters", "certificateId", "claimCertificateId", "clientId"})


class ProvisioningRejected(Exception):
    """RegisterThing refused; :meth:`payload` is what the device hears on ``.../rejected``."""

    def __init__(self, status_code: int, error_code: str, error_message: str) -> None:
        super().__init__(f"{status_code} {error_code}: {error_message}")
        self.status_code = status_code
        self.error_code = error_code
        self.error_message = error_message

    def payload(self) -> dict[str, Any]:
        return {
            "statusCode": self.status_code,
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
        }


class AnswerLost(operations.AnswerLost):
    """A fault rule's ``lost_response``: the thing was provisioned, the answer never arrives."""

    @property
    def accepted(self) -> dict[str, Any]:
        return self.output


class Hooks:
    """Pre-provisioning hooks as Python callables, by template name or by the hook's targetArn
    (a template's own name wins). Not part of snapshots: they are code, like a Lambda."""

    def __init__(self) -> None:
        self._by_target: dict[str, Hook] = {}

    def set(self, target: str, hook: Hook | None) -> None:
        if hook is None:
            self._by_target.pop(target, None)
        else:
            self._by_target[target] = hook

    def find(self, template: dict[str, Any]) -> Hook | None:
        found = self._by_target.get(template["name"])
        if found is None and template.get("hook"):
            found = self._by_target.get(template["hook"]["targetArn"])
        return found

    def clear(self) -> None:
        self._by_target.clear()


def rejected(error: ProviderError) -> ProvisioningRejected:
    return ProvisioningRejected(error.status, str(error.code).removesuffix("Exception"), error.message)


def register_thing(
    provider: AwsIotProvider,
    tenant: Tenant,
    template_name: str,
    parameters: dict[str, str] | None = None,
    *,
    certificate_id: str,
    claim_certificate_id: str | None = None,
    client_id: str | None = None,
) -> dict[str, Any]:
    """Provision a device as fleet provisioning's RegisterThing does (see the module docstring).
    Returns the accepted payload; raises :class:`ProvisioningRejected` (and :class:`AnswerLost`
    when a fault rule loses the answer after the registry committed)."""
    parameters = dict(parameters or {})
    account, region = arns.split_tenant(tenant.id)
    call = Call("aws", "RegisterThing", None, tenant=tenant.id)
    call.params = {
        "templateName": template_name,
        "parameters": {k: v for k, v in parameters.items() if isinstance(v, str) and len(v) < 256},
        "certificateId": certificate_id,
        "claimCertificateId": claim_certificate_id,
        "clientId": client_id,
        "account": account,
        "region": region,
    }
    started = time.perf_counter()
    try:
        accepted = _run(
            provider, tenant, call, template_name, parameters, certificate_id, claim_certificate_id, client_id
        )
    except ProvisioningRejected as exc:
        call.code = exc.error_code
        _journal(provider, call, template_name, exc.status_code, started)
        raise
    call.code = "OK"
    _journal(provider, call, template_name, 200, started)
    if call.fault_action == "lost_response":
        raise AnswerLost(accepted, call.fault)
    return accepted


def _run(
    provider: AwsIotProvider,
    tenant: Tenant,
    call: Call,
    name: str,
    parameters: dict[str, str],
    certificate_id: str,
    claim_id: str | None,
    client_id: str | None,
) -> dict[str, Any]:
    cloud = provider.cloud
    decision = cloud.faults.decide(call)
    if decision is not None:
        if decision.delay > 0:
            time.sleep(decision.delay)
        if decision.kind == "error" and decision.error == DENY:
            raise _denied(f"The request was denied by iotfake fault rule {decision.rule!r}")
        failure = cloud.faults.failure(provider, call, decision)
        if failure is not None:
            raise rejected(failure)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in parameters.items()):
        raise ProvisioningRejected(400, "InvalidRequest", "parameters must map names to strings")
    ctx = Context(provider, call, tenant, {})
    template = Records(tenant, provisioning_templates.KIND).find(name)
    if template is None:
        raise ProvisioningRejected(404, "ResourceNotFound", f"Provisioning template {name} cannot be found.")
    if template["type"] != provisioning_templates.FLEET:
        raise ProvisioningRejected(
            400,
            "InvalidRequest",
            f"Provisioning template {name} is of type {template['type']}, not FLEET_PROVISIONING",
        )
    if not template["enabled"]:
        raise ProvisioningRejected(400, "InvalidRequest", f"Provisioning template {name} is not enabled")
    if claim_id is not None:
        _check_claim(ctx, name, claim_id)
    device = ctx.credentials.certificates().get(certificate_id)
    if device is None:
        raise ProvisioningRejected(
            400,
            "InvalidCertificateOwnershipToken",
            f"Certificate {certificate_id} does not exist in this account",
        )
    template_arn = provisioning_templates.arn(tenant.id, name)
    # the callable stands in for the template's Lambda: it runs only while the template has a hook
    hook = provider.provisioning_hooks.find(template) if template.get("hook") else None
    if hook is not None:
        payload = {
            "claimCertificateId": claim_id,
            "certificateId": certificate_id,
            "certificatePem": device["pem"],
            "templateArn": template_arn,
            "clientId": client_id,
            "parameters": dict(parameters),
        }
        parameters = {**parameters, **_ask(hook, payload, template)}
    try:
        with tenant.lock:
            body = provisioning_templates.default_body(
                ctx, Records(tenant, provisioning_templates.KIND).get(name)
            )
        evaluated = evaluate(body, parameters, {"AWS::IoT::Certificate::Id": certificate_id})
        register.provision(ctx, evaluated)
    except TemplateError as exc:
        raise rejected(AwsError(exc.code, exc.message)) from exc
    except ProviderError as exc:
        raise rejected(exc) from exc
    except DomainError as exc:
        raise rejected(provider.from_domain(call, exc)) from exc
    out: dict[str, Any] = {"deviceConfiguration": evaluated.device_configuration or {}}
    if evaluated.thing is not None:
        out["thingName"] = evaluated.thing.name
    return out


def _denied(message: str) -> ProvisioningRejected:
    return ProvisioningRejected(403, "AccessDenied", message)


def _check_claim(ctx: Context, name: str, claim_id: str) -> None:
    record = ctx.credentials.certificates().get(claim_id)
    if record is None or record["status"] != "ACTIVE":
        raise _denied(f"The claim certificate {claim_id} is not an ACTIVE certificate of this account")
    claim = provisioning_claims.claim(ctx.tenant, claim_id)
    if claim is None:
        return  # an ordinary certificate a policy lets provision (provisioning by claim)
    if claim["template"] != name:
        raise _denied(f"The provisioning claim {claim_id} is for template {claim['template']}, not {name}")
    if ctx.now_ms >= claim["expires"]:
        raise _denied(f"The provisioning claim {claim_id} expired")


def _ask(hook: Hook, payload: dict[str, Any], template: dict[str, Any]) -> dict[str, str]:
    """Run the hook; its parameter overrides, or the rejection it stands for."""
    target = (template.get("hook") or {}).get("targetArn", template["name"])
    try:
        answer = hook(payload)
    except Exception as exc:  # the Lambda failed: AWS fails the request
        raise ProvisioningRejected(
            500, "InternalFailure", f"The pre-provisioning hook {target} failed: {exc}"
        ) from exc
    allowed = answer.get("allowProvisioning") if isinstance(answer, dict) else None
    if not isinstance(allowed, bool):
        raise ProvisioningRejected(
            500, "InternalFailure", f"The pre-provisioning hook {target} answered without allowProvisioning"
        )
    if not allowed:
        raise _denied(f"The pre-provisioning hook {target} did not allow provisioning")
    overrides = answer.get("parameterOverrides") or {}
    if not isinstance(overrides, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in overrides.items()
    ):
        raise ProvisioningRejected(
            500,
            "InternalFailure",
            f"The pre-provisioning hook {target}'s parameterOverrides must map names to strings",
        )
    return overrides


def _journal(provider: AwsIotProvider, call: Call, name: str, status: int, started: float) -> None:
    journal(
        provider.cloud, call, "MQTT", f"$aws/provisioning-templates/{name}/provision/json", status, started
    )
