"""A table's indexes (``Table.index``) always say what a scan of the table would: through every
kind of write, nested transactions rolled back or kept, and an index made at any point (before a
write whose undo must then tell it, too). And its ``generation`` moves whenever its content or
order does."""

from __future__ import annotations

import threading
from typing import Any
from unittest.mock import patch

from hypothesis import example, given, settings
from hypothesis import strategies as st

from iotfake.registry import changes as changes_module
from iotfake.registry.changes import Changes, RolledBack, Table
from iotfake.registry.indexes import FieldIndex

KEYS = st.sampled_from(["a", "b", "c", "d", "e"])
RECORDS = st.one_of(
    st.fixed_dictionaries(
        {"job": st.sampled_from(["j1", "j2"]), "status": st.sampled_from(["QUEUED", "DONE"])},
        optional={"thing": st.sampled_from(["t1", "t2", None])},
    ),
    st.just({"job": ["unhashable"], "status": "QUEUED"}),
    st.just(["a", "list"]),
    st.just("text"),
)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), KEYS, RECORDS),
        st.tuples(st.just("del"), KEYS, st.none()),
        st.tuples(st.just("discard"), KEYS, st.none()),
        st.tuples(st.just("pop"), KEYS, st.none()),
        st.tuples(st.just("append"), KEYS, st.sampled_from(list("xyz"))),
        st.tuples(st.just("remove_item"), KEYS, st.sampled_from(list("xyz"))),
        st.tuples(st.just("index"), st.sampled_from(["job", "thing", "job+status"]), st.none()),
        st.tuples(st.just("clear"), st.none(), st.none()),
        st.tuples(st.just("begin"), st.none(), st.none()),
        st.tuples(st.just("rollback"), st.none(), st.none()),
        st.tuples(st.just("commit"), st.none(), st.none()),
    ),
    max_size=40,
)
FIELDS = {"job": ("job",), "thing": ("thing",), "job+status": ("job", "status")}


def _scanned(table: Table, fields: tuple[str, ...]) -> dict[Any, set[str]]:
    """What a scan of the table finds for each value the index holds."""
    out: dict[Any, set[str]] = {}
    for key, record in table.items():
        if not isinstance(record, dict):
            continue
        value = record.get(fields[0]) if len(fields) == 1 else tuple(record.get(f) for f in fields)
        try:
            hash(value)
        except TypeError:
            continue
        if value is not None:
            out.setdefault(value, set()).add(key)
    return out


def _contents(table: Table) -> list[tuple[str, Any]]:
    return [(key, list(value) if isinstance(value, list) else value) for key, value in table.items()]


def _indexed(index: FieldIndex, values: set[Any]) -> dict[Any, set[str]]:
    return {value: set(index.get(value)) for value in values if index.count(value)}


def _apply(table: Table, op: str, key: Any, value: Any) -> None:
    if op == "set":
        table[key] = value
    elif op == "del" and key in table:
        del table[key]
    elif op == "discard":
        table.discard(key)
    elif op == "pop":
        table.pop(key, None)
    elif op == "append" and isinstance(table.get(key, []), list) and value not in table.get(key, []):
        table.append(key, value)
    elif op == "remove_item" and isinstance(table.get(key, []), list):
        table.remove_item(key, value)
    elif op == "clear":
        table.clear()


GROWN = [("append", "a", "x"), ("append", "a", "y"), ("append", "a", "z"), ("remove_item", "a", "y")]
ROLLED_BACK = [
    ("begin", None, None),
    ("index", "job", None),
    *GROWN,
    ("del", "z", None),
    ("rollback", None, None),
]


@settings(max_examples=500, deadline=None)
@given(STEPS, st.sampled_from([2, changes_module.GROW_IN_PLACE]))
@example(GROWN, 2)
@example(ROLLED_BACK, 2)
def test_an_index_says_what_a_scan_says_after_any_writes_and_rollbacks(steps, grow_from) -> None:
    """``grow_from``: lists this long grow and shrink in place (``Table.append``)."""
    with patch.object(changes_module, "GROW_IN_PLACE", grow_from):
        _run(steps)


def _run(steps) -> None:
    changes, lock = Changes(), threading.RLock()
    table = Table(changes, {"z": {"job": "j1", "status": "QUEUED", "thing": "t1"}}, name="t")
    made: set[str] = set()
    open_transactions: list[Any] = []

    seen = [(table.generation, _contents(table))]

    def check() -> None:
        generation, contents = table.generation, _contents(table)
        if contents != seen[-1][1]:  # a reader keeping what it derived sees the change
            assert generation != seen[-1][0], (seen[-1], contents)
        seen.append((generation, contents))
        for name in made:
            fields = FIELDS[name]
            scanned = _scanned(table, fields)
            values = set(scanned) | {"j1", "j2", "t1", "t2", ("j1", "QUEUED"), ("j2", "DONE")}
            assert _indexed(table.index(*fields), values) == scanned, (name, dict(table))

    for op, key, value in steps:
        if op == "index":
            made.add(key)
            table.index(*FIELDS[key])
        elif op == "begin":
            context = changes.transaction(lock)
            context.__enter__()
            open_transactions.append(context)
        elif op in ("rollback", "commit"):
            if open_transactions:
                context = open_transactions.pop()
                if op == "rollback":
                    assert context.__exit__(RolledBack, RolledBack(), None)  # swallowed
                else:
                    context.__exit__(None, None, None)
        else:
            _apply(table, op, key, value)
        check()
    while open_transactions:
        open_transactions.pop().__exit__(RolledBack, RolledBack(), None)
        check()


def test_an_index_lists_keys_in_the_order_they_came_to_hold_the_value() -> None:
    table = Table(Changes(), {"a": {"job": "j"}, "b": {"job": "k"}, "c": {"job": "j"}})
    index = table.index("job")
    assert index.get("j") == ["a", "c"] and index.count("j") == 2
    table["b"] = {"job": "j"}
    assert index.get("j") == ["a", "c", "b"]
    table["a"] = {"job": "j", "status": "done"}  # the same value: it keeps its place
    assert index.get("j") == ["a", "c", "b"]
    assert index.get(["unhashable"]) == [] and index.count(["unhashable"]) == 0
