"""AWS's rest-json protocol, from the generated model: request members in, responses and errors out.

Input members come from where the model puts them (URI label, query string, header, JSON body);
output members named for a header or the status code go there, the rest into the JSON body.
Errors carry the code in ``x-amzn-ErrorType`` (botocore reads the part before ``:``) and the text
in the body's ``message``, with the HTTP status the model gives the error shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, NamedTuple

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request

from ... import jsonio
from ...faults import retry_after
from ...reply import JSON, Reply
from ..base import Call, ProviderError
from .accepts import accepts
from .model import CONTROL, OPERATIONS, SHAPES, error_status
from .validation import Problems, coerce, validate

INVALID_REQUEST = "InvalidRequestException"

#: what AWS says when a fault rule names an error without a message
DEFAULT_MESSAGES = {
    "ThrottlingException": "Rate exceeded",
    "ServiceUnavailableException": "Service Unavailable",
    "InternalFailureException": "Internal Failure",
    "InternalException": "Internal Failure",
    "UnauthorizedException": "You are not authorized to perform this operation",
    "LimitExceededException": "A limit has been exceeded",
    "ResourceNotFoundException": "The specified resource does not exist",
    "ResourceAlreadyExistsException": "The resource already exists",
    "VersionConflictException": "The version does not match the expected version",
    "ConflictingResourceUpdateException": "A conflicting resource update is in progress",
}
#: errors that AWS's front door sends, outside any service model
FRONT_DOOR = {
    "MissingAuthenticationTokenException": 403,
    "IncompleteSignatureException": 400,
    "InvalidSignatureException": 403,
    "UnrecognizedClientException": 403,
    "ExpiredTokenException": 403,
    "AccessDeniedException": 403,
    "NotImplementedException": 501,
}


class AwsError(ProviderError):
    """An AWS error by its code (the error shape's name).

    Unless given, the status is the registry's model's; when the error is rendered, the model of
    the service that answers has the last word: the same code can carry another status in
    another service (``ThrottlingException``: 400 in ``iot``, 429 in ``iot-data``), and a handler
    need not know which service called it.
    """

    def __init__(self, code: str, message: str | None = None, status: int | None = None, **extra: Any):
        self.modeled = status is None
        if status is None:
            status = error_status(code) or FRONT_DOOR.get(code, 400)
        super().__init__(code, message or DEFAULT_MESSAGES.get(code, code), status, **extra)


def status_for(error: ProviderError, service: str = CONTROL) -> int:
    """The status ``service`` answers ``error`` with."""
    if service == CONTROL or not getattr(error, "modeled", False):
        return error.status
    return error_status(str(error.code), service) or error.status


def invalid(message: str) -> AwsError:
    return AwsError(INVALID_REQUEST, message)


@cache
def body_members(operation: str) -> dict[str, dict[str, Any]]:
    """The input members the JSON body carries (none when the body is a raw payload)."""
    shape = SHAPES.get(OPERATIONS[operation]["input"] or "")
    if shape is None or payload_member(operation) is not None:  # a raw body is no JSON object
        return {}
    return {n: m for n, m in shape["members"].items() if "location" not in m}


@cache
def payload_member(operation: str, side: str = "input") -> str | None:
    """The blob member that is the whole body, raw bytes (iot-data's shadow documents and messages)."""
    shape = SHAPES.get(OPERATIONS[operation][side] or "")
    name = shape.get("payload") if shape is not None else None
    if name is None or SHAPES[shape["members"][name]["shape"]]["type"] != "blob":
        return None
    return name


@cache
def structure_payload(operation: str) -> str | None:
    """The member a structure-typed ``payload`` names: the whole JSON body is its value."""
    shape = SHAPES.get(OPERATIONS[operation]["input"] or "")
    name = shape.get("payload") if shape is not None else None
    if name is None or SHAPES[shape["members"][name]["shape"]]["type"] != "structure":
        return None
    return name


@cache
def located_members(operation: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The input members outside the body (URI label, query string, headers), in model order."""
    shape = SHAPES.get(OPERATIONS[operation]["input"] or "")
    if shape is None:
        return ()
    return tuple((n, m) for n, m in shape["members"].items() if "location" in m)


@cache
def query_members(operation: str) -> frozenset[str]:
    """The query parameter names the model gives the operation's input (and its literal parts)."""
    shape = SHAPES.get(OPERATIONS[operation]["input"] or "")
    names = set(OPERATIONS[operation]["query"])
    if shape is not None:
        members = shape["members"].values()
        names.update(m.get("locationName", "") for m in members if m.get("location") == "querystring")
    return frozenset(names)


def parse_input(operation: str, call: Call) -> dict[str, Any]:
    """The operation's input members, validated against the model; InvalidRequestException if not."""
    shape_name = OPERATIONS[operation]["input"]
    if shape_name is None:
        return {}
    described = url_input(operation)
    if described is not None:  # most inputs: body members, URI labels, query members, a payload
        body = _body(call, described.body_names) if described.body_names else None
        args = call.request.args if described.reads_query and call.request is not None else None
        values, payload = url_values(described, body, call.route_args, args), described.payload
        if payload is not None:
            values[payload] = ""  # checked as text; the raw bytes replace it after the checks
    else:
        values, payload = _all_values(operation, call)
    if not accepts(shape_name)(values):  # the walk words what is wrong; most inputs skip it
        problems = Problems()
        validate(shape_name, values, "", problems)
        if problems:
            raise invalid(problems.message())
    if payload is not None:
        # raw bytes: neither a JSON field nor base64
        values[payload] = call.request.get_data(cache=True) if call.request is not None else b""
    return values


def _all_values(operation: str, call: Call) -> tuple[dict[str, Any], str | None]:
    """``parse_input``'s values for the inputs ``url_input`` does not read (header members, a
    structure payload), and the raw-payload member, if there is one (present as ``""`` for the
    model's checks; the raw body replaces it after them)."""
    values: dict[str, Any] = {}
    body_fields = body_members(operation)
    wrapped = structure_payload(operation)
    if wrapped is not None:
        # the body IS this member (CreateTopicRule's topicRulePayload), not an object holding it
        _body(call, {})  # refuses a body that is not a JSON object
        if call.body is not None:
            values[wrapped] = call.body
    elif body_fields:
        values.update(_body(call, body_fields))
    for name, member in located_members(operation):
        raw = _located(call.request, call.route_args, member, shape_name=member["shape"])
        if raw is not None:
            values[name] = raw
    payload = payload_member(operation)
    if payload is not None:
        values[payload] = ""
    return values, payload


def _body(call: Call, members: Iterable[str]) -> dict[str, Any]:
    if call.body_error is not None:
        raise invalid(f"Could not parse request body into json: {call.body_error}")
    if call.body is None:
        return {}
    if not isinstance(call.body, dict):
        raise invalid("Could not parse request body into json: the body must be a JSON object")
    return _members(call.body, members)


def _members(body: dict[str, Any], members: Iterable[str]) -> dict[str, Any]:
    # a JSON null is an absent member, as AWS reads it (botocore never sends one; handlers must
    # not meet a None where the model promises a value or its default)
    return {name: body[name] for name in members if body.get(name) is not None}


def _located(request: Request, route_args: dict[str, Any], member: dict[str, Any], shape_name: str) -> Any:
    location, key = member["location"], member.get("locationName", "")
    if location == "uri" or location == "querystring":
        args = request.args if location == "querystring" else None
        return url_value(args, route_args, (location, key, _coerced(shape_name)))
    if location == "header":
        raw = request.headers.get(key)
        return None if raw is None else coerce(shape_name, raw)
    if location == "headers":
        prefix = key.lower()
        found = {k[len(prefix) :]: v for k, v in request.headers.items() if k.lower().startswith(prefix)}
        return found or None
    return None


#: a URI label or query member as ``url_value`` reads it: its location ("uri" or "querystring"),
#: its name there, and the shape to coerce its text to (None: a string, taken as it is)
UrlMember = tuple[str, str, str | None]


class UrlInput(NamedTuple):
    """An input read from the body and the URL only (see ``url_input``)."""

    body_names: tuple[str, ...]
    #: (member name, how to read it), in model order
    located: tuple[tuple[str, UrlMember], ...]
    #: the raw payload member (None: none)
    payload: str | None
    #: whether any member is read from the query (else werkzeug's ``args`` is never built)
    reads_query: bool


def url_value(args: MultiDict[str, str] | None, route_args: dict[str, Any], member: UrlMember) -> Any:
    """A URI label's or query parameter's value as the member's type (None: absent). ``args``:
    the query's parameters (werkzeug's ``request.args``), read only for a query member, a scalar
    (the model has no list or map query member: ``test_no_query_member_is_a_list_or_a_map``)."""
    location, key, shape = member
    raw = route_args.get(key) if location == "uri" else (args.get(key) if args is not None else None)
    return raw if raw is None or shape is None else coerce(shape, raw)


def _coerced(shape_name: str) -> str | None:
    """The shape a member's text is coerced to; None for a string, taken as it is."""
    return None if SHAPES[shape_name]["type"] == "string" else shape_name


@cache
def url_input(operation: str) -> UrlInput | None:
    """How to read an input from the body and the URL alone (most of them, the express lane's
    compiled operations all): None where a member is a header or the payload is a structure,
    which ``_all_values`` reads."""
    if structure_payload(operation) is not None:
        return None
    located: list[tuple[str, UrlMember]] = []
    for name, member in located_members(operation):
        location = member["location"]
        if location != "uri" and location != "querystring":
            return None
        located.append((name, (location, member.get("locationName", ""), _coerced(member["shape"]))))
    return UrlInput(
        tuple(body_members(operation)),
        tuple(located),
        payload_member(operation),
        any(member[0] == "querystring" for _, member in located),
    )


def url_values(
    described: UrlInput,
    body: dict[str, Any] | None,
    route_args: dict[str, Any],
    args: MultiDict[str, str] | None,
) -> dict[str, Any]:
    """``parse_input``'s values for an input ``url_input`` reads, in the same order (the raw
    payload left out), from a body already checked to be a JSON object (or None)."""
    values = _members(body, described.body_names) if body else {}
    for name, member in described.located:
        raw = url_value(args, route_args, member)
        if raw is not None:
            values[name] = raw
    return values


def response(operation: str, output: dict[str, Any], request_id: str) -> Reply:
    """Serialise an operation's output: header members to headers, the rest as the JSON body."""
    status = _body_only_output(operation)
    if status is not None:  # most outputs: every member in the JSON body
        body = {name: value for name, value in output.items() if value is not None}
        return Reply.trusted(jsonio.encode(body), status, [("x-amzn-RequestId", request_id)], JSON)
    op = OPERATIONS[operation]
    headers = {"x-amzn-RequestId": request_id}
    status = op["status"]
    body: dict[str, Any] = {}
    members = SHAPES[op["output"]]["members"] if op["output"] else {}
    payload = payload_member(operation, "output")
    if payload is not None:
        return Reply(
            output.get(payload) or b"", status=status, headers=headers, content_type="application/json"
        )
    for name, value in output.items():  # some members go to headers or the status (see above)
        if value is None:
            continue
        member = members.get(name, {})
        location = member.get("location")
        if location == "header":
            headers[member["locationName"]] = _header_text(value)
        elif location == "statusCode":
            status = int(value)
        else:
            body[name] = value
    return Reply(
        jsonio.encode(body),
        status=status,
        headers=headers,
        content_type="application/json",
    )


@cache
def _body_only_output(operation: str) -> int | None:
    """The status of an operation whose output is all JSON body (no raw payload, no header or
    status-code members); None for the others."""
    if payload_member(operation, "output") is not None or _located_output(operation):
        return None
    return OPERATIONS[operation]["status"]


@cache
def _located_output(operation: str) -> bool:
    """Does the operation's output have members outside the body (headers, the status code)?"""
    output = OPERATIONS[operation]["output"]
    members = SHAPES[output]["members"] if output else {}
    return any(member.get("location") in ("header", "statusCode") for member in members.values())


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def error_response(error: ProviderError, request_id: str, service: str = CONTROL) -> Reply:
    """``x-amzn-ErrorType: Code:`` plus ``{"message": ..., "__type": ...}`` and modeled extras."""
    code = str(error.code)
    body: dict[str, Any] = {"message": error.message, "__type": code}
    headers = {"x-amzn-RequestId": request_id, "x-amzn-ErrorType": f"{code}:"}
    for name, value in error.extra.items():
        if name == "retry_after":  # seconds, announced in milliseconds
            headers["x-amz-retry-after"] = retry_after.milliseconds(value)
        elif value is not None:
            body[name] = value
    return Reply(
        jsonio.encode(body),
        status=status_for(error, service),
        headers=headers,
        content_type="application/json",
    )
