"""Jobs and job executions: CreateJob, DescribeJob, ListJobs, UpdateJob, AssociateTargetsWithJob,
CancelJob, DeleteJob, GetJobDocument; DescribeJobExecution, ListJobExecutionsForJob/ForThing,
CancelJobExecution, DeleteJobExecution.

Records are the catalog's ``job`` and ``job execution`` kinds. An execution is keyed
``job|thing`` (neither a job id nor a thing name may hold ``|``) and refers to its job and its
thing with CASCADE: deleting a thing drops its executions, deleting a job (which DeleteJob refuses
first unless forced) drops the job's.

Targets are thing ARNs and thing group ARNs; a group targets its members and the members of its
descendants. A CONTINUOUS job also reaches things that join a target group later. That is done
lazily ([I]): every jobs call first brings the tenant's CONTINUOUS jobs up to date with the
groups (:func:`refresh`), so an execution appears for a new member as soon as anything looks, with
``queuedAt`` the time it was first seen (the members are read again only when something they
depend on moved: ``job_targets``). Doing it at read time keeps thing-group code (another
module, and the hot CreateThing path) free of jobs, and needs no listener that writes after the
lock was released (the change log's outbox runs after commit, so a listener writing back would
be a second, racing transaction).

The same read-time pass applies execution timeouts against the fake clock: an IN_PROGRESS
execution whose ``inProgressTimeoutInMinutes`` (the job's ``timeoutConfig``) has passed becomes
TIMED_OUT, so ``cloud.clock.advance`` moves it; a SNAPSHOT job whose executions are all terminal
becomes COMPLETED. It follows a job's ``schedulingConfig`` too (``job_schedule``): a SCHEDULED
job starts at its start time, and its end time stops its rollout or cancels it.

Choices where AWS documents nothing ([I] in the README): DeleteJob deletes at once (no
DELETION_IN_PROGRESS state is ever seen); CancelJob of a COMPLETED job is an
InvalidRequestException, of a CANCELED one without ``force`` a no-op; things removed from a
target group keep their executions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...registry.kinds import JOB_EXECUTIONS
from ...registry.records import Records
from ...registry.selections import selection
from . import arns, job_schedule, paging
from .context import Context
from .job_config import check_document, check_timeout, minutes_of
from .job_deadlines import Deadlines
from .job_records import TERMINAL, execution_key, executions, jobs
from .job_targets import reconciled, remember, single_group_id, target_things
from .job_views import details, execution_view, summary
from .wire import AwsError, invalid

#: request members stored as they came and echoed by DescribeJob (and copied by templates)
CONFIG = (
    "presignedUrlConfig",
    "jobExecutionsRolloutConfig",
    "abortConfig",
    "timeoutConfig",
    "jobExecutionsRetryConfig",
    "documentParameters",
    "schedulingConfig",
    "destinationPackageVersions",
    "description",
    "namespaceId",
    "jobTemplateArn",
    "tags",
)


def job_arn(ctx: Context, job_id: str) -> str:
    return ctx.arn("job", job_id)


# -- jobs ------------------------------------------------------------------------------------------


def create(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    job_id = args["jobId"]
    table = jobs(ctx)
    if table.find(job_id) is not None:
        raise AwsError("ResourceAlreadyExistsException", f"Job {job_id} already exists.",
                       resourceId=job_id, resourceArn=job_arn(ctx, job_id))  # fmt: skip
    config = {k: args[k] for k in CONFIG if k in args}
    check_timeout(config)
    job_schedule.check(config, ctx.now_ms)
    document, source = args.get("document"), args.get("documentSource")
    template = args.get("jobTemplateArn")
    if template is not None:
        found = _template_of(ctx, template)
        # the template's configuration, not its tags: a resource's tags are its own
        inherited = {k: v for k, v in found.get("config", {}).items() if k != "tags"}
        config = {**inherited, **config, "jobTemplateArn": template}
        if document is None and source is None:
            document, source = found.get("document"), found.get("documentSource")
    check_document(document, source)
    things = target_things(ctx, args["targets"])
    record = {
        "id": job_id,
        "status": "IN_PROGRESS" if "startTime" not in config.get("schedulingConfig", {}) else "SCHEDULED",
        "targets": list(args["targets"]),
        "targetSelection": args.get("targetSelection") or "SNAPSHOT",
        "created": ctx.now_ms,
        "updated": ctx.now_ms,
        "completed": None,
        "document": document,
        "documentSource": source,
        "config": config,
        "executions": 0,
    }
    table.create(job_id, record)
    for thing in things if record["status"] == "IN_PROGRESS" else ():  # a scheduled one: at its start
        _queue(ctx, job_id, thing)
    out = {"jobArn": job_arn(ctx, job_id), "jobId": job_id}
    if "description" in config:
        out["description"] = config["description"]
    return out


def describe(ctx: Context) -> dict[str, Any]:
    refresh(ctx)
    record = jobs(ctx).get(ctx.input["jobId"])
    job = {
        "jobArn": job_arn(ctx, record["id"]),
        "jobId": record["id"],
        "targetSelection": record["targetSelection"],
        "status": record["status"],
        "targets": record["targets"],
        "createdAt": record["created"] / 1000,
        "lastUpdatedAt": record["updated"] / 1000,
        "jobProcessDetails": details(ctx, record["id"]),
        "isConcurrent": False,
    }
    for name in ("forceCanceled", "reasonCode", "comment"):
        if record.get(name) is not None:
            job[name] = record[name]
    if record.get("completed") is not None:
        job["completedAt"] = record["completed"] / 1000
    job.update({k: v for k, v in record["config"].items() if k != "tags"})
    out: dict[str, Any] = {"job": job}
    if record.get("documentSource") is not None:
        out["documentSource"] = record["documentSource"]
    return out


def listing(ctx: Context) -> dict[str, Any]:
    refresh(ctx)
    args = ctx.input
    group = args.get("thingGroupName")
    group_arn = None
    if group is None and args.get("thingGroupId") is not None:
        group = next((n for n, g in ctx.groups.table().items() if g.get("id") == args["thingGroupId"]), None)
        if group is None:
            return {"jobs": []}
    if group is not None:
        group_arn = arns.thing_group(ctx.tenant.id, group)
    found = []
    for _, record in jobs(ctx).items():
        if args.get("status") is not None and record["status"] != args["status"]:
            continue
        if args.get("targetSelection") is not None and record["targetSelection"] != args["targetSelection"]:
            continue
        if group_arn is not None and group_arn not in record["targets"]:
            continue
        if not _in_namespace(record, args.get("namespaceId")):
            continue
        found.append(record)
    chunk, token = paging.page(found, key=lambda r: [r["id"]], token=args.get("nextToken"),
                               size=args.get("maxResults", paging.DEFAULT_TOKEN_PAGE))  # fmt: skip
    summaries = []
    for record in chunk:
        summary = {
            "jobArn": job_arn(ctx, record["id"]),
            "jobId": record["id"],
            "targetSelection": record["targetSelection"],
            "status": record["status"],
            "createdAt": record["created"] / 1000,
            "lastUpdatedAt": record["updated"] / 1000,
            "isConcurrent": False,
        }
        group_id = single_group_id(ctx, record["targets"])
        if group_id is not None:
            summary["thingGroupId"] = group_id
        if record.get("completed") is not None:
            summary["completedAt"] = record["completed"] / 1000
        summaries.append(summary)
    return {"jobs": summaries, "nextToken": token}


def update(ctx: Context) -> dict[str, Any]:
    args = ctx.input
    record = jobs(ctx).get(args["jobId"])
    config = {**record["config"], **{k: args[k] for k in CONFIG if k in args}}
    check_timeout(config)
    jobs(ctx).replace(record["id"], {**record, "config": config, "updated": ctx.now_ms})
    return {}


#: the API reference: "The total number of targets associated with a job must not exceed 100"
MAX_TARGETS = 100


def associate(ctx: Context) -> dict[str, Any]:
    """AssociateTargetsWithJob: thing groups added to an IN_PROGRESS CONTINUOUS job, whose
    members are queued at once. [I]: a thing ARN is refused (the API takes "thing group
    ARNs"), a target the job has is kept once, a ``namespaceId`` must be the job's, and the
    ``comment`` is journaled but not stored (DescribeJob's is CancelJob's)."""
    refresh(ctx)  # a scheduled job may have started
    args = ctx.input
    record = jobs(ctx).get(args["jobId"])
    if record["targetSelection"] != "CONTINUOUS":
        raise invalid(f"Job {record['id']} is a SNAPSHOT job: targets can be added to CONTINUOUS jobs only.")
    if record["status"] != "IN_PROGRESS":
        raise invalid(
            f"Job {record['id']} is in status {record['status']}: targets can be added to "
            "IN_PROGRESS jobs only."
        )
    namespace = args.get("namespaceId")
    if namespace is not None and namespace != record["config"].get("namespaceId"):
        raise invalid(f"Job {record['id']} is not in namespace {namespace}.")
    for target in args["targets"]:
        if arns.resource_of(ctx.tenant.id, target, "thinggroup") is None:
            raise invalid(f"{target} is not a thing group ARN of this account and region")
    target_things(ctx, args["targets"])  # each group must exist
    targets = list(dict.fromkeys([*record["targets"], *args["targets"]]))
    if len(targets) > MAX_TARGETS:
        raise AwsError(
            "LimitExceededException",
            f"A job can have at most {MAX_TARGETS} targets; job {record['id']} would have {len(targets)}.",
        )
    jobs(ctx).replace(record["id"], {**record, "targets": targets, "updated": ctx.now_ms})
    refresh(ctx)  # the new groups' members queued now, as CreateJob queues its targets'
    return _job_ref(ctx, record)


def cancel(ctx: Context) -> dict[str, Any]:
    refresh(ctx)
    args = ctx.input
    record = jobs(ctx).get(args["jobId"])
    force = bool(args.get("force"))
    if record["status"] == "COMPLETED":
        raise invalid(f"Job {record['id']} is in status COMPLETED and cannot be canceled.")
    if record["status"] == "CANCELED" and not force:
        return _job_ref(ctx, record)
    notes = {name: args[name] for name in ("comment", "reasonCode") if args.get(name) is not None}
    return _job_ref(ctx, _cancel(ctx, record, force, notes))


def _cancel(
    ctx: Context, record: dict[str, Any], force: bool, notes: dict[str, Any], at: int | None = None
) -> dict[str, Any]:
    """The job CANCELED with its QUEUED executions (IN_PROGRESS ones too with ``force``): by
    CancelJob, or at a scheduled end (``at``, when it ended)."""
    changed = {
        "status": "CANCELED",
        "updated": ctx.now_ms if at is None else at,
        "forceCanceled": bool(force or record.get("forceCanceled")),
        **notes,
    }
    record = jobs(ctx).replace(record["id"], {**record, **changed})
    cancelable = {"QUEUED", "IN_PROGRESS"} if force else {"QUEUED"}
    for key, execution in _of_job(ctx, record["id"]):
        if execution["status"] in cancelable:
            forced = force and execution["status"] == "IN_PROGRESS"
            _set(ctx, key, execution, "CANCELED", at=at, forceCanceled=forced)
    return record


def delete(ctx: Context) -> dict[str, Any]:
    refresh(ctx)
    args = ctx.input
    record = jobs(ctx).get(args["jobId"])
    if record["status"] == "IN_PROGRESS" and not args.get("force"):
        raise AwsError(
            "InvalidStateTransitionException",
            f"Cannot delete job {record['id']} in IN_PROGRESS status without force. Cancel the job "
            "first, or delete it with force=true.",
        )
    jobs(ctx).delete(record["id"])  # its executions go with it (the catalog's CASCADE)
    return {}


def document(ctx: Context) -> dict[str, Any]:
    record = jobs(ctx).get(ctx.input["jobId"])
    return {"document": record.get("document") or ""}


# -- executions ------------------------------------------------------------------------------------


def describe_execution(ctx: Context) -> dict[str, Any]:
    refresh(ctx)
    args = ctx.input
    _, execution = _execution(ctx, args["jobId"], args["thingName"], args.get("executionNumber"))
    return {"execution": execution_view(ctx, execution)}


def for_job(ctx: Context) -> dict[str, Any]:
    refresh(ctx)
    args = ctx.input
    job_id, status = jobs(ctx).get(args["jobId"])["id"], args.get("status")

    def select() -> list[str]:  # kept until the registry changes: the pages after it read themselves
        return sorted(e["thing"] for _, e in _of_job(ctx, job_id) if status in (None, e["status"]))

    things = selection(ctx.tenant, ("ListJobExecutionsForJob", job_id, status), select)
    table = executions(ctx)
    chunk, token = paging.by_key(
        things, lambda thing: table.find(execution_key(job_id, thing)), args.get("nextToken"),
        args.get("maxResults", paging.DEFAULT_TOKEN_PAGE),
    )  # fmt: skip
    return {
        "executionSummaries": [
            {"thingArn": arns.thing(ctx.tenant.id, e["thing"]), "jobExecutionSummary": summary(e)}
            for e in chunk
        ],
        "nextToken": token,
    }


def for_thing(ctx: Context) -> dict[str, Any]:
    refresh(ctx)
    args = ctx.input
    ctx.tenant.device(key=args["thingName"])
    namespace = args.get("namespaceId")
    table = jobs(ctx)
    found = [
        e
        for _, e in executions(ctx).where("thing", value=args["thingName"])
        if args.get("status") in (None, e["status"])
        and args.get("jobId") in (None, e["job"])
        and (namespace is None or _in_namespace(table.find(e["job"]) or {}, namespace))
    ]
    chunk, token = _page(ctx, found, lambda e: [e["job"]])
    return {
        "executionSummaries": [{"jobId": e["job"], "jobExecutionSummary": summary(e)} for e in chunk],
        "nextToken": token,
    }


def _in_namespace(record: dict[str, Any], namespace: str | None) -> bool:
    """A job in the namespace a listing names (None: any job, in a namespace or not)."""
    return namespace is None or (record.get("config") or {}).get("namespaceId") == namespace


def cancel_execution(ctx: Context) -> dict[str, Any]:
    from .jobs_data import status_details  # jobs_data reads this module

    args = ctx.input
    details = status_details(args.get("statusDetails"))
    refresh(ctx)
    key, execution = _execution(ctx, args["jobId"], args["thingName"], None)
    expected = args.get("expectedVersion")
    if expected is not None and expected != execution["version"]:
        raise AwsError(
            "VersionConflictException",
            f"The expected version {expected} does not match the current version "
            f"{execution['version']} of the job execution.",
        )
    status = execution["status"]
    if status == "IN_PROGRESS" and not args.get("force"):
        raise AwsError(
            "InvalidStateTransitionException",
            "The job execution is IN_PROGRESS; set force=true to cancel it.",
        )
    if status not in ("QUEUED", "IN_PROGRESS"):
        raise AwsError(
            "InvalidStateTransitionException",
            f"A job execution in status {status} cannot be canceled.",
        )
    _set(ctx, key, execution, "CANCELED", forceCanceled=status == "IN_PROGRESS",
         **({"statusDetails": dict(details)} if details is not None else {}))  # fmt: skip
    _settle(ctx, execution["job"])
    return {}


def delete_execution(ctx: Context) -> dict[str, Any]:
    refresh(ctx)
    args = ctx.input
    key, execution = _execution(ctx, args["jobId"], args["thingName"], args["executionNumber"])
    if execution["status"] not in TERMINAL and not args.get("force"):
        raise AwsError(
            "InvalidStateTransitionException",
            f"A job execution in status {execution['status']} can only be deleted with force=true.",
        )
    executions(ctx).delete(key)
    return {}


# -- the read-time pass ----------------------------------------------------------------------------


def refresh(ctx: Context) -> None:
    """Bring CONTINUOUS jobs up to date with their groups, time out overdue executions and
    complete SNAPSHOT jobs whose executions have all ended (see the module docstring)."""
    if JOB_EXECUTIONS not in ctx.tenant.tables and "jobs" not in ctx.tenant.tables:
        return
    touched: set[str] = set()
    queued, timed = executions(ctx).table, False
    for job_id, record in jobs(ctx).items():
        timed = timed or minutes_of(record) is not None
        if "schedulingConfig" in record["config"]:
            record = _follow_schedule(ctx, job_id, record)
            if _rollout_ended(ctx, record):  # no new target is reached; it may be complete now
                touched.add(job_id)
                continue
        if record["targetSelection"] != "CONTINUOUS" or record["status"] != "IN_PROGRESS":
            continue
        with ctx.tenant.lock:  # what the targets hold, and what was queued for them, at once
            if reconciled(ctx, job_id, record["targets"]):
                continue  # nothing it reads changed since it last queued what was missing
            targeted = target_things(ctx, record["targets"], strict=False)
            for thing in targeted:
                held = queued.get(execution_key(job_id, thing))
                if held is None or held["status"] == "REMOVED":  # new to the groups, or back in them
                    _queue(ctx, job_id, thing)
            _remove_untargeted(ctx, job_id, set(targeted))
            remember(ctx, job_id, record["targets"])
    # only a job's in-progress timeout, or a device's step timeout, makes one overdue: without
    # either, the executions in progress (a fleet's, mid-rollout) are not read on every call
    running = executions(ctx)
    if timed or running.holds("timeout"):
        with ctx.tenant.lock:  # the index and the records it names, at once
            table = running.table
            due = table.derived("deadlines", Deadlines).overdue(ctx.now_ms, _job_minutes(ctx), table)
            for deadline, key in due:  # earliest first
                execution = table[key]
                _set(ctx, key, execution, "TIMED_OUT", at=deadline)
                touched.add(execution["job"])
    for job_id in touched:
        _settle(ctx, job_id)


def _follow_schedule(ctx: Context, job_id: str, record: dict[str, Any]) -> dict[str, Any]:
    """A scheduled job started at its start time (its targets queued then), and at its end time
    canceled where its ``endBehavior`` says so (see ``job_schedule``); its record after."""
    if record["status"] == "SCHEDULED":
        start = job_schedule.start_of(record)
        if start is None or start > ctx.now_ms:
            return record
        with ctx.tenant.lock:  # the targets, and what is queued for them, at once
            record = jobs(ctx).replace(job_id, {**record, "status": "IN_PROGRESS", "updated": start})
            for thing in target_things(ctx, record["targets"], strict=False):
                _queue(ctx, job_id, thing, at=start)
            record = jobs(ctx).get(job_id)
    ending = job_schedule.end_of(record)
    if ending is None or ending[0] > ctx.now_ms or record["status"] != "IN_PROGRESS":
        return record
    end, behavior = ending
    if behavior == job_schedule.STOP_ROLLOUT:
        return record
    with ctx.tenant.lock:
        return _cancel(ctx, record, behavior == "FORCE_CANCEL", {}, at=end)


def _rollout_ended(ctx: Context, record: dict[str, Any]) -> bool:
    """Whether a job in progress is past its scheduled end (no new target is reached then)."""
    ending = job_schedule.end_of(record)
    return record["status"] == "IN_PROGRESS" and ending is not None and ending[0] <= ctx.now_ms


def _settle(ctx: Context, job_id: str) -> None:
    """A job in progress whose executions have all ended is COMPLETED: a SNAPSHOT one, or a
    CONTINUOUS one past its scheduled end (one without an end never completes)."""
    record = jobs(ctx).find(job_id)
    if record is None or record["status"] != "IN_PROGRESS":
        return
    if record["targetSelection"] != "SNAPSHOT" and not _rollout_ended(ctx, record):
        return
    table = executions(ctx)
    ended = sum(table.count("job", "status", value=(job_id, status)) for status in TERMINAL)
    if ended == table.count("job", value=job_id):  # counted: a device's every update settles
        jobs(ctx).replace(
            job_id, {**record, "status": "COMPLETED", "completed": ctx.now_ms, "updated": ctx.now_ms}
        )


def settle(ctx: Context, job_id: str) -> None:
    _settle(ctx, job_id)


# -- helpers ---------------------------------------------------------------------------------------


def _remove_untargeted(ctx: Context, job_id: str, targeted: set[str]) -> None:
    """A CONTINUOUS job's QUEUED executions of things its groups no longer hold are REMOVED:
    "no longer scheduled to execute the job because they have been deleted or have been removed
    from the group that was a target of the job" (numberOfRemovedThings). [I]: one IN_PROGRESS
    runs on; the device is executing it."""
    for key, execution in executions(ctx).where("job", "status", value=(job_id, "QUEUED")):
        if execution["thing"] not in targeted:
            _set(ctx, key, execution, "REMOVED")


def _queue(ctx: Context, job_id: str, thing: str, at: int | None = None) -> None:
    """A new execution of the job for the thing, queued now or ``at`` (a scheduled start); a
    thing back in a CONTINUOUS job's groups gets one in place of its REMOVED one, with the next
    execution number."""
    when = ctx.now_ms if at is None else at
    record = jobs(ctx).get(job_id)
    number = record.get("executions", 0) + 1
    jobs(ctx).replace(job_id, {**record, "executions": number})
    table, key = executions(ctx), execution_key(job_id, thing)
    write = table.replace if table.find(key) is not None else table.create
    write(
        key,
        {
            "job": job_id,
            "thing": thing,
            "status": "QUEUED",
            "number": number,
            "version": 1,
            "queued": when,
            "started": None,
            "updated": when,
            "statusDetails": None,
        },
    )


def _set(
    ctx: Context, key: str, execution: dict[str, Any], status: str, at: int | None = None, **more: Any
) -> dict:
    record = {**execution, **more, "status": status, "version": execution["version"] + 1,
              "updated": ctx.now_ms if at is None else at}  # fmt: skip
    return executions(ctx).replace(key, record)


def _job_minutes(ctx: Context) -> Callable[[str], Any]:
    """A job's in-progress timeout by its id (None: none, or no such job)."""
    table = jobs(ctx)
    return lambda job_id: minutes_of(table.find(job_id) or {})


def _execution(ctx: Context, job_id: str, thing: str, number: int | None) -> tuple[str, dict[str, Any]]:
    key = execution_key(job_id, thing)
    found = executions(ctx).find(key)
    if found is None or (number is not None and found["number"] != number):
        suffix = "" if number is None else f" with execution number {number}"
        raise AwsError(
            "ResourceNotFoundException", f"Job execution {job_id} for thing {thing}{suffix} cannot be found."
        )
    return key, found


def _of_job(ctx: Context, job_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The job's executions, oldest first (by the table's index: a fleet's executions are not
    read for one job's)."""
    return executions(ctx).where("job", value=job_id)


def _page(ctx: Context, items: list[dict[str, Any]], key: Any) -> tuple[list[dict[str, Any]], str | None]:
    return paging.page(items, key=key, token=ctx.input.get("nextToken"),
                       size=ctx.input.get("maxResults", paging.DEFAULT_TOKEN_PAGE))  # fmt: skip


def _job_ref(ctx: Context, record: dict[str, Any]) -> dict[str, Any]:
    out = {"jobArn": job_arn(ctx, record["id"]), "jobId": record["id"]}
    if record["config"].get("description") is not None:
        out["description"] = record["config"]["description"]
    return out


def _template_of(ctx: Context, template_arn: str) -> dict[str, Any]:
    template = arns.resource_of(ctx.tenant.id, template_arn, "jobtemplate")
    found = None if template is None else Records(ctx.tenant, "job template").find(template)
    if found is None:
        raise AwsError("ResourceNotFoundException", f"Job template {template_arn} cannot be found.")
    return found
