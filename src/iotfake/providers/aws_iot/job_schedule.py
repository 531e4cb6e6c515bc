"""A job's ``schedulingConfig``: when its rollout starts and ends, on the fake's clock.

The API reference (``SchedulingConfig``) and the developer guide's job states say what is acted
on: a job with a ``startTime`` is SCHEDULED, and at that time becomes IN_PROGRESS and rolls out
to its targets; at its ``endTime`` the ``endBehavior`` applies - STOP_ROLLOUT (no new target is
reached: a CONTINUOUS job stops picking up new group members and, once every execution has
ended, is COMPLETED), CANCEL (as CancelJob: queued executions are canceled) or FORCE_CANCEL (as
CancelJob with ``force``: in-progress ones too). The bounds are the model's: a start at least
thirty minutes from now and at most a year ahead, an end at least thirty minutes from now and
from the start, and at most two years ahead.

Like timeouts, this is done by the jobs' read-time pass (``jobs.refresh``), so moving the clock
(``cloud.clock.advance``, freezegun) moves it, and a connected device hears of a start within a
tick. Choices where AWS documents nothing ([I] in the README): times are ISO 8601 with a time of
day, in UTC unless they name a zone; "thirty minutes from now" counts from the current minute
(the documented format has no seconds); an ``endTime`` without ``endBehavior`` stops the rollout;
``maintenanceWindows`` are stored and echoed but not acted on (the job rolls out at its start).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .wire import invalid

MINUTE_MS = 60_000
#: "a minimum of thirty minutes from the current time"; "the minimum duration between startTime
#: and endTime is thirty minutes"
LEAD_MS = 30 * MINUTE_MS
#: "startTime can be scheduled up to a year in advance"; endTime "no later than two years from
#: the current time"
START_HORIZON_MS = 365 * 24 * 60 * MINUTE_MS
END_HORIZON_MS = 2 * START_HORIZON_MS
STOP_ROLLOUT = "STOP_ROLLOUT"


def check(config: dict[str, Any], now_ms: int) -> None:
    """Refuse a ``schedulingConfig`` outside the documented bounds (CreateJob)."""
    schedule = config.get("schedulingConfig") or {}
    start, end = _instant(schedule, "startTime"), _instant(schedule, "endTime")
    # times are written to the minute: now + 30 minutes, its seconds dropped, is far enough ([I])
    minute = now_ms - now_ms % MINUTE_MS
    if start is not None:
        if start < minute + LEAD_MS:
            raise invalid("startTime must be scheduled a minimum of thirty minutes from the current time.")
        if start > now_ms + START_HORIZON_MS:
            raise invalid("startTime can be scheduled at most a year in advance.")
    if end is not None:
        if end < max(minute, start or minute) + LEAD_MS:
            raise invalid(
                "endTime must be scheduled a minimum of thirty minutes from the current time and "
                "from the startTime."
            )
        if end > now_ms + END_HORIZON_MS:
            raise invalid("endTime must take place no later than two years from the current time.")


def start_of(record: dict[str, Any]) -> int | None:
    """When a job's rollout starts (epoch ms; None: at its creation)."""
    return _instant(_schedule(record), "startTime", checked=False)


def end_of(record: dict[str, Any]) -> tuple[int, str] | None:
    """When a job's rollout ends, and what then happens (None: never)."""
    schedule = _schedule(record)
    end = _instant(schedule, "endTime", checked=False)
    return None if end is None else (end, schedule.get("endBehavior") or STOP_ROLLOUT)


def _schedule(record: dict[str, Any]) -> dict[str, Any]:
    schedule = (record.get("config") or {}).get("schedulingConfig")
    return schedule if type(schedule) is dict else {}


def _instant(schedule: dict[str, Any], name: str, *, checked: bool = True) -> int | None:
    """A time of the schedule in epoch ms. ``checked``: refuse one that does not parse (a
    request's); otherwise read it as absent (a stored record, checked when it was made)."""
    text = schedule.get(name)
    if text is None:
        return None
    try:
        if type(text) is not str or "T" not in text:
            raise ValueError
        moment = datetime.fromisoformat(text)
    except ValueError:
        if not checked:
            return None
        raise invalid(
            f"{name} {text!r} is not a date and time: use YYYY-MM-DDTHH:MM "
            "(ISO 8601, UTC unless it names a zone)."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
