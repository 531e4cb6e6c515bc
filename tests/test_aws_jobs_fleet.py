"""A job across a fleet: a device's own calls, and deleting a thing, read that thing's executions
only (the table's indexes, ``Table.index``), never the fleet's; the job's counts and its
completion follow every device's update exactly as counting all its executions would."""

from __future__ import annotations

import json
import random

import pytest

from iotfake import FakeCloud
from iotfake.registry.records import Records
from iotfake.transports import route_botocore

DOC = json.dumps({"operation": "update"})
THINGS = 40


def _client(service: str, cloud: FakeCloud):
    import boto3
    from botocore.config import Config

    client = boto3.client(
        service,
        endpoint_url="http://iotfake",
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}),
    )
    return route_botocore(client, cloud)


@pytest.fixture
def fleet():
    cloud = FakeCloud(seed=3)
    iot, data = _client("iot", cloud), _client("iot-jobs-data", cloud)
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
