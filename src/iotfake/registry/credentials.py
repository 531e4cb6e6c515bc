"""Certificates, policies and what they are attached to (AWS IoT's security objects).

Records are JSON-able dicts in the tenant's tables, replaced rather than mutated so that snapshots
stay exact. The rules that make real clients fail live here: an ACTIVE certificate cannot be
deleted, nor one still attached to things; a policy cannot go while attached; a thing cannot go
while principals are attached to it; a target holds a bounded number of policies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import kinds
from .errors import InUse, InvalidArgument, InvalidState, KeyCollision, NotFound, QuotaExceeded
from .records import Records, cascade
from .relations import Relation

if TYPE_CHECKING:
    from .tenant import Tenant

#: tables (see ``kinds``): principal -> the one thing it is exclusively attached to; relation
#: tables: thing key -> principal, policy name -> target
CERTIFICATES, POLICIES, EXCLUSIVE = kinds.CERTIFICATES, kinds.POLICIES, kinds.EXCLUSIVE_PRINCIPALS
PRINCIPALS, TARGETS = kinds.THING_PRINCIPALS, kinds.POLICY_TARGETS


class Credentials:
    """One tenant's certificates, policies and attachments."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        #: thing key -> principal (certificate ARN, Cognito identity)
        self.principals = Relation(tenant, PRINCIPALS)
        #: policy name -> target (certificate ARN, thing group ARN, Cognito identity)
        self.targets = Relation(tenant, TARGETS)

    # -- certificates ------------------------------------------------------------------------------
    def certificates(self) -> dict[str, dict[str, Any]]:
        return self.tenant.table(CERTIFICATES)

    def add_certificate(self, record: dict[str, Any]) -> dict[str, Any]:
        with self.tenant.lock:
            table = self.certificates()
            if record["id"] in table:
                raise KeyCollision(key=record["id"], existing=table[record["id"]])
            table[record["id"]] = record
            return record

    def certificate(self, certificate_id: str) -> dict[str, Any]:
        record = self.certificates().get(certificate_id)
        if record is None:
            raise NotFound(kind="certificate", key=certificate_id)
        return record

    def set_certificate_status(self, certificate_id: str, status: str, now: int) -> dict[str, Any]:
        """Change the status; a REVOKED certificate stays revoked."""
        with self.tenant.lock:
            record = self.certificate(certificate_id)
            if record["status"] == status:
                return record
            if record["status"] == "REVOKED":
                raise InvalidState(f"certificate {certificate_id} is revoked and cannot become {status}")
            updated = {**record, "status": status, "updated": now}
            self.certificates()[certificate_id] = updated
            return updated

    def remove_certificate(
        self, certificate_id: str, principal: str, *, force: bool = False
    ) -> dict[str, Any]:
        """Delete a certificate that is not ACTIVE and not attached (``force`` detaches policies)."""
        with self.tenant.lock:
            record = self.certificate(certificate_id)
            if record["status"] == "ACTIVE":
                raise InvalidState(
                    f"Certificate must be deactivated (not ACTIVE) before deletion. Id: {certificate_id}",
                    reason="active",
                )
            if self.principals.lefts(principal):
                raise InUse(f"Things must be detached before deletion (arn: {principal})", reason="things")
            if self.targets.lefts(principal):
                if not force:
                    raise InUse(
                        f"Certificate policies must be detached before deletion (arn: {principal})",
                        reason="policies",
                    )
                self.targets.drop_right(principal)
            with self.tenant.changes.transaction(self.tenant.lock):
                cascade(self.tenant, "certificate", certificate_id)  # the catalog's rules (a claim)
                self.tenant.table(EXCLUSIVE).pop(principal, None)
                del self.certificates()[certificate_id]
            return record

    # -- policies ----------------------------------------------------------------------------------
    def policies(self) -> dict[str, dict[str, Any]]:
        return self.tenant.table(POLICIES)

    def add_policy(self, record: dict[str, Any]) -> dict[str, Any]:
        with self.tenant.lock:
            table = self.policies()
            if record["name"] in table:
                raise KeyCollision(key=record["name"], existing=table[record["name"]])
            table[record["name"]] = record
            return record

    def policy(self, name: str) -> dict[str, Any]:
        record = self.policies().get(name)
        if record is None:
            raise NotFound(kind="policy", key=name)
        return record

    def remove_policy(self, name: str) -> dict[str, Any]:
        return Records(self.tenant, "policy").delete(name)

    def attach_policy(self, name: str, target: str, *, limit: int | None = None) -> bool:
        """Attach; False if already attached. More than ``limit`` policies on a target: QuotaExceeded."""
        with self.tenant.lock:
            self.policy(name)
            attached = self.targets.lefts(target)
            if name in attached:
                return False
            if limit is not None and len(attached) >= limit:
                raise QuotaExceeded(f"{target} already has {limit} policies attached", limit=limit)
            return self.targets.link(name, target)

    def detach_policy(self, name: str, target: str) -> bool:
        return self.targets.unlink(name, target)

    # -- thing principals --------------------------------------------------------------------------
    def attach_principal(self, thing: str, principal: str, *, exclusive: bool = False) -> bool:
        """Attach a principal to a thing; an exclusively attached principal serves only its thing."""
        with self.tenant.lock:
            owners = self.tenant.table(EXCLUSIVE)
            owner = owners.get(principal)
            if owner is not None and owner != thing:
                raise InvalidArgument(
                    f"Principal {principal} is exclusively attached to thing {owner}", field="principal"
                )
            others = [t for t in self.principals.lefts(principal) if t != thing]
            if exclusive and others:
                raise InvalidArgument(
                    f"Principal {principal} is already attached to other things and cannot be attached "
                    "exclusively",
                    field="principal",
                )
            if exclusive:
                owners[principal] = thing
            return self.principals.link(thing, principal)

    def detach_principal(self, thing: str, principal: str) -> bool:
        with self.tenant.lock:
            owners = self.tenant.table(EXCLUSIVE)
            if owners.get(principal) == thing:
                del owners[principal]
            return self.principals.unlink(thing, principal)

    def require_no_principals(self, thing: str) -> None:
        """Raise InUse if principals are attached (AWS refuses DeleteThing then)."""
        if self.principals.rights(thing):
            raise InUse(f"Cannot delete. Thing {thing} is still attached to one or more principals")
