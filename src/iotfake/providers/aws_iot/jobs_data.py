"""The device side of jobs (``iot-jobs-data``): GetPendingJobExecutions,
StartNextPendingJobExecution, DescribeJobExecution (``$next`` too), UpdateJobExecution.

They act on the same ``job execution`` records as the ``iot`` operations (``jobs``): a device
moves its execution QUEUED -> IN_PROGRESS -> SUCCEEDED / FAILED / REJECTED, with
``expectedVersion`` checks, ``statusDetails`` and ``stepTimeoutInMinutes`` (a step timer beside
the job's in-progress timeout, whichever ends first, on the fake's clock). Times are epoch
seconds (the model's ``long``).

Choices where AWS documents nothing for HTTP ([I] in the README): a stale ``expectedVersion``
answers ``InvalidStateTransitionException`` (409) whose message starts ``VersionMismatch`` (the
name MQTT's error response uses; the HTTP model has no version error); updating an execution in
a terminal state is ``InvalidStateTransitionException`` too; "next" is the oldest IN_PROGRESS
execution, else the oldest QUEUED (by ``queuedAt``, then job id).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import jobs
from .context import Context
from .job_config import MAX_MINUTES
from .job_views import deadline
from .wire import AwsError, invalid

NEXT = "$next"
#: where a device may move its execution from each status
#: the statuses a device sets: "The new status for the job execution (IN_PROGRESS, FAILED,
#: SUCCESS, or REJECTED)" (UpdateJobExecution); REMOVED, CANCELED and TIMED_OUT are the service's
MOVES = {
    "QUEUED": {"IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"},
    "IN_PROGRESS": {"IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"},
}
#: "The maximum length of the value in the name/value pair is 1,024 characters" (statusDetails,
#: in the documentation only: the model's DetailsValue has no maximum)
MAX_DETAIL = 1024


def status_details(given: Any) -> dict[str, Any] | None:
    """``statusDetails`` as given, each value at most ``MAX_DETAIL`` characters (None: absent)."""
    if given is None:
        return None
    for name, value in given.items():
        if isinstance(value, str) and len(value) > MAX_DETAIL:
            raise invalid(
                f"statusDetails.{name} is {len(value)} characters: a value is at most {MAX_DETAIL}."
            )
    return dict(given)


def pending(ctx: Context) -> dict[str, Any]:
    jobs.refresh(ctx)
    thing = ctx.input["thingName"]
    ctx.tenant.device(key=thing)
    mine = _of_thing(ctx, thing)
    return {
        "inProgressJobs": [summary(e) for e in mine if e["status"] == "IN_PROGRESS"],
        "queuedJobs": [summary(e) for e in mine if e["status"] == "QUEUED"],
    }


def start_next(ctx: Context) -> dict[str, Any]:
    _check_step_timeout(ctx.input.get("stepTimeoutInMinutes"), cancels=False)
    jobs.refresh(ctx)
    thing = ctx.input["thingName"]
    ctx.tenant.device(key=thing)
    execution = _next(ctx, thing)
    if execution is None:
        return {}
    if execution["status"] == "QUEUED":
        changes: dict[str, Any] = {"started": ctx.now_ms}
        details = status_details(ctx.input.get("statusDetails"))
        if details is not None:
            changes["statusDetails"] = details
        _step_timeout(ctx, changes)
        key = jobs.execution_key(execution["job"], thing)
        execution = jobs._set(ctx, key, execution, "IN_PROGRESS", **changes)
    return {"execution": view(ctx, execution, with_document=True)}


def describe(ctx: Context) -> dict[str, Any]:
    jobs.refresh(ctx)
    args = ctx.input
    thing = args["thingName"]
    if args["jobId"] == NEXT:
        ctx.tenant.device(key=thing)
        execution = _next(ctx, thing)
        if execution is None:
            return {}
    else:
        _, execution = jobs._execution(ctx, args["jobId"], thing, args.get("executionNumber"))
    return {"execution": view(ctx, execution, with_document=bool(args.get("includeJobDocument", True)))}


def update(ctx: Context) -> dict[str, Any]:
    _check_step_timeout(ctx.input.get("stepTimeoutInMinutes"), cancels=True)
    details = status_details(ctx.input.get("statusDetails"))
    jobs.refresh(ctx)
    args = ctx.input
    key, execution = jobs._execution(ctx, args["jobId"], args["thingName"], args.get("executionNumber"))
    expected = args.get("expectedVersion")
    if expected is not None and expected != execution["version"]:
        raise AwsError(
            "InvalidStateTransitionException",
            f"VersionMismatch: the expected version {expected} does not match the current version "
            f"{execution['version']} of the job execution.",
        )
    status = args["status"]
    if status not in MOVES.get(execution["status"], ()):
        raise AwsError(
            "InvalidStateTransitionException",
            f"A job execution in status {execution['status']} cannot be updated to {status}.",
        )
    changes: dict[str, Any] = {}
    if details is not None:
        changes["statusDetails"] = details
    if status == "IN_PROGRESS" and execution.get("started") is None:
        changes["started"] = ctx.now_ms
    if status == "IN_PROGRESS":
        _step_timeout(ctx, changes)
    execution = jobs._set(ctx, key, execution, status, **changes)
    jobs.settle(ctx, execution["job"])
    out: dict[str, Any] = {}
    if args.get("includeJobExecutionState"):
        out["executionState"] = execution_state(execution)
    if args.get("includeJobDocument"):
        out["jobDocument"] = _document(ctx, execution["job"])
    return out


def _step_timeout(ctx: Context, changes: dict[str, Any]) -> None:
    minutes = ctx.input.get("stepTimeoutInMinutes")
    if minutes == CANCEL_STEP_TIMER:  # UpdateJobExecution's way to stop the step timer
        changes["timeout"] = None
    elif minutes is not None:
        changes["timeout"] = ctx.now_ms + minutes * 60_000


#: the model's documentation: "A value of -1 is also valid and will cancel the current step
#: timer" (UpdateJobExecution only; 1 to ``MAX_MINUTES`` otherwise)
CANCEL_STEP_TIMER = -1


def _check_step_timeout(minutes: int | None, *, cancels: bool) -> None:
    """A step timeout out of range is refused before anything changes: -1 timed the execution
    out at once, and 10**18 minutes answered an approximateSecondsBeforeTimedOut no SDK reads."""
    if minutes is None or 1 <= minutes <= MAX_MINUTES or (cancels and minutes == CANCEL_STEP_TIMER):
        return
    also = ", or -1 to cancel the step timer" if cancels else ""
    raise invalid(f"stepTimeoutInMinutes {minutes} is out of range: use 1 to {MAX_MINUTES} minutes{also}.")


def _of_thing(ctx: Context, thing: str) -> list[dict[str, Any]]:
    return ordered(e for _, e in jobs.executions(ctx).where("thing", value=thing))


def ordered(executions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A thing's executions oldest first, as GetPendingJobExecutions lists them."""
    return sorted(executions, key=lambda e: (e["queued"], e["job"]))


def _next(ctx: Context, thing: str) -> dict[str, Any] | None:
    return next_of(_of_thing(ctx, thing))


def next_of(executions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What ``$next`` names among a thing's executions (``ordered``): the oldest in progress,
    else the oldest queued."""
    for status in ("IN_PROGRESS", "QUEUED"):
        for execution in executions:
            if execution["status"] == status:
                return execution
    return None


def _document(ctx: Context, job_id: str) -> str:
    job = jobs.jobs(ctx).find(job_id)
    return (job or {}).get("document") or ""


def execution_state(execution: dict[str, Any]) -> dict[str, Any]:
    """The model's JobExecutionState: what UpdateJobExecution answers, and what MQTT's refusals
    of a state change carry."""
    return {
        "status": execution["status"],
        "statusDetails": execution.get("statusDetails") or {},
        "versionNumber": execution["version"],
    }


def summary(execution: dict[str, Any]) -> dict[str, Any]:
    out = {
        "jobId": execution["job"],
        "queuedAt": execution["queued"] // 1000,
        "lastUpdatedAt": execution["updated"] // 1000,
        "versionNumber": execution["version"],
        "executionNumber": execution["number"],
    }
    if execution.get("started") is not None:
        out["startedAt"] = execution["started"] // 1000
    return out


def view(ctx: Context, execution: dict[str, Any], *, with_document: bool) -> dict[str, Any]:
    out = {
        **summary(execution),
        "thingName": execution["thing"],
        "status": execution["status"],
        "statusDetails": execution.get("statusDetails") or {},
    }
    timeout = deadline(ctx, execution)
    if timeout is not None and execution["status"] == "IN_PROGRESS":
        out["approximateSecondsBeforeTimedOut"] = max(0, (timeout - ctx.now_ms) // 1000)
    if with_document:
        out["jobDocument"] = _document(ctx, execution["job"])
    return out
