"""The Jobs service's MQTT topics (the developer guide's "Jobs device MQTT API operations").

A device publishes on ``$aws/things/<thing>/jobs/get``, ``start-next``, ``<jobId>/get`` or
``<jobId>/update``; the service answers that device alone, subscribed or not, on the topic's
``accepted`` or ``rejected`` topic ("These response messages don't pass through the message
broker and can't be subscribed to by other clients"). When a thing's pending executions change,
it publishes ``jobs/notify`` (JobExecutionsChanged) and, when the next one changes,
``jobs/notify-next`` (NextJobExecutionChanged) to the thing's subscribers.

Transport-free, as ``shadow_topics``: the answers are iot-jobs-data's own (``jobs_data``), in
MQTT's envelope (a ``timestamp``, the request's ``clientToken``), with the job document as JSON
rather than text, as the device SDKs' models read it; ``rejected`` is ``{"code", "message",
"timestamp", "clientToken"}``, with ``executionState`` for a refused state change. The codes are
the SDKs' ``RejectedErrorCode``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from typing import Any

from ... import jsonio
from ...registry import errors as domain
from . import jobs, jobs_data
from .context import Context
from .shadow_document import compact
from .validation import Problems, validate
from .wire import AwsError

TOPIC = re.compile(
    r"\$aws/things/(?P<thing>[^/#+]+)/jobs/(?:(?P<listing>get|start-next)|(?P<job>[^/#+]+)/(?P<action>get|update))"
)
#: the request each topic is, and iot-jobs-data's input shape for it
REQUESTS = {
    "get": (jobs_data.pending, "GetPendingJobExecutions"),
    "start-next": (jobs_data.start_next, "StartNextPendingJobExecution"),
    "describe": (jobs_data.describe, "DescribeJobExecution"),
    "update": (jobs_data.update, "UpdateJobExecution"),
}
#: iot-jobs-data's errors -> the MQTT API's codes; anything else is InternalError
CODES = {
    "InvalidRequestException": "InvalidRequest",
    "ResourceNotFoundException": "ResourceNotFound",
    "InvalidStateTransitionException": "InvalidStateTransition",
    "TerminalStateException": "TerminalStateReached",
    "ThrottlingException": "RequestThrottled",
}
PENDING = ("QUEUED", "IN_PROGRESS")
#: the guide's Jobs notifications: "A ListNotification contains a list of no more than 15 pending
#: job executions. They are sorted by status (IN_PROGRESS job executions before QUEUED job
#: executions) and then by the times when they were queued."
MAX_LISTED = 15

Message = tuple[str, bytes]


def is_request(topic: str) -> bool:
    return TOPIC.fullmatch(topic) is not None


def respond(ctx: Context, topic: str, payload: bytes) -> list[Message]:
    """The service's answer to a device's request on ``topic`` (nothing for another topic)."""
    found = TOPIC.fullmatch(topic)
    if found is None:
        return []
    now = int(ctx.now)
    try:
        given = jsonio.loads(payload, what="the payload") if payload else {}
    except jsonio.JSONInputError as exc:
        return [_rejected(topic, "InvalidJson", str(exc), None, now)]
    if not isinstance(given, dict):
        return [_rejected(topic, "InvalidJson", "The payload is not a JSON object.", None, now)]
    token = given.get("clientToken") if isinstance(given.get("clientToken"), str) else None
    kind = found["listing"] or ("describe" if found["action"] == "get" else "update")
    handler, operation = REQUESTS[kind]
    args = {k: v for k, v in given.items() if k != "clientToken"}
    args["thingName"] = found["thing"]
    if found["job"] is not None:
        args["jobId"] = found["job"]
    problems = Problems()
    validate(f"jobsdata.{operation}Request", args, "", problems)
    if problems:
        return [_rejected(topic, "InvalidRequest", problems.message(), token, now)]
    request = Context(ctx.provider, ctx.call, ctx.tenant, args)
    try:
        with ctx.tenant.changes.transaction(ctx.tenant.lock):  # an update and its job's settling
            answer = handler(request)
            if kind in ("start-next", "describe") and "execution" in answer:
                answer["execution"] = _as_json(answer["execution"])
            if "jobDocument" in answer:
                answer = _as_json(answer)
    except (AwsError, domain.DomainError) as exc:
        from . import from_domain

        error = exc if isinstance(exc, AwsError) else from_domain(operation, exc)
        return [_refused(request, topic, error, token, now)]
    return [(f"{topic}/accepted", compact(_envelope(answer, token, now)))]


def _refused(ctx: Context, topic: str, error: AwsError, token: str | None, now: int) -> Message:
    code = CODES.get(str(error.code), "InternalError")
    message = str(error.message)
    if message.startswith("VersionMismatch"):  # iot-jobs-data's HTTP answer carries the name
        code = "VersionMismatch"
    extra = {}
    if code in ("InvalidStateTransition", "VersionMismatch"):  # with the state it was refused in
        execution = _current(ctx)
        if execution is not None:
            extra["executionState"] = jobs_data.execution_state(execution)
    return _rejected(topic, code, message, token, now, **extra)


def _current(ctx: Context) -> dict[str, Any] | None:
    args = ctx.input
    if "jobId" not in args:
        return None
    return jobs.executions(ctx).find(jobs.execution_key(args["jobId"], args["thingName"]))


def _rejected(topic: str, code: str, message: str, token: str | None, now: int, **extra: Any) -> Message:
    body = {**_envelope({"code": code, "message": message}, token, now), **extra}
    return f"{topic}/rejected", compact(body)


def _envelope(body: dict[str, Any], token: str | None, now: int) -> dict[str, Any]:
    out = {**body, "timestamp": now}
    if token is not None:
        out["clientToken"] = token
    return out


def _as_json(view: dict[str, Any]) -> dict[str, Any]:
    """A view whose ``jobDocument`` is JSON, not text (left out if the text is not JSON: a
    document kept at a ``documentSource`` the fake cannot fetch)."""
    out = dict(view)
    text = out.pop("jobDocument", None)
    if text:
        with contextlib.suppress(jsonio.JSONInputError):
            out["jobDocument"] = jsonio.loads(text, what="the job document")
    return out


# -- notifications --------------------------------------------------------------------------------
#: what a thing's last notices said: its pending executions' (job, status), and its next one
Announced = tuple[tuple[tuple[str, str], ...], tuple[str, int] | None]


def notices(
    ctx: Context, changes: Iterable[tuple[str, Any, Any]], announced: dict[str, Announced]
) -> list[Message]:
    """``jobs/notify`` and ``jobs/notify-next`` for the things whose executions ``changes`` moved
    (``(key, before, after)``, the registry's committed writes, read after the fact).

    A thing's pending executions now are compared with what its last notices said
    (``announced``, thing -> ``Announced``, kept up to date here) or, for a thing with none, with
    its executions as they were before ``changes``. So notices never go back in time, and writes
    that came in quick succession may share one. ``notify`` goes out when an execution joins or
    leaves the pending list or changes status there (the developer guide: "queued or changes to
    a non-terminal status"), ``notify-next`` when the next one is another."""
    moved: dict[str, dict[str, Any]] = {}  # thing -> key -> its first before
    for key, before, after in changes:
        record = after if isinstance(after, dict) else before
        if isinstance(record, dict) and isinstance(record.get("thing"), str):
            moved.setdefault(record["thing"], {}).setdefault(key, before)
    out: list[Message] = []
    now = int(ctx.now)
    table = jobs.executions(ctx)
    for thing, befores in moved.items():
        rows = list(table.where("thing", value=thing))
        pending = _pending(e for _, e in rows)
        last = announced.get(thing)
        if last is None:
            was = _pending([*(e for k, e in rows if k not in befores), *befores.values()])
            last = _said(was)
        said = _said(pending)
        topic = f"$aws/things/{thing}/jobs"
        if said[0] != last[0]:
            by_status: dict[str, list[dict[str, Any]]] = {}
            listed = sorted(pending, key=lambda e: e["status"] != "IN_PROGRESS")[:MAX_LISTED]
            for execution in listed:
                by_status.setdefault(execution["status"], []).append(jobs_data.summary(execution))
            out.append((f"{topic}/notify", compact({"timestamp": now, "jobs": by_status})))
        if said[1] != last[1]:
            event: dict[str, Any] = {"timestamp": now}
            then = jobs_data.next_of(pending)
            if then is not None:
                event["execution"] = _as_json(jobs_data.view(ctx, then, with_document=True))
            out.append((f"{topic}/notify-next", compact(event)))
        announced[thing] = said
    return out


def _said(pending: list[dict[str, Any]]) -> Announced:
    return tuple((e["job"], e["status"]) for e in pending), _job_of(jobs_data.next_of(pending))


def _pending(executions: Iterable[Any]) -> list[dict[str, Any]]:
    """The pending ones among a thing's executions, oldest first."""
    return jobs_data.ordered(e for e in executions if isinstance(e, dict) and e.get("status") in PENDING)


def _job_of(execution: dict[str, Any] | None) -> tuple[str, int] | None:
    return None if execution is None else (execution["job"], execution["number"])
