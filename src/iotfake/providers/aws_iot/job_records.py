"""The tables of jobs and job executions, as every jobs module reads them: the catalog's ``job``
and ``job execution`` kinds, an execution keyed ``job|thing`` (neither a job id nor a thing
name may hold ``|``)."""

from __future__ import annotations

from ...registry.records import Records
from .context import Context

JOB, EXECUTION = "job", "job execution"
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "REJECTED", "REMOVED", "CANCELED", "TIMED_OUT"})


def jobs(ctx: Context) -> Records:
    return Records(ctx.tenant, JOB)


def executions(ctx: Context) -> Records:
    return Records(ctx.tenant, EXECUTION)


def execution_key(job_id: str, thing: str) -> str:
    return f"{job_id}|{thing}"
