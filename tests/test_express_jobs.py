"""The device side's jobs calls (``iot-jobs-data``) and the routes it shares with the registry
(``GET /things/{thingName}/jobs`` is ListJobExecutionsForThing signed for ``iot`` and
GetPendingJobExecutions signed for ``iot-jobs-data``) answer on the express lane exactly as on
the general path: the same bytes, journal and state, well formed or not, in every auth mode."""

from __future__ import annotations

from typing import Any

import pytest
from aws_helpers import in_process
from botocore.exceptions import ClientError
from test_compiled_operations import compiled_calls
from test_express_lane import both, raw

from iotfake import FakeCloud
from iotfake.providers.aws_iot import routes
from iotfake.providers.aws_iot.compiled import operation

JOBS_SIGNED = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261205/us-east-1/iot-jobs-data/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0123abcd"
)


def clients(cloud: FakeCloud) -> tuple[Any, Any]:
    return in_process(cloud, "iot"), in_process(cloud, "iot-jobs-data")


def jobs_calls(cloud: FakeCloud) -> list[Any]:
    iot, jobs = clients(cloud)
    out: list[Any] = []

    def call(on: Any, name: str, **kwargs: Any) -> None:
        try:
            answer = getattr(on, name)(**kwargs)
            answer.pop("ResponseMetadata")
            out.append((name, answer))
        except ClientError as exc:
            out.append((name, exc.response["Error"], exc.response["ResponseMetadata"]["HTTPStatusCode"]))

    call(iot, "create_thing", thingName="d1")
    arn = "arn:aws:iot:us-east-1:123456789012:thing/d1"
    call(iot, "create_job", jobId="j1", targets=[arn], document='{"op": 1}')
    call(iot, "create_job", jobId="j2", targets=[arn], document='{"op": 2}')
    call(jobs, "get_pending_job_executions", thingName="d1")
    call(jobs, "get_pending_job_executions", thingName="nobody")
    call(iot, "list_job_executions_for_thing", thingName="d1")
    call(iot, "list_job_executions_for_thing", thingName="d1", status="QUEUED", maxResults=1)
    call(jobs, "start_next_pending_job_execution", thingName="d1", statusDetails={"step": "1"})
    call(jobs, "describe_job_execution", thingName="d1", jobId="j1", includeJobDocument=True)
    call(jobs, "describe_job_execution", thingName="d1", jobId="$next")
    call(jobs, "describe_job_execution", thingName="d1", jobId="missing")
    call(iot, "describe_job_execution", thingName="d1", jobId="j1")
    call(iot, "describe_job_execution", thingName="d1", jobId="j1", executionNumber=99)
    update = {"jobId": "j1", "thingName": "d1"}
    call(jobs, "update_job_execution", **update, status="IN_PROGRESS", statusDetails={"s": "2"})
    call(jobs, "update_job_execution", **update, status="IN_PROGRESS", expectedVersion=1)
    call(jobs, "update_job_execution", **update, status="SUCCEEDED", includeJobExecutionState=True)
    call(jobs, "update_job_execution", **update, status="FAILED")  # terminal already
    call(jobs, "update_job_execution", jobId="j2", thingName="d1", status="NOT_A_STATUS")
    call(jobs, "update_job_execution", jobId="j9", thingName="d1", status="IN_PROGRESS")
    signed = [("Host", "iotfake"), ("X-Amz-Date", "20261205T000000Z"), ("Authorization", JOBS_SIGNED)]
    body = b'{"status": "IN_PROGRESS", "statusDetails": {"k": 5}}'  # boto3 would refuse to send it
    out.append(raw(cloud, "POST", "/things/d1/jobs/j2", body, headers=signed))
    call(iot, "describe_job", jobId="j1")
    return out


@pytest.mark.parametrize("auth", ["off", "lenient", "strict"])
def test_jobs_calls_answer_the_same_on_both_paths(auth: str) -> None:
    answers, taken = both(jobs_calls, auth=auth)
    assert len(answers) == 21
    if auth != "strict":
        assert answers[3][1]["queuedJobs"] and answers[4][0] == "get_pending_job_executions"
        assert taken >= 18
        with compiled_calls() as seen:  # and most by their compiled operations, the device side's too
            jobs_calls(FakeCloud(seed=7, auth=auth))
        assert seen.count(True) >= 16


def test_jobs_data_operations_compile() -> None:
    for name in ("jobsdata:UpdateJobExecution", "jobsdata:StartNextPendingJobExecution"):
        route = next(r for r, names in routes().items() if names == [name])
        found = operation(route)
        assert found is not None and found.key == name


def shared_route_calls(cloud: FakeCloud) -> list[Any]:
    iot, _ = clients(cloud)
    arn = iot.create_thing(thingName="d1")["thingArn"]
    iot.create_job(jobId="j1", targets=[arn], document="{}")
    jobs_headers = [("Host", "iotfake"), ("X-Amz-Date", "20261205T000000Z"), ("Authorization", JOBS_SIGNED)]
    return [
        raw(cloud, "GET", "/things/d1/jobs"),  # signed for iot: ListJobExecutionsForThing
        raw(cloud, "GET", "/things/d1/jobs", headers=jobs_headers),  # GetPendingJobExecutions
        raw(cloud, "GET", "/things/d1/jobs", headers=[("Host", "iotfake")]),  # unsigned
        raw(cloud, "GET", "/things/d1/jobs/j1", headers=jobs_headers),
        raw(cloud, "GET", "/things/d1/jobs/j1?executionNumber=x"),  # bad input: handed back
    ]


def test_a_shared_route_takes_the_operation_of_the_signing_service() -> None:
    (listed, pending, unsigned, described, bad), _ = both(shared_route_calls)
    assert b'"executionSummaries"' in listed[2] and b'"queuedJobs"' in pending[2]
    assert unsigned[0] == 403 and b'"execution"' in described[2] and bad[0] == 400
    cloud = FakeCloud(seed=7)
    with compiled_calls() as seen:
        shared_route_calls(cloud)
    assert seen[-5:] == [True, True, False, True, False]
    assert [e.operation for e in cloud.journal.calls()][-5:] == [
        "ListJobExecutionsForThing",
        "GetPendingJobExecutions",
        "ListJobExecutionsForThing",
        "DescribeJobExecution",
        "DescribeJobExecution",
    ]
