"""AssociateTargetsWithJob: thing groups added to an IN_PROGRESS CONTINUOUS job, their members
queued at once; the API reference's conditions and its 100 targets."""

from __future__ import annotations

import json

import pytest
from aws_helpers import conforms
from botocore.exceptions import ConnectionClosedError

from iotfake import FakeCloud

ACCOUNT = "arn:aws:iot:us-east-1:123456789012:"
DOC = json.dumps({"operation": "reboot"})


def _group(iot, name: str, *things: str) -> str:
    arn = iot.create_thing_group(thingGroupName=name)["thingGroupArn"]
    for thing in things:
        iot.create_thing(thingName=thing)
        iot.add_thing_to_thing_group(thingGroupName=name, thingName=thing)
    return arn


def _queued(iot, job_id: str) -> list[str]:
    summaries = iot.list_job_executions_for_job(jobId=job_id)["executionSummaries"]
    return sorted(s["thingArn"].rsplit("/", 1)[1] for s in summaries)


def test_associate_adds_groups_and_queues_their_members(iot) -> None:
    north = _group(iot, "north", "n1")
    south = _group(iot, "south", "s1", "s2")
    iot.create_job(jobId="j1", targets=[north], document=DOC, targetSelection="CONTINUOUS", description="fw")
    answer = conforms(
        "AssociateTargetsWithJob", iot.associate_targets_with_job(jobId="j1", targets=[south, north])
    )
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {
        "jobArn": ACCOUNT + "job/j1",
        "jobId": "j1",
        "description": "fw",
    }
    assert iot.describe_job(jobId="j1")["job"]["targets"] == [north, south]  # each once, in order
    assert _queued(iot, "j1") == ["n1", "s1", "s2"]
    assert [j["jobId"] for j in iot.list_jobs(thingGroupName="south")["jobs"]] == ["j1"]
    iot.create_thing(thingName="s3")  # a later member of an associated group is reached too
    iot.add_thing_to_thing_group(thingGroupName="south", thingName="s3")
    assert _queued(iot, "j1") == ["n1", "s1", "s2", "s3"]


def test_associate_needs_an_in_progress_continuous_job(aws_cloud: FakeCloud, iot) -> None:
    north = _group(iot, "north", "n1")
    iot.create_job(jobId="snap", targets=[north], document=DOC)
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.associate_targets_with_job(jobId="snap", targets=[north])
    assert caught.value.response["Error"]["Message"] == (
        "Job snap is a SNAPSHOT job: targets can be added to CONTINUOUS jobs only."
    )
    iot.create_job(jobId="cont", targets=[north], document=DOC, targetSelection="CONTINUOUS")
    iot.cancel_job(jobId="cont")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.associate_targets_with_job(jobId="cont", targets=[north])
    assert caught.value.response["Error"]["Message"] == (
        "Job cont is in status CANCELED: targets can be added to IN_PROGRESS jobs only."
    )
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.associate_targets_with_job(jobId="ghost", targets=[north])


def test_associate_refuses_things_missing_groups_other_namespaces_and_a_101st_target(iot) -> None:
    north = _group(iot, "north", "n1")
    iot.create_job(jobId="j1", targets=[north], document=DOC, targetSelection="CONTINUOUS")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.associate_targets_with_job(jobId="j1", targets=[ACCOUNT + "thing/n1"])
    assert caught.value.response["Error"]["Message"] == (
        f"{ACCOUNT}thing/n1 is not a thing group ARN of this account and region"
    )
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.associate_targets_with_job(jobId="j1", targets=[ACCOUNT + "thinggroup/ghost"])
    assert caught.value.response["Error"]["Message"] == "Thing group ghost cannot be found."
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.associate_targets_with_job(jobId="j1", targets=[north], namespaceId="fleet")
    assert caught.value.response["Error"]["Message"] == "Job j1 is not in namespace fleet."
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.associate_targets_with_job(jobId="j1", targets=[north], comment="tab\there")
    assert "at 'comment'" in caught.value.response["Error"]["Message"]
    groups = [_group(iot, f"g{i}") for i in range(100)]
    iot.associate_targets_with_job(jobId="j1", targets=groups[:99], comment="ninety-nine more")
    with pytest.raises(iot.exceptions.LimitExceededException) as caught:
        iot.associate_targets_with_job(jobId="j1", targets=groups[99:])
    assert (
        caught.value.response["Error"]["Message"]
        == "A job can have at most 100 targets; job j1 would have 101."
    )
    assert len(iot.describe_job(jobId="j1")["job"]["targets"]) == 100


def test_associate_is_journaled_faultable_and_kept_in_snapshots(aws_cloud: FakeCloud, iot) -> None:
    north = _group(iot, "north", "n1")
    south = _group(iot, "south", "s1")
    iot.create_job(jobId="j1", targets=[north], document=DOC, targetSelection="CONTINUOUS")
    aws_cloud.faults.add(
        provider="aws",
        operation="AssociateTargetsWithJob",
        match={"jobId": "j1"},
        lost_response=True,
        times=1,
    )
    with pytest.raises(ConnectionClosedError):  # over a socket, a lost response is a dropped connection
        iot.associate_targets_with_job(jobId="j1", targets=[south])
    call = aws_cloud.journal.calls(operation="AssociateTargetsWithJob")[-1]
    assert (call.outcome, call.params["jobId"], call.action) == ("fault", "j1", "lost_response")
    assert iot.describe_job(jobId="j1")["job"]["targets"] == [north, south]  # committed, then lost
    snapshot = aws_cloud.snapshot()
    aws_cloud.reset()
    aws_cloud.restore(snapshot)
    assert iot.describe_job(jobId="j1")["job"]["targets"] == [north, south]
    assert _queued(iot, "j1") == ["n1", "s1"]
