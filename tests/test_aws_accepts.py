"""``accepts(shape)`` (the compiled check) says yes exactly when the model's walk finds no
problem, for every input shape the fake serves, on values near and far from valid."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iotfake.providers.aws_iot import handler_map
from iotfake.providers.aws_iot.accepts import accepts
from iotfake.providers.aws_iot.model import OPERATIONS, SHAPES
from iotfake.providers.aws_iot.validation import Problems, validate

INPUTS = sorted({OPERATIONS[key]["input"] for key in handler_map() if OPERATIONS[key]["input"]})


def _reachable(names: list[str]) -> list[str]:
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = SHAPES[name]
        todo.extend(m["shape"] for m in shape.get("members", {}).values())
        todo.extend(shape[k] for k in ("member", "key", "value") if k in shape)
    return sorted(seen)


#: every shape an input holds, at any depth: each kind is checked on its own too
PARTS = _reachable(INPUTS)
#: characters the model's patterns allow and refuse, ASCII and not (UTF-16 lengths differ)
ALPHABET = "aZ09:_-./ @#=,[]!\u00e9\u4e2d\U0001f600"
ODD = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=3))


def _around(shape: dict[str, Any], low: int = 0) -> st.SearchStrategy[int]:
    """Sizes at and beside the shape's bounds."""
    lo, hi = shape.get("min", low), shape.get("max", 40)
    return st.sampled_from(sorted({max(0, lo - 1), lo, lo + 1, min(hi, 40), min(hi + 1, 41)}))


def values(name: str, depth: int = 0) -> st.SearchStrategy[Any]:
    shape = SHAPES[name]
    kind = shape["type"]
    if depth > 3:
        return ODD
    if kind == "structure":
        members = {
            n: st.one_of(values(m["shape"], depth + 1), st.none()) for n, m in shape["members"].items()
        }
        required = [n for n in shape.get("required", ()) if n in members]
        made = st.fixed_dictionaries(
            {n: members[n] for n in required},
            optional={n: s for n, s in members.items() if n not in required},
        )
        return st.one_of(made, made, made, ODD, st.just({}), made.map(lambda d: {**d, "unknown": 1}))
    if kind == "list":
        return st.one_of(
            _around(shape).flatmap(
                lambda n: st.lists(values(shape["member"], depth + 1), min_size=n, max_size=n)
            ),
            st.lists(st.none(), min_size=1, max_size=1),
            ODD,
        )
    if kind == "map":
        keys = values(shape["key"], depth + 1).filter(lambda k: isinstance(k, str))
        return st.one_of(
            st.dictionaries(keys, st.one_of(values(shape["value"], depth + 1), st.none()), max_size=3), ODD
        )
    if kind == "string":
        text = _around(shape).flatmap(lambda n: st.text(ALPHABET, min_size=n, max_size=n))
        enum = st.sampled_from(shape["enum"]) if "enum" in shape else text
        return st.one_of(text, enum, enum, ODD)
    if kind in ("integer", "long"):
        lo, hi = shape.get("min", -(2**31)), shape.get("max", 2**31 - 1)
        return st.one_of(st.sampled_from([lo - 1, lo, hi, hi + 1, 2**63, -(2**63) - 1]), st.integers(), ODD)
    if kind in ("double", "float"):
        lo, hi = shape.get("min", -1e9), shape.get("max", 1e9)
        return st.one_of(st.sampled_from([lo - 0.5, lo, hi, hi + 0.5]), st.floats(allow_nan=False), ODD)
    if kind == "blob":
        return st.one_of(st.sampled_from(["", "aGk=", "aGk", "not base64!"]), ODD)
    return st.one_of(st.booleans(), st.floats(allow_nan=False), st.integers(), st.text(max_size=4), ODD)


@st.composite
def shaped(draw: st.DrawFn, names: list[str]) -> tuple[str, Any]:
    name = draw(st.sampled_from(names))
    return name, draw(values(name))


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(shaped(INPUTS), shaped(PARTS)))
def test_accepts_exactly_what_validation_passes(case: tuple[str, Any]) -> None:
    name, value = case
    problems = Problems()
    validate(name, value, "", problems)
    assert accepts(name)(value) == (not problems), problems


def test_every_served_input_has_a_check_and_a_valid_minimum() -> None:
    """Made for every input shape; an empty object passes exactly when nothing is required."""
    for name in INPUTS:
        problems = Problems()
        validate(name, {}, "", problems)
        assert accepts(name)({}) == (not problems), name


def test_a_shape_holding_itself_is_checked_at_every_depth() -> None:
    recursive = [
        n
        for n, s in SHAPES.items()
        if s["type"] == "structure" and any(m["shape"] == n for m in s["members"].values())
    ]
    for name in recursive:  # none today; the check still terminates and agrees if one appears
        assert accepts(name)({}) == (not _problems(name, {}))


def _problems(name: str, value: Any) -> Problems:
    problems = Problems()
    validate(name, value, "", problems)
    return problems


def test_a_double_s_bounds_are_checked_as_an_integer_s_are() -> None:
    """botocore checks a minimum before sending, never a maximum: a job aborting at 150% of
    failures was stored."""
    assert _problems("AbortThresholdPercentage", 150) == [
        "Value '150' at '' failed to satisfy constraint: Member must have value less than or equal to 100"
    ]
    assert "greater than or equal to 1.1" in _problems("IncrementFactor", 0.5)[0]
    assert not _problems("IncrementFactor", 5) and not accepts("IncrementFactor")(5.01)
