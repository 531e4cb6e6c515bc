"""Compiled acceptance checks: does a value pass the model's validation without a problem?

``validation.validate`` walks a shape's definition on every call, building paths and looking up
each member's constraints again; for a valid input, which nearly every call carries, all that
work finds nothing. ``accepts(shape)`` is a predicate made once per shape from the same
constraints: True exactly when ``validate`` would report no problem (a property test holds the
two together). Callers run it first and walk the shape only for a value it refuses, to word the
problems in AWS's terms.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .javaregex import compile_pattern
from .model import SHAPES
from .validation import INTEGER_TYPES, NUMBERS, RANGES, TIMESTAMPS, is_base64, java_length

Check = Callable[[Any], bool]

_CHECKS: dict[str, Check] = {}


def accepts(shape_name: str) -> Check:
    """The shape's acceptance check, made on first use and kept."""
    check = _CHECKS.get(shape_name)
    if check is None:
        check = _CHECKS[shape_name] = _compile(shape_name, set())
    return check


def _member(shape_name: str, making: set[str]) -> Check:
    """A member's check: compiled now, or looked up when used for a shape that contains itself."""
    if shape_name in making:
        return lambda value: accepts(shape_name)(value)
    check = _CHECKS.get(shape_name)
    if check is None:
        check = _CHECKS[shape_name] = _compile(shape_name, making)
    return check


def _compile(shape_name: str, making: set[str]) -> Check:
    shape = SHAPES[shape_name]
    kind = shape["type"]
    making = making | {shape_name}
    if kind == "structure":
        return _structure(shape, making)
    if kind == "list":
        return _list(shape, making)
    if kind == "map":
        return _map(shape, making)
    if kind == "string":
        return _string(shape)
    if kind in INTEGER_TYPES:
        return _integer(shape, kind)
    if kind in ("double", "float"):
        return _double(shape)
    if kind == "boolean":
        return lambda value: isinstance(value, bool)
    if kind == "timestamp":
        return lambda value: not isinstance(value, bool) and isinstance(value, TIMESTAMPS)
    if kind == "blob":
        return lambda value: isinstance(value, str) and is_base64(value)
    return lambda value: True  # what ``validate`` does not check


def _structure(shape: dict[str, Any], making: set[str]) -> Check:
    required = tuple(shape.get("required", ()))
    members = {name: _member(member["shape"], making) for name, member in shape["members"].items()}

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for name in required:
            if value.get(name) is None:
                return False
        # the value's own keys (an input names a few of its shape's many members); a key the
        # shape does not name is not checked, nor is a null (an absent member)
        for name, item in value.items():
            if item is not None:
                member = members.get(name)
                if member is not None and not member(item):
                    return False
        return True

    return check


def _bounds(shape: dict[str, Any]) -> tuple[int, float]:
    return shape.get("min", 0), shape.get("max", float("inf"))


def _list(shape: dict[str, Any], making: set[str]) -> Check:
    low, high = _bounds(shape)
    member = _member(shape["member"], making)

    def check(value: Any) -> bool:
        if not isinstance(value, list) or not low <= len(value) <= high:
            return False
        return all(item is not None and member(item) for item in value)

    return check


def _map(shape: dict[str, Any], making: set[str]) -> Check:
    low, high = _bounds(shape)
    key_check, value_check = _member(shape["key"], making), _member(shape["value"], making)

    def check(value: Any) -> bool:
        if not isinstance(value, dict) or not low <= len(value) <= high:
            return False
        return all(key_check(key) and item is not None and value_check(item) for key, item in value.items())

    return check


def _string(shape: dict[str, Any]) -> Check:
    low, high = _bounds(shape)
    enum = frozenset(shape["enum"]) if "enum" in shape else None
    pattern = compile_pattern(shape["pattern"]) if "pattern" in shape and enum is None else None

    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        size = len(value) if value.isascii() else java_length(value)
        if not low <= size <= high:
            return False
        if enum is not None:
            return value in enum
        return pattern is None or pattern(value)

    return check


def _integer(shape: dict[str, Any], kind: str) -> Check:
    low, high = RANGES[kind]
    low, high = max(low, shape.get("min", low)), min(high, shape.get("max", high))

    def check(value: Any) -> bool:
        return not isinstance(value, bool) and isinstance(value, int) and low <= value <= high

    return check


def _double(shape: dict[str, Any]) -> Check:
    low, high = shape.get("min", -math.inf), shape.get("max", math.inf)

    def check(value: Any) -> bool:
        return not isinstance(value, bool) and isinstance(value, NUMBERS) and low <= value <= high

    return check
