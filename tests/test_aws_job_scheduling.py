"""A job's ``schedulingConfig`` through boto3, acted on against the fake's clock: a job with a
``startTime`` is SCHEDULED and queues nothing until then; at its ``endTime`` its
``endBehavior`` stops the rollout, cancels the job, or cancels it with force. The model's
documentation of ``startTime`` and ``endTime`` gives the bounds (thirty minutes from now at the
least, a year ahead for a start and two for an end, thirty minutes between them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from aws_helpers import conforms

ACCOUNT = "arn:aws:iot:us-east-1:123456789012:"
DOC = json.dumps({"operation": "reboot"})
MINUTE = 60


def thing_arn(name: str) -> str:
    return f"{ACCOUNT}thing/{name}"


def group_arn(name: str) -> str:
    return f"{ACCOUNT}thinggroup/{name}"


def at(cloud, minutes: float) -> str:
    """The fake's now plus ``minutes``, as the API reference writes it (YYYY-MM-DDTHH:MM)."""
    moment = datetime.fromtimestamp(cloud.clock.time(), UTC) + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M")


def epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp()


@pytest.fixture
def things(iot):
    for name in ("a", "b"):
        iot.create_thing(thingName=name)
    return [thing_arn("a"), thing_arn("b")]


def statuses(iot, job_id: str) -> dict[str, str]:
    listed = iot.list_job_executions_for_job(jobId=job_id)["executionSummaries"]
    return {s["thingArn"].rsplit("/", 1)[1]: s["jobExecutionSummary"]["status"] for s in listed}


def test_a_scheduled_job_queues_nothing_until_its_start_time(iot, aws_cloud, things, jobs_client) -> None:
    start = at(aws_cloud, 31)
    iot.create_job(jobId="later", targets=things, document=DOC, schedulingConfig={"startTime": start})
    job = conforms("DescribeJob", iot.describe_job(jobId="later"))["job"]
    assert job["status"] == "SCHEDULED"
    assert job["schedulingConfig"] == {"startTime": start}
    assert job["jobProcessDetails"]["numberOfQueuedThings"] == 0
    assert job["jobProcessDetails"]["processingTargets"] == []
    assert [j["jobId"] for j in iot.list_jobs(status="SCHEDULED")["jobs"]] == ["later"]
    assert iot.list_job_executions_for_job(jobId="later")["executionSummaries"] == []
    assert jobs_client.get_pending_job_executions(thingName="a")["queuedJobs"] == []

    aws_cloud.clock.advance(30 * MINUTE)
    assert iot.describe_job(jobId="later")["job"]["status"] == "SCHEDULED"
    aws_cloud.clock.advance(2 * MINUTE)  # past the start: the next look finds it rolled out
    job = iot.describe_job(jobId="later")["job"]
    assert job["status"] == "IN_PROGRESS"
    assert job["jobProcessDetails"]["numberOfQueuedThings"] == 2
    assert statuses(iot, "later") == {"a": "QUEUED", "b": "QUEUED"}
    queued = iot.describe_job_execution(jobId="later", thingName="a")["execution"]["queuedAt"]
    assert queued.timestamp() == epoch(start)  # queued at the start time, not when first seen
    pending = jobs_client.get_pending_job_executions(thingName="b")["queuedJobs"]
    assert [e["jobId"] for e in pending] == ["later"]


def test_a_snapshot_job_targets_the_group_s_members_at_its_start(iot, aws_cloud) -> None:
    iot.create_thing(thingName="early")
    iot.create_thing(thingName="late")
    iot.create_thing_group(thingGroupName="g")
    iot.add_thing_to_thing_group(thingGroupName="g", thingName="early")
    iot.create_job(
        jobId="snap",
        targets=[group_arn("g")],
        document=DOC,
        schedulingConfig={"startTime": at(aws_cloud, 40)},
    )
    aws_cloud.clock.advance(10 * MINUTE)
    iot.add_thing_to_thing_group(thingGroupName="g", thingName="late")
    aws_cloud.clock.advance(31 * MINUTE)
    assert statuses(iot, "snap") == {"early": "QUEUED", "late": "QUEUED"}


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"startTime": "+29"}, "thirty minutes"),
        ({"startTime": "+-60"}, "thirty minutes"),
        ({"startTime": "+" + str(366 * 24 * 60)}, "a year"),
        ({"startTime": "+40", "endTime": "+60"}, "thirty minutes"),
        ({"endTime": "+20"}, "thirty minutes"),
        ({"endTime": "+" + str(2 * 366 * 24 * 60)}, "two years"),
        ({"startTime": "tomorrow"}, "startTime"),
        ({"startTime": "2030-02-30T10:00"}, "startTime"),
        ({"startTime": "2030-01-01"}, "startTime"),
        ({"endTime": "+40", "endBehavior": "CANCEL", "maintenanceWindows": []}, None),
        # now + 30 minutes written to the minute (its seconds dropped) is thirty minutes ahead
        ({"startTime": "+30", "endTime": "+60"}, None),
    ],
)
def test_schedules_out_of_the_documented_bounds_are_refused(iot, aws_cloud, things, config, words) -> None:
    aws_cloud.clock.advance(61 - aws_cloud.clock.time() % 60)  # a second into a minute: no boundary
    config = {k: at(aws_cloud, float(v[1:])) if str(v).startswith("+") else v for k, v in config.items()}
    if words is None:  # in bounds: taken
        iot.create_job(jobId="ok", targets=things, document=DOC, schedulingConfig=config)
        status = "SCHEDULED" if "startTime" in config else "IN_PROGRESS"
        assert iot.describe_job(jobId="ok")["job"]["status"] == status
        return
    with pytest.raises(iot.exceptions.InvalidRequestException, match=words):
        iot.create_job(jobId="bad", targets=things, document=DOC, schedulingConfig=config)
    assert iot.list_jobs()["jobs"] == []


@pytest.mark.parametrize("behavior", ["CANCEL", "FORCE_CANCEL"])
def test_at_its_end_time_a_job_is_canceled(iot, aws_cloud, things, jobs_client, behavior: str) -> None:
    config = {"startTime": at(aws_cloud, 31), "endTime": at(aws_cloud, 70), "endBehavior": behavior}
    iot.create_job(jobId="window", targets=things, document=DOC, schedulingConfig=config)
    aws_cloud.clock.advance(32 * MINUTE)
    jobs_client.start_next_pending_job_execution(thingName="a")
    aws_cloud.clock.advance(30 * MINUTE)
    assert iot.describe_job(jobId="window")["job"]["status"] == "IN_PROGRESS"
    aws_cloud.clock.advance(10 * MINUTE)
    job = iot.describe_job(jobId="window")["job"]
    assert job["status"] == "CANCELED"
    assert job["forceCanceled"] is (behavior == "FORCE_CANCEL")
    assert job["lastUpdatedAt"].timestamp() == epoch(config["endTime"])
    running = "CANCELED" if behavior == "FORCE_CANCEL" else "IN_PROGRESS"
    assert statuses(iot, "window") == {"a": running, "b": "CANCELED"}


def test_stop_rollout_ends_a_continuous_job_s_reach_and_then_completes_it(
    iot, aws_cloud, jobs_client
) -> None:
    iot.create_thing(thingName="a")
    iot.create_thing(thingName="late")
    iot.create_thing_group(thingGroupName="g")
    iot.add_thing_to_thing_group(thingGroupName="g", thingName="a")
    config = {"endTime": at(aws_cloud, 40), "endBehavior": "STOP_ROLLOUT"}
    iot.create_job(
        jobId="cont",
        targets=[group_arn("g")],
        document=DOC,
        targetSelection="CONTINUOUS",
        schedulingConfig=config,
    )
    assert statuses(iot, "cont") == {"a": "QUEUED"}
    aws_cloud.clock.advance(41 * MINUTE)
    iot.add_thing_to_thing_group(thingGroupName="g", thingName="late")
    assert statuses(iot, "cont") == {"a": "QUEUED"}  # past its end: no new target is reached
    assert iot.describe_job(jobId="cont")["job"]["status"] == "IN_PROGRESS"
    started = jobs_client.start_next_pending_job_execution(thingName="a")["execution"]
    jobs_client.update_job_execution(
        jobId="cont", thingName="a", status="SUCCEEDED", expectedVersion=started["versionNumber"]
    )
    job = iot.describe_job(jobId="cont")["job"]
    assert job["status"] == "COMPLETED"  # past its end and every execution ended
    assert "completedAt" in job


def test_a_continuous_job_without_an_end_never_completes(iot, aws_cloud, jobs_client) -> None:
    iot.create_thing(thingName="a")
    iot.create_thing_group(thingGroupName="g")
    iot.add_thing_to_thing_group(thingGroupName="g", thingName="a")
    iot.create_job(jobId="cont", targets=[group_arn("g")], document=DOC, targetSelection="CONTINUOUS")
    started = jobs_client.start_next_pending_job_execution(thingName="a")["execution"]
    jobs_client.update_job_execution(
        jobId="cont", thingName="a", status="SUCCEEDED", expectedVersion=started["versionNumber"]
    )
    aws_cloud.clock.advance(24 * 60 * MINUTE)
    assert iot.describe_job(jobId="cont")["job"]["status"] == "IN_PROGRESS"


def test_a_scheduled_job_can_be_canceled_or_deleted_before_it_starts(iot, aws_cloud, things) -> None:
    for job_id in ("canceled", "deleted"):
        iot.create_job(
            jobId=job_id, targets=things, document=DOC, schedulingConfig={"startTime": at(aws_cloud, 31)}
        )
    iot.cancel_job(jobId="canceled", comment="not today")
    iot.delete_job(jobId="deleted")  # not IN_PROGRESS: no force needed
    aws_cloud.clock.advance(40 * MINUTE)
    job = iot.describe_job(jobId="canceled")["job"]
    assert (job["status"], job["comment"]) == ("CANCELED", "not today")
    assert iot.list_job_executions_for_job(jobId="canceled")["executionSummaries"] == []
    assert [j["jobId"] for j in iot.list_jobs()["jobs"]] == ["canceled"]


def test_a_start_and_an_end_passed_at_once_run_in_order(iot, aws_cloud, things) -> None:
    """A clock moved a day at once: the job starts (queuing its targets at the start time),
    then its end cancels what is still queued."""
    config = {"startTime": at(aws_cloud, 31), "endTime": at(aws_cloud, 90), "endBehavior": "CANCEL"}
    iot.create_job(jobId="both", targets=things, document=DOC, schedulingConfig=config)
    aws_cloud.clock.advance(24 * 60 * MINUTE)
    assert iot.describe_job(jobId="both")["job"]["status"] == "CANCELED"
    assert statuses(iot, "both") == {"a": "CANCELED", "b": "CANCELED"}


def test_a_scheduled_job_survives_a_snapshot_and_restore(iot, aws_cloud, things) -> None:
    iot.create_job(
        jobId="kept", targets=things, document=DOC, schedulingConfig={"startTime": at(aws_cloud, 31)}
    )
    snapshot = aws_cloud.snapshot()
    aws_cloud.reset()
    aws_cloud.restore(snapshot)
    assert iot.describe_job(jobId="kept")["job"]["status"] == "SCHEDULED"
    aws_cloud.clock.advance(32 * MINUTE)
    assert statuses(iot, "kept") == {"a": "QUEUED", "b": "QUEUED"}
