"""A job across a fleet: a device's own calls, and deleting a thing, read that thing's executions
only (the table's indexes, ``Table.index``), never the fleet's; the job's counts and its
completion follow every device's update exactly as counting all its executions would."""

from __future__ import annotations

import contextlib
import json
import random

import pytest
from aws_helpers import in_process

from iotfake import FakeCloud
from iotfake.registry.records import Records

DOC = json.dumps({"operation": "update"})
THINGS = 40


@pytest.fixture
def fleet():
    cloud = FakeCloud(seed=3)
    iot, data = in_process(cloud, "iot", attempts=1), in_process(cloud, "iot-jobs-data", attempts=1)
    group = iot.create_thing_group(thingGroupName="fleet")["thingGroupArn"]
    for number in range(THINGS):
        iot.create_thing(thingName=f"t{number:02}")
        iot.add_thing_to_thing_group(thingGroupName="fleet", thingName=f"t{number:02}")
    iot.create_job(jobId="rollout", targets=[group], document=DOC)
    iot.create_job(jobId="other", targets=[group], document=DOC)
    return cloud, iot, data


def _reads_of_executions(monkeypatch) -> list[str]:
    """Every walk of a whole execution table (``Records.items``) from now on."""
    walks: list[str] = []
    real = Records.items

    def items(self):
        if self.kind.name == "job execution":
            walks.append(self.kind.name)
        return real(self)

    monkeypatch.setattr(Records, "items", items)
    return walks


def test_a_device_s_calls_and_a_thing_s_delete_read_only_that_thing_s_executions(fleet, monkeypatch) -> None:
    _, iot, data = fleet
    walks = _reads_of_executions(monkeypatch)
    pending = data.get_pending_job_executions(thingName="t07")
    assert sorted(e["jobId"] for e in pending["queuedJobs"]) == ["other", "rollout"]
    started = data.start_next_pending_job_execution(thingName="t07")["execution"]
    assert started["status"] == "IN_PROGRESS"
    job = started["jobId"]
    assert iot.describe_job_execution(jobId=job, thingName="t07")["execution"]["status"] == "IN_PROGRESS"
    summaries = iot.list_job_executions_for_thing(thingName="t07")["executionSummaries"]
    assert [s["jobId"] for s in summaries] == ["other", "rollout"]
    data.update_job_execution(jobId=job, thingName="t07", status="SUCCEEDED")
    iot.delete_thing(thingName="t08")
    assert iot.describe_job(jobId=job)["job"]["jobProcessDetails"]["numberOfSucceededThings"] == 1
    assert walks == []
    assert iot.list_job_executions_for_thing(thingName="t01")["executionSummaries"]
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_job_execution(jobId="rollout", thingName="t08")  # went with its thing


def _scanned(iot, job_id: str) -> dict[str, int]:
    """The job's counts as a walk of all its executions gives them."""
    counts: dict[str, int] = {}
    token = None
    while True:
        page = iot.list_job_executions_for_job(jobId=job_id, **({"nextToken": token} if token else {}))
        for summary in page["executionSummaries"]:
            status = summary["jobExecutionSummary"]["status"]
            counts[status] = counts.get(status, 0) + 1
        token = page.get("nextToken")
        if not token:
            return counts


NAMES = {
    "QUEUED": "numberOfQueuedThings",
    "IN_PROGRESS": "numberOfInProgressThings",
    "SUCCEEDED": "numberOfSucceededThings",
    "FAILED": "numberOfFailedThings",
    "REJECTED": "numberOfRejectedThings",
    "CANCELED": "numberOfCanceledThings",
    "REMOVED": "numberOfRemovedThings",
}


@pytest.mark.parametrize("seed", range(4))
def test_the_job_s_counts_and_completion_follow_each_update(fleet, seed) -> None:
    _, iot, data = fleet
    rng = random.Random(seed)
    things = [f"t{n:02}" for n in range(THINGS)]
    rng.shuffle(things)
    for done, thing in enumerate(things, 1):
        step = rng.choice(["succeed", "fail", "reject", "start-then-succeed", "cancel", "delete thing"])
        if step == "cancel":
            iot.cancel_job_execution(jobId="rollout", thingName=thing)
        elif step == "delete thing":
            iot.delete_thing(thingName=thing)
        elif step == "start-then-succeed":
            data.update_job_execution(jobId="rollout", thingName=thing, status="IN_PROGRESS")
            details = iot.describe_job(jobId="rollout")["job"]["jobProcessDetails"]
            assert details["numberOfInProgressThings"] == 1
            assert f"arn:aws:iot:us-east-1:123456789012:thing/{thing}" in details["processingTargets"]
            data.update_job_execution(jobId="rollout", thingName=thing, status="SUCCEEDED")
        else:
            status = {"succeed": "SUCCEEDED", "fail": "FAILED", "reject": "REJECTED"}[step]
            data.update_job_execution(jobId="rollout", thingName=thing, status=status)
        job = iot.describe_job(jobId="rollout")["job"]
        scanned = _scanned(iot, "rollout")
        details = job["jobProcessDetails"]
        assert {status: details[name] for status, name in NAMES.items() if details[name]} == scanned
        assert len(details["processingTargets"]) == scanned.get("QUEUED", 0) + scanned.get("IN_PROGRESS", 0)
        assert job["status"] == ("COMPLETED" if done == len(things) else "IN_PROGRESS"), (done, step)
    assert iot.describe_job(jobId="other")["job"]["status"] == "IN_PROGRESS"


# -- a CONTINUOUS job reads its groups again only when what it reads moved ---------------------------
def _pair_of_clouds():
    """Two clouds run the same program: ``job_targets`` keeps what a job was brought up to date
    with in one; the other forgets it before every call (``reconciled`` always False)."""
    out = []
    for _ in range(2):
        cloud = FakeCloud(seed=5)
        out.append(
            (cloud, in_process(cloud, "iot", attempts=1), in_process(cloud, "iot-jobs-data", attempts=1))
        )
    return out


def _executions(iot, job_id: str) -> list[tuple[str, str]]:
    summaries = iot.list_job_executions_for_job(jobId=job_id, maxResults=250)["executionSummaries"]
    return sorted((s["thingArn"], s["jobExecutionSummary"]["status"]) for s in summaries)


@pytest.mark.parametrize("seed", range(10))
def test_a_continuous_job_reaches_what_a_fresh_read_of_its_groups_reaches(monkeypatch, seed) -> None:
    from iotfake.providers.aws_iot import job_targets
    from iotfake.registry.changes import RolledBack

    real = job_targets.reconciled
    clouds = _pair_of_clouds()
    forgetting = clouds[1][0].registry

    def reconciled(ctx, job_id, targets):
        return False if ctx.tenant.changes is forgetting.changes else real(ctx, job_id, targets)

    monkeypatch.setattr(job_targets, "reconciled", reconciled)
    rng = random.Random(seed)
    for _, iot, _ in clouds:
        iot.update_indexing_configuration(thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"})
        iot.create_thing_group(thingGroupName="top")
        iot.create_thing_group(thingGroupName="leaf", parentGroupName="top")
        iot.create_dynamic_thing_group(thingGroupName="dyn", queryString="attributes.wave:1")
        iot.create_thing(thingName="t0")
        iot.add_thing_to_thing_group(thingGroupName="top", thingName="t0")
    iot = clouds[0][1]
    top, dyn = (iot.describe_thing_group(thingGroupName=n)["thingGroupArn"] for n in ("top", "dyn"))
    for _, client, _ in clouds:
        client.create_job(jobId="grouped", targets=[top], document=DOC, targetSelection="CONTINUOUS")
        client.create_job(jobId="dynamic", targets=[dyn], document=DOC, targetSelection="CONTINUOUS")
        thing_arn = client.describe_thing(thingName="t0")["thingArn"]  # a thing named, not a group
        client.create_job(jobId="direct", targets=[thing_arn], document=DOC, targetSelection="CONTINUOUS")
    made = 1
    for _ in range(30):
        step = rng.choice(
            ["create", "join", "leave", "delete", "wave", "drop execution", "finish", "leaf", "undone"]
        )
        thing = f"t{rng.randrange(made + 1)}" if rng.random() < 0.8 else "t0"
        for cloud, client, data in clouds:
            known = thing in cloud.registry.tenant("aws", "123456789012/us-east-1").keys
            if step == "create" and not known:
                client.create_thing(thingName=thing)
            elif step in ("join", "leaf") and known:
                group = "leaf" if step == "leaf" else "top"
                with contextlib.suppress(client.exceptions.InvalidRequestException):
                    # refused where it is in the other group of the hierarchy already
                    client.add_thing_to_thing_group(thingGroupName=group, thingName=thing)
            elif step == "leave" and known:
                client.remove_thing_from_thing_group(thingGroupName="top", thingName=thing)
            elif step == "delete" and known:
                client.delete_thing(thingName=thing)
            elif step == "wave" and known:
                client.update_thing(thingName=thing, attributePayload={"attributes": {"wave": "1"}})
            elif step == "drop execution" and known:
                try:
                    found = client.describe_job_execution(jobId="grouped", thingName=thing)["execution"]
                except client.exceptions.ResourceNotFoundException:
                    continue
                number = found["executionNumber"]
                client.delete_job_execution(
                    jobId="grouped", thingName=thing, executionNumber=number, force=True
                )
            elif step == "undone":  # a job brought up to date inside a transaction rolled back
                with contextlib.suppress(RolledBack), cloud.registry.transaction():
                    summaries = client.list_job_executions_for_job(jobId="grouped")["executionSummaries"]
                    for summary in summaries[:1]:
                        number = summary["jobExecutionSummary"]["executionNumber"]
                        thing_of = summary["thingArn"].rsplit("/", 1)[1]
                        client.delete_job_execution(
                            jobId="grouped", thingName=thing_of, executionNumber=number, force=True
                        )
                    client.describe_job(jobId="grouped")
                    raise RolledBack
            elif step == "finish" and known:
                answer = data.start_next_pending_job_execution(thingName=thing)
                if "execution" in answer:
                    job = answer["execution"]["jobId"]
                    data.update_job_execution(jobId=job, thingName=thing, status="SUCCEEDED")
        made += step == "create"
        for job in ("grouped", "dynamic", "direct"):
            assert _executions(clouds[0][1], job) == _executions(clouds[1][1], job), (seed, step, thing)


def test_a_continuous_job_naming_a_thing_reaches_it_again_once_it_is_made_again(fleet) -> None:
    """The thing is deleted (its execution goes with it) and made again: the job reaches it."""
    _, iot, data = fleet
    arn = iot.describe_thing(thingName="t03")["thingArn"]
    iot.create_job(jobId="direct", targets=[arn], document=DOC, targetSelection="CONTINUOUS")
    assert iot.describe_job_execution(jobId="direct", thingName="t03")["execution"]["status"] == "QUEUED"
    iot.delete_thing(thingName="t03")
    assert iot.list_job_executions_for_job(jobId="direct")["executionSummaries"] == []
    iot.create_thing(thingName="t03")
    assert [e["jobId"] for e in data.get_pending_job_executions(thingName="t03")["queuedJobs"]] == ["direct"]


def test_pages_of_a_job_s_executions_are_its_executions_in_thing_order(fleet) -> None:
    """Selected once and paged; a write between pages selects again (``registry.selections``)."""
    _, iot, data = fleet
    every = sorted(f"arn:aws:iot:us-east-1:123456789012:thing/t{n:02}" for n in range(THINGS))

    def paged(**filters) -> list[str]:
        arns, token = [], None
        while True:
            page = iot.list_job_executions_for_job(
                jobId="rollout", maxResults=7, **filters, **({"nextToken": token} if token else {})
            )
            arns += [summary["thingArn"] for summary in page["executionSummaries"]]
            token = page.get("nextToken")
            if not token:
                return arns

    assert paged() == every and paged(status="QUEUED") == every
    first = iot.list_job_executions_for_job(jobId="rollout", status="QUEUED", maxResults=7)
    data.update_job_execution(jobId="rollout", thingName="t20", status="SUCCEEDED")
    rest = iot.list_job_executions_for_job(
        jobId="rollout", status="QUEUED", maxResults=50, nextToken=first["nextToken"]
    )
    shown = [s["thingArn"] for s in first["executionSummaries"] + rest["executionSummaries"]]
    assert shown == [arn for arn in every if not arn.endswith("/t20")]
    assert paged(status="SUCCEEDED") == ["arn:aws:iot:us-east-1:123456789012:thing/t20"]
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.list_job_executions_for_job(jobId="rollout", nextToken="not-a-token")


def test_a_rolled_back_delete_gives_the_thing_its_executions_back(fleet) -> None:
    """A thing's executions go with it; undone, they are back, found by thing, job and status
    (their place in the table, which nothing reads, is not kept: ``Kind.ordered``)."""
    from iotfake.registry.changes import RolledBack

    cloud, iot, data = fleet
    before = iot.describe_job(jobId="rollout")["job"]["jobProcessDetails"]
    with cloud.registry.transaction():
        iot.delete_thing(thingName="t05")
        assert iot.describe_job(jobId="rollout")["job"]["jobProcessDetails"]["numberOfQueuedThings"] == 39
        raise RolledBack
    assert iot.describe_job(jobId="rollout")["job"]["jobProcessDetails"] == before
    assert sorted(e["jobId"] for e in data.get_pending_job_executions(thingName="t05")["queuedJobs"]) == [
        "other",
        "rollout",
    ]
    arns = [s["thingArn"] for s in iot.list_job_executions_for_job(jobId="rollout")["executionSummaries"]]
    assert arns == sorted(f"arn:aws:iot:us-east-1:123456789012:thing/t{n:02}" for n in range(THINGS))


def test_a_continuous_job_queues_what_is_missing_after_a_rollback() -> None:
    """Inside a transaction the job is brought up to date and its execution count noted; the
    rollback takes the count back to that very number while a target has no execution again:
    the next call must still queue it (a reviewer's reproduction)."""
    from iotfake.registry.changes import RolledBack

    cloud = FakeCloud(seed=1)
    iot, data = in_process(cloud, "iot", attempts=1), in_process(cloud, "iot-jobs-data", attempts=1)
    group = iot.create_thing_group(thingGroupName="G")["thingGroupArn"]
    for thing in ("A", "B"):
        iot.create_thing(thingName=thing)
        iot.add_thing_to_thing_group(thingGroupName="G", thingName=thing)
    iot.create_job(jobId="J", targets=[group], document=DOC, targetSelection="CONTINUOUS")
    iot.remove_thing_from_thing_group(thingGroupName="G", thingName="B")  # B keeps its execution
    iot.describe_job(jobId="J")
    iot.delete_job_execution(jobId="J", thingName="A", executionNumber=1, force=True)  # A is missing
    with cloud.registry.transaction():
        iot.delete_job_execution(jobId="J", thingName="B", executionNumber=2, force=True)
        iot.describe_job(jobId="J")  # A queued again, B gone: one execution, noted
        raise RolledBack  # back to A missing, B there: one execution again
    listed = iot.list_job_executions_for_job(jobId="J")["executionSummaries"]
    assert sorted(s["thingArn"].rsplit("/", 1)[1] for s in listed) == ["A", "B"]
    assert [e["jobId"] for e in data.get_pending_job_executions(thingName="A")["queuedJobs"]] == ["J"]


def test_executions_in_progress_are_read_for_timeouts_only_where_one_can_time_out(fleet, monkeypatch) -> None:
    """Mid-rollout a fleet's executions are in progress: without a job's in-progress timeout or
    a device's step timeout none can be overdue, and no call looks for them; once a device sets
    a step timeout, its execution times out on the fake clock, found by the deadline index
    (``job_deadlines``) rather than by reading every execution in progress."""
    from iotfake.providers.aws_iot.job_deadlines import Deadlines

    cloud, iot, data = fleet
    looked: list[int] = []
    real = Deadlines.overdue

    def overdue(self, now, minutes_of, table):
        found = real(self, now, minutes_of, table)
        looked.append(len(found))
        return found

    monkeypatch.setattr(Deadlines, "overdue", overdue)
    where = Records.where

    def by_field(self, *fields, value):
        assert fields != ("status",), "the executions in progress are not read for their deadlines"
        return where(self, *fields, value=value)

    monkeypatch.setattr(Records, "where", by_field)
    # the next job of each (the older, or on a tie the first by id: either of the two)
    started = [data.start_next_pending_job_execution(thingName=f"t{n:02}")["execution"] for n in range(10)]
    assert looked == []
    answer = data.start_next_pending_job_execution(thingName="t10", stepTimeoutInMinutes=1)
    cloud.clock.advance(61)
    execution = iot.describe_job_execution(jobId=answer["execution"]["jobId"], thingName="t10")["execution"]
    assert execution["status"] == "TIMED_OUT" and 1 in looked
    still = iot.describe_job_execution(jobId=started[3]["jobId"], thingName="t03")["execution"]
    assert still["status"] == "IN_PROGRESS"
