"""Independent copies of JSON-able state, cheap enough for snapshots of a hundred thousand devices.

A snapshot is a rollback point (fixture loading, ``restore``) and what ``--state`` files hold, so
it must share nothing with the live records: a nested dict shared between the two lets later
changes leak into the snapshot, and edits of the snapshot leak into the cloud.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Any

#: values that need no copy; anything else JSON-able is a dict or a list
ATOMS = frozenset({str, int, float, bool, type(None)})


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data: dicts (subclasses too) become dicts, lists and tuples lists.

    Several times faster than ``copy.deepcopy``, which keeps a memo for cycles that JSON-able
    data cannot have.
    """
    if type(value) in ATOMS:
        return value
    if isinstance(value, dict):
        out = dict(value)  # one C-level copy; then only the nested containers are replaced
        for key, item in value.items():
            if type(item) not in ATOMS:
                out[key] = copy_json(item)
        return out
    if isinstance(value, list | tuple):
        return [item if type(item) in ATOMS else copy_json(item) for item in value]
    return value


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Build or take apart a whole state without the cyclic garbage collector.

    Snapshots allocate millions of small acyclic containers; every few hundred allocations start
    a collection, and the older generations' collections scan every live record. At 100k devices
    that doubled the cost of a snapshot. Nothing built here can form a cycle, so nothing is lost
    by collecting afterwards instead.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
