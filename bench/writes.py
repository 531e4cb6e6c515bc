"""Writes as the fleet grows: what one delete or membership change costs at 1,000, 10,000 and
50,000 devices.

    python -m bench writes [--sizes 1000,10000,50000] [--calls 20]

A delete keeps the undo of a rollback ready, and a group's members are a list: a write that
copies or searches the fleet, or a fleet-wide group, is cheap in a small test and slow in a big
one. Each row is one write through the client a test would use, in process, on a fleet made
with ``FakeCloud.populate`` (no HTTP), with every AWS thing in one thing group:
- boto3: DeleteThing of a thing picked at random (each call another), RemoveThingFromThingGroup
  and AddThingToThingGroup of another picked at random (the group holds every thing but it),
  DeleteThing of a thing that was just made (the newest); a device's run of its next job
  (StartNextPendingJobExecution, then UpdateJobExecution to SUCCEEDED) where two jobs, one
  SNAPSHOT and one CONTINUOUS, target the group of every thing;
- EnOS DeleteDevice and scriptr device.delete of a device picked at random.

Each row's cost is the median of ``--calls`` calls, as ``bench listings`` reports its pages;
the last column is the largest fleet's over the smallest's: near 1 where a write costs the same
whatever the fleet.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any

from .enos import HEADERS, ORG, PRODUCT_KEY
from .listings import _ok, fleet_of, run

WHAT = "one write (in process)"


def fleet(devices: int) -> dict[str, Callable[[], Any]]:
    """A cloud of ``devices`` devices for each provider, and the writes the rows time on it."""
    _, names, scriptr_ids, enos_keys, iot, jobs, http, scriptr = fleet_of(devices)
    shuffled = random.Random(7)
    picks = shuffled.sample(names, len(names))  # halves: a thing the delete row took never moves
    deleted, moved, working = iter(picks[::2]), iter(picks[1::2]), iter(picks[1::2])
    enos_gone, scriptr_gone = (iter(shuffled.sample(pool, len(pool))) for pool in (enos_keys, scriptr_ids))
    made = itertools.count()

    def move() -> Any:  # out of the group and back: it keeps its size
        thing = next(moved)
        iot.remove_thing_from_thing_group(thingGroupName="every-thing", thingName=thing)
        return iot.add_thing_to_thing_group(thingGroupName="every-thing", thingName=thing)

    def newest() -> Any:
        name = f"made-{next(made)}"
        iot.create_thing(thingName=name)
        return iot.delete_thing(thingName=name)

    def run_job() -> Any:  # a device takes its next job and succeeds (then the other one)
        thing = next(working)
        started = jobs.start_next_pending_job_execution(thingName=thing)["execution"]
        return jobs.update_job_execution(jobId=started["jobId"], thingName=thing, status="SUCCEEDED")

    def enos_delete() -> Any:
        url = f"/connect-service/v2.1/devices?action=delete&orgId={ORG}&productKey={PRODUCT_KEY}"
        answer = _ok(http.post(f"{url}&deviceKey={next(enos_gone)}", headers=HEADERS))
        return _done(answer, answer.json()["code"] == 0)

    def scriptr_delete() -> Any:
        answer = _ok(http.post("/scriptr/device/delete", headers=scriptr, json={"id": next(scriptr_gone)}))
        return _done(answer, answer.json()["response"]["result"]["metadata"]["status"] == "success")

    return {
        "DeleteThing, a thing of the group picked at random": lambda: iot.delete_thing(
            thingName=next(deleted)
        ),
        "Remove and AddThingToThingGroup, a group of every thing": move,
        "StartNextPendingJobExecution and UpdateJobExecution, a job of every thing": run_job,
        "CreateThing, then DeleteThing of it": newest,
        "EnOS DeleteDevice, a device picked at random": enos_delete,
        "scriptr device.delete, a device picked at random": scriptr_delete,
    }


def _done(answer: Any, succeeded: bool) -> Any:
    """EnOS and scriptr answer a failed write with HTTP 200: a write that failed is not timed."""
    if not succeeded:
        raise RuntimeError(f"the write failed: {answer.text[:200]}")
    return answer


def main(argv: list[str]) -> None:
    run(argv, "writes", __doc__ or "", fleet, WHAT, "write")
