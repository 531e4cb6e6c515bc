"""scriptr's multi-key sort: where each key's values are of one type it sorts at C speed, in the
order its comparison gives (``reference``), missing values last; mixed types and NaN keep the
comparison."""

from __future__ import annotations

from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from iotfake.providers.scriptr import query
from iotfake.providers.scriptr.query import sort


def reference(items: list[dict[str, Any]], keys: list[tuple[str, str, bool]]) -> list[dict[str, Any]]:
    """The order the comparison gives: ``sort`` with its C-speed path closed."""
    with mock.patch.object(query, "_ordered", lambda column: False):
        return sort(items, keys)


values = st.one_of(
    st.none(),
    st.sampled_from(["a", "B", "b", "10", "9", "nan", "inf", "2026-12-05T00:00:00Z", "", "x y"]),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.sampled_from(["a", "b", "1"]), max_size=2),
)
documents = st.lists(
    st.fixed_dictionaries({"n": st.integers(0, 99)}, optional={"f": values, "g": values}), max_size=12
)
sort_keys = st.lists(
    st.tuples(
        st.sampled_from(["f", "g", "missing"]), st.sampled_from(["string", "numeric", "date"]), st.booleans()
    ),
    max_size=3,
)


@settings(max_examples=400, deadline=None)
@given(documents, sort_keys)
def test_sorting_reads_values_once_and_orders_as_comparing_them_each_time(items, keys) -> None:
    assert [id(d) for d in sort(items, keys)] == [id(d) for d in reference(items, keys)]


texts = st.one_of(st.none(), st.sampled_from(["a", "B", "b", "10", "9", "", "x y", "a"]))
numbers = st.one_of(st.none(), st.integers(-3, 3), st.floats(-5, 5, allow_nan=False).map(str))
uniform = st.lists(
    st.fixed_dictionaries({"n": st.integers(0, 99)}, optional={"f": texts, "g": numbers}), max_size=14
)
uniform_keys = st.lists(
    st.tuples(st.sampled_from(["f", "g", "missing"]), st.sampled_from(["string", "numeric"]), st.booleans()),
    min_size=1,
    max_size=3,
)


@settings(max_examples=400, deadline=None)
@given(uniform, uniform_keys)
def test_values_of_one_type_sort_at_c_speed_in_the_same_order(items, keys) -> None:
    assert [id(d) for d in sort(items, keys)] == [id(d) for d in reference(items, keys)]
