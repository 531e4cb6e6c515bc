"""The device side of jobs through boto3's ``iot-jobs-data`` client, on the same server as ``iot``
(the SigV4 signing name picks the service where paths are shared): pending executions, starting
the next, version checks, status details, terminal states, timeouts on the fake clock, and the
journal naming the operation plainly with ``service=iot-jobs-data``."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "arn:aws:iot:us-east-1:123456789012:"
DOC = json.dumps({"operation": "update", "version": "2"})


@pytest.fixture
def device(iot, jobs_client):
    iot.create_thing(thingName="dev")
    return jobs_client


def job(iot, job_id: str, **extra) -> None:
    iot.create_job(jobId=job_id, targets=[f"{ACCOUNT}thing/dev"], document=DOC, **extra)


def test_a_device_runs_its_jobs_to_success(iot, device) -> None:
    job(iot, "j1")
    job(iot, "j2")
    pending = device.get_pending_job_executions(thingName="dev")
    assert [e["jobId"] for e in pending["queuedJobs"]] == ["j1", "j2"]
    assert pending["inProgressJobs"] == []
    started = device.start_next_pending_job_execution(thingName="dev", statusDetails={"step": "download"})
    execution = started["execution"]
    assert (execution["jobId"], execution["status"], execution["versionNumber"]) == ("j1", "IN_PROGRESS", 2)
    assert execution["jobDocument"] == DOC
    assert execution["statusDetails"] == {"step": "download"}
    # asking again answers the one in progress, unchanged
    again = device.start_next_pending_job_execution(thingName="dev")["execution"]
    assert (again["jobId"], again["versionNumber"]) == ("j1", 2)
    done = device.update_job_execution(
        jobId="j1", thingName="dev", status="SUCCEEDED", expectedVersion=2,
        statusDetails={"step": "done"}, includeJobExecutionState=True, includeJobDocument=True,
    )  # fmt: skip
    assert done["executionState"] == {
        "status": "SUCCEEDED",
        "statusDetails": {"step": "done"},
        "versionNumber": 3,
    }
    assert done["jobDocument"] == DOC
    seen = iot.describe_job_execution(jobId="j1", thingName="dev")["execution"]
    assert (seen["status"], seen["statusDetails"]) == ("SUCCEEDED", {"detailsMap": {"step": "done"}})
    assert iot.describe_job(jobId="j1")["job"]["status"] == "COMPLETED"
    assert device.describe_job_execution(jobId="$next", thingName="dev")["execution"]["jobId"] == "j2"


def test_version_and_state_checks(iot, device) -> None:
    job(iot, "j")
    with pytest.raises(device.exceptions.InvalidStateTransitionException, match="VersionMismatch") as raised:
        device.update_job_execution(jobId="j", thingName="dev", status="IN_PROGRESS", expectedVersion=9)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    device.update_job_execution(jobId="j", thingName="dev", status="FAILED")
    with pytest.raises(device.exceptions.InvalidStateTransitionException, match="FAILED"):
        device.update_job_execution(jobId="j", thingName="dev", status="IN_PROGRESS")
    with pytest.raises(device.exceptions.ResourceNotFoundException):
        device.describe_job_execution(jobId="nope", thingName="dev")
    assert iot.describe_job(jobId="j")["job"]["jobProcessDetails"]["numberOfFailedThings"] == 1
    assert device.start_next_pending_job_execution(thingName="dev").get("execution") is None


@pytest.mark.parametrize("to", ["REMOVED", "CANCELED", "TIMED_OUT", "QUEUED"])
def test_a_device_sets_only_the_statuses_it_owns(iot, device, to: str) -> None:
    """UpdateJobExecution's status: "IN_PROGRESS, FAILED, SUCCESS, or REJECTED"; REMOVED was
    taken from a device, counted, and completed the job."""
    job(iot, "j")
    with pytest.raises(device.exceptions.InvalidStateTransitionException) as raised:
        device.update_job_execution(jobId="j", thingName="dev", status=to)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert iot.describe_job_execution(jobId="j", thingName="dev")["execution"]["status"] == "QUEUED"


def test_a_status_detail_is_at_most_1024_characters(iot, device) -> None:
    """The documentation's bound (the model's DetailsValue has none): refused, nothing changed."""
    job(iot, "j")
    long = {"step": "x" * 1025}
    for call in (
        lambda: device.update_job_execution(
            jobId="j", thingName="dev", status="IN_PROGRESS", statusDetails=long
        ),
        lambda: device.start_next_pending_job_execution(thingName="dev", statusDetails=long),
        lambda: iot.cancel_job_execution(jobId="j", thingName="dev", statusDetails=long),
    ):
        with pytest.raises(ClientError, match="at most 1024") as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
    assert iot.describe_job_execution(jobId="j", thingName="dev")["execution"]["status"] == "QUEUED"
    device.update_job_execution(
        jobId="j", thingName="dev", status="IN_PROGRESS", statusDetails={"step": "x" * 1024}
    )


def test_in_progress_times_out_on_the_fake_clock(iot, device, aws_cloud) -> None:
    job(iot, "j", timeoutConfig={"inProgressTimeoutInMinutes": 10})
    started = device.start_next_pending_job_execution(thingName="dev")["execution"]
    assert 599 <= started["approximateSecondsBeforeTimedOut"] <= 600
    aws_cloud.clock.advance(9 * 60)
    assert iot.describe_job_execution(jobId="j", thingName="dev")["execution"]["status"] == "IN_PROGRESS"
    aws_cloud.clock.advance(61)
    assert iot.describe_job_execution(jobId="j", thingName="dev")["execution"]["status"] == "TIMED_OUT"
    job_view = iot.describe_job(jobId="j")["job"]
    assert job_view["jobProcessDetails"]["numberOfTimedOutThings"] == 1
    assert job_view["status"] == "COMPLETED"


def test_a_step_timeout_replaces_the_jobs(iot, device, aws_cloud) -> None:
    job(iot, "j", timeoutConfig={"inProgressTimeoutInMinutes": 60})
    device.start_next_pending_job_execution(thingName="dev", stepTimeoutInMinutes=2)
    aws_cloud.clock.advance(121)
    assert device.get_pending_job_executions(thingName="dev")["inProgressJobs"] == []
    assert iot.describe_job_execution(jobId="j", thingName="dev")["execution"]["status"] == "TIMED_OUT"


def test_a_longer_step_timeout_does_not_extend_the_jobs(iot, device, aws_cloud) -> None:
    """stepTimeoutInMinutes: "setting or resetting this timeout has no effect on that job
    execution timeout which may have been specified when the job was created"; a step of 60
    minutes ran a job of 5 for an hour."""
    job(iot, "j", timeoutConfig={"inProgressTimeoutInMinutes": 5})
    started = device.start_next_pending_job_execution(thingName="dev", stepTimeoutInMinutes=60)["execution"]
    assert 299 <= started["approximateSecondsBeforeTimedOut"] <= 300
    aws_cloud.clock.advance(4 * 60)
    device.update_job_execution(jobId="j", thingName="dev", status="IN_PROGRESS", stepTimeoutInMinutes=30)
    aws_cloud.clock.advance(61)
    execution = iot.describe_job_execution(jobId="j", thingName="dev")["execution"]
    assert execution["status"] == "TIMED_OUT"


def test_force_cancel_reaches_in_progress_executions(iot, device) -> None:
    job(iot, "j")
    device.start_next_pending_job_execution(thingName="dev")
    with pytest.raises(iot.exceptions.InvalidStateTransitionException):
        iot.cancel_job_execution(jobId="j", thingName="dev")
    iot.cancel_job(jobId="j")
    assert iot.describe_job_execution(jobId="j", thingName="dev")["execution"]["status"] == "IN_PROGRESS"
    iot.cancel_job(jobId="j", force=True)
    execution = iot.describe_job_execution(jobId="j", thingName="dev")["execution"]
    assert (execution["status"], execution["forceCanceled"]) == ("CANCELED", True)
    assert iot.describe_job(jobId="j")["job"]["forceCanceled"] is True


def test_the_journal_names_the_operation_plainly_with_its_service(iot, device, aws_cloud) -> None:
    job(iot, "j")
    device.describe_job_execution(jobId="j", thingName="dev")
    iot.describe_job_execution(jobId="j", thingName="dev")
    entries = [
        (e.operation, e.params.get("service"))
        for e in aws_cloud.journal.calls(operation="DescribeJobExecution")
    ]
    assert entries == [("DescribeJobExecution", "iot-jobs-data"), ("DescribeJobExecution", None)]


def test_a_fault_rule_can_pick_the_device_side(iot, device, aws_cloud) -> None:
    job(iot, "j")
    aws_cloud.faults.add(
        provider="aws",
        operation="DescribeJobExecution",
        match={"service": "iot-jobs-data"},
        error="ThrottlingException",
    )
    with pytest.raises(device.exceptions.ThrottlingException) as raised:
        device.describe_job_execution(jobId="j", thingName="dev")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert iot.describe_job_execution(jobId="j", thingName="dev")["execution"]["jobId"] == "j"
