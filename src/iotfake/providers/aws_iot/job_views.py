"""Jobs and executions as the wire shows them: DescribeJob's ``jobProcessDetails``, an
execution's summary (the listings) and its whole view (DescribeJobExecution, both sides), with
the seconds left before it times out."""

from __future__ import annotations

from typing import Any

from . import arns
from .context import Context
from .job_config import minutes_of
from .job_records import executions, jobs

COUNTS = {
    "CANCELED": "numberOfCanceledThings",
    "SUCCEEDED": "numberOfSucceededThings",
    "FAILED": "numberOfFailedThings",
    "REJECTED": "numberOfRejectedThings",
    "QUEUED": "numberOfQueuedThings",
    "IN_PROGRESS": "numberOfInProgressThings",
    "REMOVED": "numberOfRemovedThings",
    "TIMED_OUT": "numberOfTimedOutThings",
}


def details(ctx: Context, job_id: str) -> dict[str, Any]:
    """DescribeJob's ``jobProcessDetails``: counted by the index of (job, status), the things
    still processing listed oldest first."""
    table = executions(ctx)
    counts = {name: table.count("job", "status", value=(job_id, status)) for status, name in COUNTS.items()}
    processing = [
        execution
        for status in ("QUEUED", "IN_PROGRESS")
        for _, execution in table.where("job", "status", value=(job_id, status))
    ]
    processing.sort(key=lambda execution: execution["number"])
    return {"processingTargets": [arns.thing(ctx.tenant.id, e["thing"]) for e in processing], **counts}


def summary(execution: dict[str, Any]) -> dict[str, Any]:
    out = {
        "status": execution["status"],
        "queuedAt": execution["queued"] / 1000,
        "lastUpdatedAt": execution["updated"] / 1000,
        "executionNumber": execution["number"],
        "retryAttempt": 0,
    }
    if execution.get("started") is not None:
        out["startedAt"] = execution["started"] / 1000
    return out


def execution_view(ctx: Context, execution: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "jobId": execution["job"],
        "status": execution["status"],
        "thingArn": arns.thing(ctx.tenant.id, execution["thing"]),
        "queuedAt": execution["queued"] / 1000,
        "lastUpdatedAt": execution["updated"] / 1000,
        "executionNumber": execution["number"],
        "versionNumber": execution["version"],
        "forceCanceled": bool(execution.get("forceCanceled")),
        "statusDetails": {"detailsMap": execution.get("statusDetails") or {}},
    }
    if execution.get("started") is not None:
        out["startedAt"] = execution["started"] / 1000
    timeout = deadline(ctx, execution)
    if timeout is not None and execution["status"] == "IN_PROGRESS":
        out["approximateSecondsBeforeTimedOut"] = max(0, (timeout - ctx.now_ms) // 1000)
    return out


def deadline(ctx: Context, execution: dict[str, Any]) -> int | None:
    """When an execution in progress times out: its step timer or its job's in-progress timeout,
    whichever comes first (a step timer does not replace the job's: see ``job_deadlines``)."""
    if execution.get("started") is None:
        return None
    minutes = minutes_of(jobs(ctx).find(execution["job"]) or {})
    deadlines = [execution["started"] + minutes * 60_000] if minutes is not None else []
    if execution.get("timeout") is not None:  # the device's stepTimeoutInMinutes
        deadlines.append(execution["timeout"])
    return min(deadlines) if deadlines else None
