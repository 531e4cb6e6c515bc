"""RegisterThing: evaluate the template, plan every change, then commit them all or none.

Slow work (signing a CSR, parsing PEMs) happens first, outside the registry lock. Planning then
checks everything that could fail - thing type, groups, override conflicts, quotas, certificate
and policy references, attachment limits - under the lock, and the commit that follows under the
same lock only applies changes that were checked, inside a registry transaction: if one still
fails, the change log undoes every write before it, so a failed RegisterThing leaves the registry
exactly as it was.

Choices where AWS documents nothing ([I] in the README): with no ``OverrideSettings`` an existing
thing is left as it is (DO_NOTHING) while a certificate's ``Status`` is applied (REPLACE), which
is what fleet provisioning relies on to activate the certificate it registers; FAIL conflicts
answer ``ConflictingResourceUpdateException``; missing thing types, groups, certificates and
policies answer ``ResourceRegistrationFailureException``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...registry import Device
from ...registry.errors import QuotaExceeded
from ...registry.groups import MAX_GROUPS_PER_DEVICE
from . import arns, billing_groups, certificates, pki, policies, things
from .context import Context
from .templates import CertificateSpec, PolicySpec, Template, TemplateError, ThingSpec, evaluate
from .wire import AwsError

FAILURE = "ResourceRegistrationFailureException"
CONFLICT = "ConflictingResourceUpdateException"


def failure(message: str) -> AwsError:
    return AwsError(FAILURE, message)


@dataclass(slots=True)
class Plan:
    """What the commit will do, decided under the lock."""

    arns: dict[str, str] = field(default_factory=dict)
    steps: list[Callable[[], Any]] = field(default_factory=list)
    certificate_pem: str | None = None
    principal: str | None = None
    policy_names: list[str] = field(default_factory=list)

    def step(self, do: Callable[[], Any]) -> None:
        self.steps.append(do)


def register(ctx: Context) -> dict[str, Any]:
    try:
        template = evaluate(ctx.input["templateBody"], dict(ctx.input.get("parameters") or {}))
    except TemplateError as exc:
        raise AwsError(exc.code, exc.message) from exc
    return provision(ctx, template)


def provision(ctx: Context, template: Template) -> dict[str, Any]:
    """Plan an evaluated template against the registry and commit it, all or nothing (RegisterThing,
    and fleet provisioning's device-side RegisterThing); ``resourceArns`` and ``certificatePem``."""
    issued = _prepare_certificate(ctx, template.certificate)
    with ctx.tenant.lock:
        plan = Plan()
        if template.certificate is not None:
            _plan_certificate(ctx, plan, template.certificate, issued)
        for spec in template.policies:
            _plan_policy(ctx, plan, spec)
        _check_policy_limit(ctx, plan, template)
        if template.thing is not None:
            _plan_thing(ctx, plan, template.thing)
        _commit(ctx, plan)
    out: dict[str, Any] = {"resourceArns": plan.arns}
    if plan.certificate_pem is not None:
        out["certificatePem"] = plan.certificate_pem
    return out


def _commit(ctx: Context, plan: Plan) -> None:
    """Apply the steps, all or none (the registry's change log undoes a half-made commit)."""
    with ctx.provider.cloud.registry.transaction():
        for do in plan.steps:
            do()


# -- certificate -----------------------------------------------------------------------------------
def _prepare_certificate(ctx: Context, spec: CertificateSpec | None) -> pki.Issued | None:
    """Sign the CSR or read the PEM before taking the lock (the slow part)."""
    if spec is None:
        return None
    try:
        if spec.csr is not None:
            return pki.sign_csr(ctx.tenant, ctx.ids, ctx.now, spec.csr)
        if spec.pem is not None:
            cert = pki.load_certificate(spec.pem)
            _, ca_cert = pki.ca(ctx.tenant, ctx.ids, ctx.now)
            certificate_id = pki.certificate_id(cert)
            known = certificate_id in ctx.credentials.certificates()
            if not known and not pki.issued_by(cert, ca_cert):
                raise failure(
                    "The certificate is not signed by a CA registered in this account; only certificates "
                    "issued by this account's CA (see ca_certificate_pem) can be registered"
                )
            return pki.Issued(
                pem=spec.pem,
                certificate_id=certificate_id,
                not_before=cert.not_valid_before_utc.timestamp(),
                not_after=cert.not_valid_after_utc.timestamp(),
            )
    except pki.CertificateError as exc:
        raise AwsError("InvalidRequestException", f"Invalid registration template. {exc}") from exc
    return None


def _plan_certificate(ctx: Context, plan: Plan, spec: CertificateSpec, issued: pki.Issued | None) -> None:
    creds = ctx.credentials
    certificate_id = spec.certificate_id if issued is None else issued.certificate_id
    assert certificate_id is not None
    existing = creds.certificates().get(certificate_id)
    if existing is None and spec.certificate_id is not None:
        raise failure(f"Certificate {certificate_id} does not exist in this account and region")
    if existing is None:
        assert issued is not None
        record = certificates.record(ctx, issued, spec.status)
        plan.step(lambda: creds.add_certificate(record))
        plan.certificate_pem = issued.pem
    else:
        plan.certificate_pem = existing["pem"]
        if existing["status"] != spec.status:
            if spec.status_override == "FAIL":
                raise AwsError(
                    CONFLICT,
                    f"Certificate {certificate_id} is {existing['status']}; the template asks for "
                    f"{spec.status} and its OverrideSettings say FAIL",
                )
            if spec.status_override == "REPLACE":
                if existing["status"] == "REVOKED":
                    raise failure(f"Certificate {certificate_id} is revoked and cannot become {spec.status}")
                now = ctx.now_ms
                plan.step(lambda: creds.set_certificate_status(certificate_id, spec.status, now))
    plan.principal = arns.certificate(ctx.tenant.id, certificate_id)
    plan.arns[spec.logical_id] = plan.principal


# -- policies --------------------------------------------------------------------------------------
def _plan_policy(ctx: Context, plan: Plan, spec: PolicySpec) -> None:
    creds = ctx.credentials
    if spec.name is not None:
        if spec.name not in creds.policies():
            raise failure(f"Policy {spec.name} does not exist in this account and region")
        name = spec.name
    else:
        assert spec.document is not None
        try:
            policies.check_document(spec.document)
        except AwsError as exc:
            raise AwsError(
                "InvalidRequestException", f"Invalid registration template. {exc.message}"
            ) from exc
        name = hashlib.sha256(spec.document.encode()).hexdigest()
        if name not in creds.policies() and name not in plan.policy_names:
            document = spec.document
            plan.step(lambda: policies.add_policy(ctx, name, document))
    plan.arns[spec.logical_id] = arns.policy(ctx.tenant.id, name)
    if name in plan.policy_names:
        return  # the same policy under a second logical id: created and attached once
    plan.policy_names.append(name)
    if plan.principal is not None:
        principal = plan.principal
        plan.step(lambda: creds.attach_policy(name, principal))


def _check_policy_limit(ctx: Context, plan: Plan, template: Template) -> None:
    if plan.principal is None or not template.policies:
        return
    total = set(ctx.credentials.targets.lefts(plan.principal)) | set(plan.policy_names)
    if len(total) > policies.MAX_POLICIES_PER_TARGET:
        raise failure(
            f"The certificate would have {len(total)} policies attached; at most "
            f"{policies.MAX_POLICIES_PER_TARGET} are allowed"
        )


# -- thing -----------------------------------------------------------------------------------------
def _plan_thing(ctx: Context, plan: Plan, spec: ThingSpec) -> None:
    tenant = ctx.tenant
    existing = tenant.keys.get(spec.name)
    groups = spec.groups or []
    for group in groups:
        if ctx.groups.find(group) is None:
            raise failure(f"Thing group {group} does not exist in this account and region")
    if existing is None:
        _plan_new_thing(ctx, plan, spec, groups)
    else:
        _plan_existing_thing(ctx, plan, spec, existing, groups)
    plan.arns[spec.logical_id] = arns.thing(tenant.id, spec.name)
    if plan.principal is not None:
        creds, principal, name = ctx.credentials, plan.principal, spec.name
        plan.step(lambda: creds.attach_principal(name, principal))


def _thing_type(ctx: Context, name: str) -> None:
    product = ctx.tenant.products.get(name)
    if product is None:
        raise failure(f"Thing type {name} does not exist in this account and region")
    if product.attributes.get("deprecated"):
        raise failure(f"Thing type {name} is deprecated; things cannot be associated with it")


def _check_groups(ctx: Context, groups: list[str], thing: str) -> None:
    if len(groups) > MAX_GROUPS_PER_DEVICE:
        raise failure(f"Thing {thing} cannot be in more than {MAX_GROUPS_PER_DEVICE} thing groups")
    roots: dict[str, str] = {}
    for group in groups:
        root = ctx.groups.root(group)
        if root in roots:
            raise failure(
                f"Thing {thing} cannot be in thing groups {roots[root]} and {group} of the same hierarchy"
            )
        roots[root] = group


def _plan_new_thing(ctx: Context, plan: Plan, spec: ThingSpec, groups: list[str]) -> None:
    tenant = ctx.tenant
    attributes = spec.attributes or {}
    if spec.thing_type is not None:
        _thing_type(ctx, spec.thing_type)
    try:
        things.check_attribute_count(attributes, spec.thing_type)
    except AwsError as exc:
        raise AwsError("InvalidRequestException", f"Invalid registration template. {exc.message}") from exc
    try:
        tenant.check_room()  # thing types carry no quota of their own
    except QuotaExceeded as exc:
        raise failure(f"The account already holds its limit of {exc.limit} things") from exc
    _check_groups(ctx, groups, spec.name)
    if spec.billing_group is not None and billing_groups.records(ctx).find(spec.billing_group) is None:
        raise failure(f"Billing group {spec.billing_group} does not exist in this account and region")

    def create() -> None:
        things.add_thing(ctx, spec.name, spec.thing_type, attributes, spec.billing_group)
        for group in groups:
            ctx.groups.add_member(group, spec.name)

    plan.step(create)


def _conflict(thing: str, prop: str, current: Any, wanted: Any) -> AwsError:
    return AwsError(
        CONFLICT,
        f"Thing {thing} exists with {prop} {current!r}; the template asks for {wanted!r} and its "
        "OverrideSettings say FAIL",
    )


def _plan_existing_thing(
    ctx: Context, plan: Plan, spec: ThingSpec, device: Device, groups: list[str]
) -> None:
    tenant = ctx.tenant
    overrides = spec.overrides
    attributes = dict(device.attributes or {})
    if spec.attributes is not None:
        action = overrides.get("AttributePayload", "DO_NOTHING")
        if action == "FAIL" and spec.attributes != attributes:
            raise _conflict(spec.name, "AttributePayload", attributes, spec.attributes)
        if action == "REPLACE":
            attributes = dict(spec.attributes)
        elif action == "MERGE":
            attributes = {**attributes, **spec.attributes}
    thing_type = device.product
    if spec.thing_type is not None and spec.thing_type != device.product:
        action = overrides.get("ThingTypeName", "DO_NOTHING")
        if action == "FAIL":
            raise _conflict(spec.name, "ThingTypeName", device.product, spec.thing_type)
        if action == "REPLACE":
            _thing_type(ctx, spec.thing_type)
            thing_type = spec.thing_type
    current_groups = ctx.groups.groups_of(spec.name)
    final_groups = list(current_groups)
    if spec.groups is not None:
        action = overrides.get("ThingGroups", "DO_NOTHING")
        if action == "FAIL" and set(groups) != set(current_groups):
            raise _conflict(spec.name, "ThingGroups", sorted(current_groups), sorted(groups))
        if action == "REPLACE":
            final_groups = list(groups)
        elif action == "MERGE":
            final_groups = list(dict.fromkeys([*current_groups, *groups]))
    try:
        things.check_attribute_count(attributes, thing_type)
    except AwsError as exc:
        raise AwsError("InvalidRequestException", f"Invalid registration template. {exc.message}") from exc
    _check_groups(ctx, final_groups, spec.name)
    if attributes != (device.attributes or {}) or thing_type != device.product:

        def update() -> None:
            tenant.update_device(device, {"attributes": attributes or None}, product=thing_type)

        plan.step(update)
    leaving = [g for g in current_groups if g not in final_groups]
    joining = [g for g in final_groups if g not in current_groups]
    if leaving or joining:
        name = spec.name

        def regroup() -> None:
            for group in leaving:
                ctx.groups.remove_member(group, name)
            for group in joining:
                ctx.groups.add_member(group, name)

        plan.step(regroup)
