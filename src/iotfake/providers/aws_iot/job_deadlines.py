"""Job executions in progress by when they may time out, kept as the executions table changes.

An execution in progress times out at its device's step timeout (``timeout``, an instant set by
StartNext or UpdateJobExecution's ``stepTimeoutInMinutes``) or at its job's
``inProgressTimeoutInMinutes`` after it started, whichever comes first: the step timer "has no
effect on that job execution timeout" (the model's documentation of stepTimeoutInMinutes). Every
jobs call runs the read-time pass (``jobs.refresh``), which read every execution in progress to
find the overdue ones: mid-rollout across a fleet, each device's call read them all. This index
answers from heaps instead: one of step deadlines, and one per job of start times (its
executions' deadlines are those plus the job's timeout, which the job may change, so the heap
orders by what does not).

Entries are never removed in place: a heap entry is checked against the record when it comes due
and dropped if the record has moved on. Every state of a record that could time out was reached
by a write or an undo the table reported (``Table.derived``), which pushed its entry, so none is
missed. A record changed and changed back (a step timer set, then cancelled with -1) has two
entries, which may come due in one pass: it is answered once.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from typing import Any

IN_PROGRESS = "IN_PROGRESS"


class Deadlines:
    """See the module's docstring; made by ``executions.table.derived``."""

    __slots__ = ("_started", "_steps")

    def __init__(self, rows: Iterable[tuple[str, Any]]) -> None:
        self._steps: list[tuple[int, str]] = []  # (the step deadline, key)
        self._started: dict[str, list[tuple[int, str]]] = {}  # job -> (started, key)
        for key, record in rows:
            self.moved(key, None, record)

    def moved(self, key: str, before: Any, after: Any) -> None:
        timing = _timing(after)
        if timing is None or timing == _timing(before):  # a step reported again: nothing moved
            return
        job, started, step = timing
        if step is not None:
            heapq.heappush(self._steps, (step, key))
        old = _timing(before)
        if old is None or old[:2] != (job, started):  # a step timer set or moved: started as it was
            heapq.heappush(self._started.setdefault(job, []), (started, key))

    def overdue(
        self, now: int, minutes_of: Callable[[str], Any], table: dict[str, Any]
    ) -> list[tuple[int, str]]:
        """(deadline, key) of the executions in progress whose deadline is ``now`` or earlier,
        earliest first. ``minutes_of(job)``: the job's in-progress timeout (None: none)."""
        due: dict[str, int] = {}  # an execution has an entry per state it was in: one answer each
        steps = self._steps
        while steps and steps[0][0] <= now:
            step, key = heapq.heappop(steps)
            timing = _timing(table.get(key))
            if timing is not None and timing[2] == step:
                due[key] = min(step, due.get(key, step))
        for job, heap in self._started.items():
            minutes = minutes_of(job)
            if not _is_number(minutes):
                continue
            while heap and heap[0][0] + minutes * 60_000 <= now:
                started, key = heapq.heappop(heap)
                timing = _timing(table.get(key))
                if timing is not None and timing[:2] == (job, started):
                    deadline = started + minutes * 60_000
                    due[key] = min(deadline, due.get(key, deadline))
        return sorted((deadline, key) for key, deadline in due.items())


def _timing(record: Any) -> tuple[str, int, int | None] | None:
    """(job, started, step deadline) of an execution that can time out; None for one that
    cannot (not in progress, never started, or a hand-made record whose times are not numbers)."""
    if type(record) is not dict or record.get("status") != IN_PROGRESS:
        return None
    started, step, job = record.get("started"), record.get("timeout"), record.get("job")
    if not _is_number(started) or (step is not None and not _is_number(step)) or type(job) is not str:
        return None
    return job, started, step


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float
