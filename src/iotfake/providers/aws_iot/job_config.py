"""What CreateJob, UpdateJob and CreateJobTemplate take and the wire does not check: the job
document (JSON, at most 32 kB, or a source) and the in-progress timeout (1 to 10080 minutes).

Shared by jobs, job templates and the device side (a step timer has the same bounds); the
schedule's own checks are ``job_schedule``'s.
"""

from __future__ import annotations

from typing import Any

from ... import jsonio
from .wire import invalid

MAX_DOCUMENT = 32 * 1024  # the API reference: "The job document ... 32 kB"
#: the model's documentation of a job's and a step's timeout: "anywhere between 1 minute and 7
#: days (1 to 10080 minutes)"; the wire sets no bounds, so the handlers check them
MAX_MINUTES = 10080


def check_document(document: str | None, source: str | None) -> None:
    if document is None and source is None:
        raise invalid("Either document or documentSource must be specified.")
    if document is not None and source is not None:
        raise invalid("Specify either document or documentSource, not both.")
    if document is not None:
        if len(document.encode()) > MAX_DOCUMENT:
            raise invalid(f"The job document is larger than {MAX_DOCUMENT} bytes.")
        try:  # jsonio: NaN is not JSON, and a deep one exhausted the recursion (a 500)
            jsonio.loads(document, what="the job document")
        except jsonio.JSONInputError:
            raise invalid("The job document is not valid JSON.") from None


def check_timeout(config: dict[str, Any]) -> None:
    """A job of -5 minutes timed out every execution as it started."""
    minutes = minutes_of({"config": config})
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise invalid(
            f"inProgressTimeoutInMinutes {minutes} is out of range: use 1 to {MAX_MINUTES} minutes."
        )


def minutes_of(job: dict[str, Any]) -> Any:
    """The job's ``inProgressTimeoutInMinutes`` (``timeoutConfig``), if it has one."""
    return ((job.get("config") or {}).get("timeoutConfig") or {}).get("inProgressTimeoutInMinutes")
