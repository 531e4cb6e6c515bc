"""A script's parameters, as scriptr hands them over: query string, form fields or a JSON body.

Query and form values arrive as strings (a repeated name becomes a list); a JSON object body keeps
its types and wins over the query string. The coercions below accept both spellings, so
``?count=true`` and ``{"count": true}`` mean the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import MultiDict

from ... import jsonio
from ...numbers import whole_number
from ..base import Call, decode_json
from .errors import invalid_parameter

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _flatten(values: MultiDict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in values:
        items = values.getlist(name)
        out[name] = items[0] if len(items) == 1 else items
    return out


def json_sent_as_form(request: Request) -> bool:
    """A JSON text posted as a form (``curl -d '{...}'`` sends ``application/x-www-form-urlencoded``).

    scriptr reads such a body as form parameters - ``request.parameters`` holds one odd name,
    the JSON text - and the script misses every real one; the fake does the same, and says why.
    """
    if request.method != "POST" or request.mimetype != FORM_TYPES[0]:
        return False
    first = next(iter(request.form), "")
    return first.lstrip().startswith(("{", "["))


def collect(call: Call) -> None:
    """Fill ``call.body`` with the merged parameters and ``call.body_error``; never raises."""
    request = call.request
    if request.method == "POST" and request.mimetype in FORM_TYPES:
        params = _flatten(request.args)
        params.update(_flatten(request.form))
        call.body = params
        return
    raw = request.get_data(cache=True) if request.method == "POST" else None
    call.body, call.body_error = merged(request.args, raw)


def merged(query: MultiDict, raw: bytes | None) -> tuple[dict[str, Any], str | None]:
    """The query's parameters with a JSON object body's over them, and what is wrong with the
    body. Query parameters still count (auth_token) when the body is unreadable."""
    params = _flatten(query)
    if raw is None:
        return params, None
    body, error = decode_json(raw)
    if error is None and body is not None:
        if not isinstance(body, dict):
            error = "the body must be a JSON object"
        else:
            params.update(body)
    return params, error


def boolean(value: Any, name: str, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid_parameter(name, "expected true or false")


def positive_int(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        value = whole_number(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid_parameter(name, "expected a positive integer")
    return value


def maybe_json(value: Any) -> Any:
    """Structured values (``meta.types``, groups ``{"append": ...}``) sent as form strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return jsonio.loads(value)
        except jsonio.JSONInputError:  # not JSON after all: the caller says what it expected
            return value
    return value


def option(params: dict[str, Any], name: str) -> Any:
    """An option given flat (``?expiry=60``) or in ``options`` (the JS call's second argument;
    over a query string or a form, JSON text)."""
    options = maybe_json(params.get("options"))
    if isinstance(options, dict) and name in options:
        return options[name]
    return params.get(name)


def include_types(params: dict[str, Any]) -> bool:
    return boolean(option(params, "includeFieldType"), "includeFieldType")
