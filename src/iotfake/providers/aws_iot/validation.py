"""Input validation from the model's shapes, with AWS's own wording.

botocore checks only required members, types and minimums before sending; AWS checks the rest
(patterns, maximums, enums) and answers ``InvalidRequestException`` with Coral's message format:

    1 validation error detected: Value 'bad name!' at 'thingName' failed to satisfy constraint:
    Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+

Every problem in the request is collected, as AWS does, so one answer names all bad fields.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from ...numbers import whole_number
from ...registry.integrity import SnapshotError
from .javaregex import compile_pattern
from .model import SHAPES

INTEGER_TYPES = ("integer", "long")
#: Java's limits for the model's integer types
RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
#: what the model's number and timestamp members take (tuples: ``int | float`` makes a new
#: union on every check)
NUMBERS = (int, float)
TIMESTAMPS = (int, float, str)


class Problems(list[str]):
    """Validation messages collected over one request (``paths`` says where each one is)."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def add(self, value: Any, path: str, constraint: str) -> None:
        self.append(f"Value {render(value)} at '{path}' failed to satisfy constraint: {constraint}")
        self.paths.append(path)

    def message(self) -> str:
        count = len(self)
        noun = "error" if count == 1 else "errors"
        return f"{count} validation {noun} detected: " + "; ".join(self)


def render(value: Any) -> str:
    """A value as Coral quotes it (Java's toString for maps and lists)."""
    if value is None:
        return "null"
    return f"'{_text(value)}'"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def java_length(value: str) -> int:
    """Length in UTF-16 code units, as Java's String.length() counts."""
    if value.isascii():
        return len(value)
    return len(value.encode("utf-16-le", "surrogatepass")) // 2


def validate(shape_name: str, value: Any, path: str, problems: Problems) -> None:
    """Check ``value`` against a shape; append what is wrong to ``problems``."""
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        _structure(shape, value, path, problems)
    elif kind == "list":
        _list(shape, value, path, problems)
    elif kind == "map":
        _map(shape, value, path, problems)
    elif kind == "string":
        _string(shape, value, path, problems)
    elif kind in INTEGER_TYPES:
        _integer(shape, kind, value, path, problems)
    elif kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, NUMBERS):
            problems.add(value, path, "Member must be a number")
        else:
            _bounded(shape, value, path, problems)
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.add(value, path, "Member must be a boolean")
    elif kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, TIMESTAMPS):
            problems.add(value, path, "Member must be a timestamp")
    elif kind == "blob" and not (isinstance(value, str) and is_base64(value)):
        problems.add(value, path, "Member must be base64-encoded binary data")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _structure(shape: dict[str, Any], value: Any, path: str, problems: Problems) -> None:
    if not isinstance(value, dict):
        problems.add(value, path, "Member must be a structure")
        return
    for name in shape.get("required", ()):
        if value.get(name) is None:
            problems.add(None, _join(path, name), "Member must not be null")
    for name, member in shape["members"].items():
        if value.get(name) is not None:
            validate(member["shape"], value[name], _join(path, name), problems)


def _size(shape: dict[str, Any], size: int, value: Any, path: str, problems: Problems, what: str) -> bool:
    if "min" in shape and size < shape["min"]:
        problems.add(value, path, f"Member must have {what} greater than or equal to {shape['min']}")
        return False
    if "max" in shape and size > shape["max"]:
        problems.add(value, path, f"Member must have {what} less than or equal to {shape['max']}")
        return False
    return True


def _list(shape: dict[str, Any], value: Any, path: str, problems: Problems) -> None:
    if not isinstance(value, list):
        problems.add(value, path, "Member must be a list")
        return
    _size(shape, len(value), value, path, problems, "length")
    for index, item in enumerate(value, start=1):
        if item is None:
            problems.add(None, f"{path}.{index}.member", "Member must not be null")
        else:
            validate(shape["member"], item, f"{path}.{index}.member", problems)


def _map(shape: dict[str, Any], value: Any, path: str, problems: Problems) -> None:
    if not isinstance(value, dict):
        problems.add(value, path, "Member must be a map")
        return
    _size(shape, len(value), value, path, problems, "length")
    for key, item in value.items():
        key_problems = Problems()
        validate(shape["key"], key, path, key_problems)
        for problem in key_problems:
            constraint = problem.split("failed to satisfy constraint: ", 1)[1]
            problems.add(key, path, f"Map keys must satisfy constraint: [{constraint}]")
        if item is None:
            problems.add(None, f"{path}.{key}", "Member must not be null")
        else:
            validate(shape["value"], item, f"{path}.{key}", problems)


def _string(shape: dict[str, Any], value: Any, path: str, problems: Problems) -> None:
    if not isinstance(value, str):
        problems.add(value, path, "Member must be a string")
        return
    if not _size(shape, java_length(value), value, path, problems, "length"):
        return
    if "enum" in shape and value not in shape["enum"]:
        problems.add(value, path, f"Member must satisfy enum value set: [{', '.join(shape['enum'])}]")
    elif "pattern" in shape and not compile_pattern(shape["pattern"])(value):
        problems.add(value, path, f"Member must satisfy regular expression pattern: {shape['pattern']}")


def _integer(shape: dict[str, Any], kind: str, value: Any, path: str, problems: Problems) -> None:
    low, high = RANGES[kind]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(value, path, f"Member must be {'an integer' if kind == 'integer' else 'a long'}")
        return
    _bounded(shape, value, path, problems)


def _bounded(shape: dict[str, Any], value: float, path: str, problems: Problems) -> None:
    """A number's ``min`` and ``max`` (botocore checks only the minimum before sending)."""
    if "min" in shape and value < shape["min"]:
        problems.add(value, path, f"Member must have value greater than or equal to {shape['min']}")
    elif "max" in shape and value > shape["max"]:
        problems.add(value, path, f"Member must have value less than or equal to {shape['max']}")


def is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def coerce(shape_name: str, raw: str) -> Any:
    """A string from the URI, the query or a header, as the member's type (left as-is if malformed).

    Leaving a malformed value as a string lets :func:`validate` report it in AWS's words.
    """
    kind = SHAPES[shape_name]["type"]
    if kind in INTEGER_TYPES:
        number = whole_number(raw, signed=True)
        return raw if number is None else number
    if kind == "boolean":
        lowered = raw.lower()
        return True if lowered == "true" else False if lowered == "false" else raw
    if kind in ("double", "float"):
        try:
            return float(raw)
        except ValueError:
            return raw
    if kind == "timestamp":
        try:
            return float(raw)
        except ValueError:
            try:
                return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return raw
    return raw


def check_stored(shape: str, value: Any, where: str, path: str = "") -> None:
    """Raise :class:`SnapshotError` at ``where`` unless a stored value (a record's or an
    account setting's, answered as it was stored) keeps the model shape its request took: a
    hand-edited snapshot that broke one was restored, then failed every call that read it.
    ``path`` prefixes the members the message names."""
    problems = Problems()
    validate(shape, value, path, problems)
    if problems:
        raise SnapshotError(where, problems.message())
