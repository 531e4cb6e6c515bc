"""What the console changes: each the admin API's own operation, with its validation and text."""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING, Any

from .. import documents
from ..clock import LIMIT_TEXT, MAX_OFFSET
from ..fixture_files import bundled_dir, resolve
from ..numbers import real
from ..signatures import matches

if TYPE_CHECKING:
    from ..cloud import FakeCloud


class ActionError(ValueError):
    """Refused: the message is what the page shows (the admin API's wording where it has one)."""


_TOKEN_LOCK = threading.Lock()


def token(cloud: FakeCloud) -> str:
    """The page token a change must carry: per cloud, random, never sent to another origin.
    Made once under a lock: two first pages rendered at once must not hand out two tokens."""
    value = getattr(cloud, "_console_token", None)
    if value is None:
        with _TOKEN_LOCK:
            value = getattr(cloud, "_console_token", None)
            if value is None:
                value = cloud._console_token = secrets.token_hex(16)  # type: ignore[attr-defined]
    return value


def check_token(cloud: FakeCloud, given: str | None) -> None:
    # compared as bytes: a header is latin-1 text, and compare_digest refuses non-ASCII str
    if not given or not matches(token(cloud), given):
        raise ActionError(
            "this change did not come from a console page this server rendered (reload the page)"
        )


def scenarios() -> list[str]:
    return sorted(p.stem for p in bundled_dir().glob("*.json"))


#: the journal's operation name of each action
OPERATIONS = {
    "add_fault": "AddFaultRule",
    "pause_fault": "PauseFaultRule",
    "resume_fault": "ResumeFaultRule",
    "remove_fault": "RemoveFaultRule",
    "reset": "Reset",
    "advance": "AdvanceClock",
    "load": "LoadScenario",
}


def operation_name(body: Any) -> str:
    action = body.get("action") if isinstance(body, dict) else None
    return OPERATIONS.get(action, "UnknownAction") if isinstance(action, str) else "UnknownAction"


def run(cloud: FakeCloud, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("action"), str):
        raise ActionError('expected {"action": ..., ...}')
    action = body["action"]
    if action == "add_fault":
        try:
            rule = cloud.faults.add_rule(body.get("rule"))
        except documents.DocumentError as exc:
            raise ActionError(f"{exc.path}: {exc.message}" if exc.path else exc.message) from None
        return {"added": rule.id}
    if action in ("pause_fault", "resume_fault", "remove_fault"):
        rule_id = str(body.get("id"))
        try:
            if action == "remove_fault":
                cloud.faults.remove(rule_id)
            else:
                cloud.faults.pause(rule_id, action == "pause_fault")
        except KeyError:
            raise ActionError(f"no fault rule {rule_id!r}") from None
        return {action: rule_id}
    if action == "reset":
        cloud.reset()
        return {"status": "reset"}
    if action == "advance":
        seconds = real(body.get("seconds"), 0, MAX_OFFSET)
        if seconds is None:
            raise ActionError(f"seconds: a number; {LIMIT_TEXT}")
        try:
            cloud.clock.advance(seconds)
        except ValueError as exc:
            raise ActionError(str(exc)) from None
        cloud.mark_dirty()
        return {"time": cloud.clock.time()}
    if action == "load":
        name = body.get("scenario")
        if name not in scenarios():
            raise ActionError(f"no bundled scenario {name!r} (there are: {', '.join(scenarios())})")
        try:
            cloud.load(resolve(name, bundled_dir()))
        except documents.DocumentError as exc:  # the scenario by the name the page shows, and the path
            where = f"{exc.path}: " if exc.path else ""
            raise ActionError(f"{name}: {where}{exc.message}") from None
        return {"loaded": name}
    raise ActionError(f"unknown action {action!r} (there are: {', '.join(OPERATIONS)})")
