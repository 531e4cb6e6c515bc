"""Which things a job targets, and whether a CONTINUOUS job's targets could have gained a thing since
it last queued executions for them.

Targets are thing ARNs and thing group ARNs; a group targets its members and the members of its
descendants. Every jobs call brings the CONTINUOUS jobs up to date (``jobs.refresh``), which read
every member of every target group for the ones without an execution: 5 ms a call at 10,000 things,
on every device's every jobs call. What a job's missing executions depend on (its targets, the set
of things, the thing group and membership tables, how many executions it has: one deleted is queued
again; and whether a transaction rolled back since, which can take that count back to a value noted
inside it) is noted when it is brought up to date (``remember``), and the next call reads the
members again only if any of it moved (``reconciled``). A dynamic group's members follow the
things' documents: a job that targets one is always read again.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from ...registry.groups import GROUPS, MEMBERS
from ...registry.records import Records
from . import arns
from .context import Context
from .dynamic_groups import is_dynamic, members
from .wire import AwsError, invalid

if TYPE_CHECKING:
    from ...registry.tenant import Tenant


def target_things(ctx: Context, targets: list[str], *, strict: bool = True) -> list[str]:
    """The things ``targets`` name, in order, once each: thing ARNs and thing group ARNs (a
    group's members and its descendants' members). ``strict``: a missing target is an error."""
    tenant = ctx.tenant
    found: dict[str, None] = {}
    for target in targets:
        thing = arns.resource_of(tenant.id, target, "thing")
        if thing is not None:
            if thing in tenant.keys:
                found[thing] = None
            elif strict:
                raise AwsError("ResourceNotFoundException", f"Thing {thing} cannot be found.")
            continue
        group = arns.resource_of(tenant.id, target, "thinggroup")
        if group is None:
            if strict:
                raise invalid(f"{target} is not a thing or thing group ARN of this account and region")
            continue
        if ctx.groups.find(group) is None:
            if strict:
                raise AwsError("ResourceNotFoundException", f"Thing group {group} cannot be found.")
            continue
        for name in (group, *ctx.groups.descendants(group)):
            for member in members(ctx, name):
                found[member] = None
    return list(found)


def single_group_id(ctx: Context, targets: list[str]) -> str | None:
    for target in targets:
        group = arns.resource_of(ctx.tenant.id, target, "thinggroup")
        if group is not None:
            record = ctx.groups.find(group)
            if record is not None and record.get("id") is not None:
                return record["id"]
    return None


#: tenant -> job id -> (what its missing executions depended on when it was last brought up to
#: date, and the tables that was read from: kept alive so that their ids stay theirs)
_RECONCILED: weakref.WeakKeyDictionary[Tenant, dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]]] = (
    weakref.WeakKeyDictionary()
)


def reconciled(ctx: Context, job_id: str, targets: list[str]) -> bool:
    """Whether nothing a CONTINUOUS job's missing executions depend on moved since ``remember``."""
    kept = _RECONCILED.get(ctx.tenant, {}).get(job_id)
    if kept is None:
        return False
    state = _state(ctx, job_id, targets)
    return state is not None and state[0] == kept[0]


def remember(ctx: Context, job_id: str, targets: list[str]) -> None:
    """Note that the job was just brought up to date (under the tenant lock)."""
    state = _state(ctx, job_id, targets)
    memo = _RECONCILED.setdefault(ctx.tenant, {})
    if state is None:
        memo.pop(job_id, None)
    else:
        memo[job_id] = state


def _state(ctx: Context, job_id: str, targets: list[str]) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    tenant = ctx.tenant
    for target in targets:
        group = arns.resource_of(tenant.id, target, "thinggroup")
        if group is not None and ctx.groups.find(group) is not None:
            below = (group, *ctx.groups.descendants(group))
            if any(is_dynamic(ctx.groups.find(name)) for name in below):
                return None
    groups, links = tenant.table(GROUPS), tenant.tables.get(MEMBERS)  # Tables: they count writes
    count = Records(tenant, "job execution").count("job", value=job_id)
    signature = (
        tuple(targets),
        tenant.changes.rollbacks,  # a rollback can take the count back to one noted inside it
        tenant.key_writes,
        id(groups),
        groups.generation,
        id(links),
        None if links is None else links.generation,
        count,
    )
    return signature, (groups, links)
