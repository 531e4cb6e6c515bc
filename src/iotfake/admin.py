"""The control API under ``/_iotfake/``: JSON in, JSON out, never a 5xx for a bad body."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from . import __version__, documents
from .providers.base import json_response

if TYPE_CHECKING:
    from .cloud import FakeCloud

PREFIX = "/_iotfake"


def rules() -> list[Rule]:
    def rule(path: str, name: str, methods: list[str]) -> Rule:
        return Rule(f"{PREFIX}/{path}", endpoint=("admin", name), methods=methods)

    return [
        rule("health", "health", ["GET"]),
        rule("reset", "reset", ["POST"]),
        rule("state", "state", ["GET", "PUT"]),
        rule("seed", "seed", ["POST"]),
        rule("clock", "clock", ["GET", "POST"]),
        rule("journal", "journal", ["GET", "DELETE"]),
    ]


class AdminError(Exception):
    def __init__(self, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.extra = extra


def dispatch(cloud: FakeCloud, request: Request, route: str, args: dict[str, Any]) -> Response:
    handler = HANDLERS[route]
    try:
        payload = handler(cloud, request, **args)
    except AdminError as exc:
        return json_response({"error": exc.message, **exc.extra}, status=exc.status)
    except documents.DocumentError as exc:
        return json_response({"error": exc.message, "path": exc.path}, status=400)
    return payload if isinstance(payload, Response) else json_response(payload)


def _body(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise AdminError("a JSON body is required")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AdminError(f"the body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise AdminError("the body is nested too deeply") from exc


def health(cloud: FakeCloud, request: Request) -> dict[str, Any]:
    return {
        "status": "ok",
        "version": __version__,
        "providers": sorted(cloud.providers),
        "auth": cloud.auth,
        "seed": cloud.seed_value,
    }


def reset(cloud: FakeCloud, request: Request) -> dict[str, Any]:
    cloud.reset()
    return {"status": "reset"}


def state(cloud: FakeCloud, request: Request) -> Any:
    if request.method == "GET":
        return Response(cloud.state_json(), content_type="application/json")
    snapshot = _body(request)
    try:
        cloud.restore(snapshot)
    except (ValueError, KeyError, TypeError) as exc:
        raise AdminError(f"not a valid state snapshot: {exc}") from exc
    return {"status": "restored"}


def seed(cloud: FakeCloud, request: Request) -> dict[str, Any]:
    cloud.seed(_body(request))
    return {"status": "seeded"}


def clock(cloud: FakeCloud, request: Request) -> dict[str, Any]:
    if request.method == "POST":
        body = _body(request)
        advance = body.get("advance") if isinstance(body, dict) else None
        if isinstance(advance, bool) or not isinstance(advance, int | float) or advance < 0:
            raise AdminError('expected {"advance": seconds} with a number >= 0')
        cloud.clock.advance(advance)
    return {"time": cloud.clock.time(), "offset": cloud.clock.offset}


def journal(cloud: FakeCloud, request: Request) -> dict[str, Any]:
    if request.method == "DELETE":
        cloud.journal.clear()
        return {"status": "cleared"}
    query = request.args
    entries = cloud.journal.calls(
        provider=query.get("provider"),
        operation=query.get("operation"),
        outcome=query.get("outcome"),
        tenant=query.get("tenant"),
    )
    return {
        "entries": [e.to_dict() for e in entries],
        "size": cloud.journal.size,
        "dropped": cloud.journal.dropped,
    }


HANDLERS = {
    "health": health,
    "reset": reset,
    "state": state,
    "seed": seed,
    "clock": clock,
    "journal": journal,
}
