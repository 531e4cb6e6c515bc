"""Jobs, job executions and job templates through boto3: targets (things and groups, SNAPSHOT and
CONTINUOUS), the process counts, cancel/delete with and without force, executions per job and per
thing, templates, the catalog's rules when a thing or a job is deleted, and snapshots."""

from __future__ import annotations

import json

import pytest
from aws_helpers import conforms

ACCOUNT = "arn:aws:iot:us-east-1:123456789012:"
DOC = json.dumps({"operation": "reboot"})


def thing_arn(name: str) -> str:
    return f"{ACCOUNT}thing/{name}"


def group_arn(name: str) -> str:
    return f"{ACCOUNT}thinggroup/{name}"


def make_things(iot, *names: str) -> None:
    for name in names:
        iot.create_thing(thingName=name)


def test_create_describe_and_document(iot) -> None:
    make_things(iot, "t1", "t2")
    made = conforms(
        "CreateJob",
        iot.create_job(
            jobId="j1",
            targets=[thing_arn("t1"), thing_arn("t2")],
            document=DOC,
            description="reboot all",
            timeoutConfig={"inProgressTimeoutInMinutes": 5},
            jobExecutionsRolloutConfig={"maximumPerMinute": 10},
            abortConfig={
                "criteriaList": [
                    {
                        "failureType": "FAILED",
                        "action": "CANCEL",
                        "thresholdPercentage": 50,
                        "minNumberOfExecutedThings": 1,
                    }
                ]
            },
        ),
    )
    assert made == {**made, "jobArn": ACCOUNT + "job/j1", "jobId": "j1", "description": "reboot all"}
    job = conforms("DescribeJob", iot.describe_job(jobId="j1"))["job"]
    assert job["status"] == "IN_PROGRESS"
    assert job["targetSelection"] == "SNAPSHOT"
    assert job["targets"] == [thing_arn("t1"), thing_arn("t2")]
    assert job["timeoutConfig"] == {"inProgressTimeoutInMinutes": 5}
    assert job["jobExecutionsRolloutConfig"] == {"maximumPerMinute": 10}
    assert job["abortConfig"]["criteriaList"][0]["thresholdPercentage"] == 50
    assert job["jobProcessDetails"]["numberOfQueuedThings"] == 2
    assert sorted(job["jobProcessDetails"]["processingTargets"]) == [thing_arn("t1"), thing_arn("t2")]
    assert iot.get_job_document(jobId="j1")["document"] == DOC


def test_create_refuses_duplicates_missing_targets_and_bad_documents(iot) -> None:
    make_things(iot, "t1")
    iot.create_job(jobId="j1", targets=[thing_arn("t1")], document=DOC)
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.create_job(jobId="j1", targets=[thing_arn("t1")], document=DOC)
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Thing nope"):
        iot.create_job(jobId="j2", targets=[thing_arn("nope")], document=DOC)
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Thing group g"):
        iot.create_job(jobId="j2", targets=[group_arn("g")], document=DOC)
    with pytest.raises(iot.exceptions.InvalidRequestException, match="document"):
        iot.create_job(jobId="j2", targets=[thing_arn("t1")])
    with pytest.raises(iot.exceptions.InvalidRequestException, match="JSON"):
        iot.create_job(jobId="j2", targets=[thing_arn("t1")], document="{not json")
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Job j2"):
        iot.describe_job(jobId="j2")
    assert [j["jobId"] for j in iot.list_jobs()["jobs"]] == ["j1"]


def test_group_targets_reach_members_and_descendants(iot) -> None:
    make_things(iot, "a", "b", "c")
    iot.create_thing_group(thingGroupName="top")
    iot.create_thing_group(thingGroupName="child", parentGroupName="top")
    iot.add_thing_to_thing_group(thingGroupName="top", thingName="a")
    iot.add_thing_to_thing_group(thingGroupName="child", thingName="b")
    iot.create_job(jobId="j", targets=[group_arn("top"), thing_arn("a")], document=DOC)
    listed = conforms("ListJobExecutionsForJob", iot.list_job_executions_for_job(jobId="j"))
    assert [s["thingArn"] for s in listed["executionSummaries"]] == [thing_arn("a"), thing_arn("b")]
    assert {s["jobExecutionSummary"]["executionNumber"] for s in listed["executionSummaries"]} == {1, 2}


def test_snapshot_ignores_later_members_continuous_adds_them(iot, aws_cloud) -> None:
    make_things(iot, "a", "late")
    iot.create_thing_group(thingGroupName="g")
    iot.add_thing_to_thing_group(thingGroupName="g", thingName="a")
    iot.create_job(jobId="snap", targets=[group_arn("g")], document=DOC)
    iot.create_job(jobId="cont", targets=[group_arn("g")], document=DOC, targetSelection="CONTINUOUS")
    aws_cloud.clock.advance(60)
    iot.add_thing_to_thing_group(thingGroupName="g", thingName="late")
    assert [
        e["jobId"] for e in iot.list_job_executions_for_thing(thingName="late")["executionSummaries"]
    ] == ["cont"]
    execution = conforms("DescribeJobExecution", iot.describe_job_execution(jobId="cont", thingName="late"))[
        "execution"
    ]
    assert execution["status"] == "QUEUED"
    assert execution["executionNumber"] == 2
    first = iot.describe_job_execution(jobId="cont", thingName="a")["execution"]
    assert 60 <= (execution["queuedAt"] - first["queuedAt"]).total_seconds() < 61
    assert iot.describe_job(jobId="snap")["job"]["jobProcessDetails"]["numberOfQueuedThings"] == 1
    assert iot.describe_job(jobId="cont")["job"]["jobProcessDetails"]["numberOfQueuedThings"] == 2
    assert [j["jobId"] for j in iot.list_jobs(targetSelection="CONTINUOUS")["jobs"]] == ["cont"]


def test_list_jobs_filters_and_pages(iot) -> None:
    make_things(iot, "t")
    iot.create_thing_group(thingGroupName="g")
    for n in range(5):
        iot.create_job(jobId=f"j{n}", targets=[thing_arn("t")], document=DOC)
    iot.create_job(jobId="jg", targets=[group_arn("g")], document=DOC)
    iot.cancel_job(jobId="j0")
    pages = iot.get_paginator("list_jobs").paginate(PaginationConfig={"PageSize": 2})
    seen = [j["jobId"] for page in pages for j in conforms("ListJobs", page)["jobs"]]
    assert seen == ["j0", "j1", "j2", "j3", "j4", "jg"]
    assert [j["jobId"] for j in iot.list_jobs(status="CANCELED")["jobs"]] == ["j0"]
    by_group = iot.list_jobs(thingGroupName="g")["jobs"]
    assert [j["jobId"] for j in by_group] == ["jg"]
    assert by_group[0]["thingGroupId"] == iot.describe_thing_group(thingGroupName="g")["thingGroupId"]


def test_update_job_changes_the_stored_configuration(iot) -> None:
    make_things(iot, "t")
    iot.create_job(jobId="j", targets=[thing_arn("t")], document=DOC, description="old")
    iot.update_job(jobId="j", description="new", timeoutConfig={"inProgressTimeoutInMinutes": 9})
    job = iot.describe_job(jobId="j")["job"]
    assert (job["description"], job["timeoutConfig"]) == ("new", {"inProgressTimeoutInMinutes": 9})
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.update_job(jobId="nope", description="x")


def test_cancel_job_cancels_queued_executions_and_records_why(iot) -> None:
    make_things(iot, "t1", "t2")
    iot.create_job(jobId="j", targets=[thing_arn("t1"), thing_arn("t2")], document=DOC)
    out = conforms("CancelJob", iot.cancel_job(jobId="j", comment="bad build", reasonCode="BUILD_1"))
    assert out["jobId"] == "j"
    job = iot.describe_job(jobId="j")["job"]
    assert (job["status"], job["comment"], job["reasonCode"], job["forceCanceled"]) == (
        "CANCELED",
        "bad build",
        "BUILD_1",
        False,
    )
    assert job["jobProcessDetails"]["numberOfCanceledThings"] == 2
    statuses = {
        s["jobExecutionSummary"]["status"]
        for s in iot.list_job_executions_for_job(jobId="j")["executionSummaries"]
    }
    assert statuses == {"CANCELED"}
    assert iot.list_job_executions_for_job(jobId="j", status="QUEUED")["executionSummaries"] == []


def test_delete_job_needs_force_while_in_progress(iot) -> None:
    make_things(iot, "t")
    iot.create_job(jobId="j", targets=[thing_arn("t")], document=DOC)
    with pytest.raises(iot.exceptions.InvalidStateTransitionException, match="force"):
        iot.delete_job(jobId="j")
    assert iot.describe_job(jobId="j")["job"]["status"] == "IN_PROGRESS"
    iot.delete_job(jobId="j", force=True)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_job(jobId="j")
    assert iot.list_job_executions_for_thing(thingName="t")["executionSummaries"] == []
    iot.create_job(jobId="k", targets=[thing_arn("t")], document=DOC)
    iot.cancel_job(jobId="k")
    iot.delete_job(jobId="k")  # canceled: no force needed
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.delete_job(jobId="k")


def test_executions_for_thing_filter_and_page(iot) -> None:
    make_things(iot, "t")
    for n in range(3):
        iot.create_job(jobId=f"j{n}", targets=[thing_arn("t")], document=DOC)
    iot.cancel_job_execution(jobId="j1", thingName="t")
    pages = iot.get_paginator("list_job_executions_for_thing").paginate(
        thingName="t", PaginationConfig={"PageSize": 2}
    )
    seen = [
        s["jobId"]
        for page in pages
        for s in conforms("ListJobExecutionsForThing", page)["executionSummaries"]
    ]
    assert seen == ["j0", "j1", "j2"]
    canceled = iot.list_job_executions_for_thing(thingName="t", status="CANCELED")["executionSummaries"]
    assert [s["jobId"] for s in canceled] == ["j1"]
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.list_job_executions_for_thing(thingName="nope")


def test_cancel_execution_checks_version_and_state(iot) -> None:
    make_things(iot, "t")
    iot.create_job(jobId="j", targets=[thing_arn("t")], document=DOC)
    with pytest.raises(iot.exceptions.VersionConflictException):
        iot.cancel_job_execution(jobId="j", thingName="t", expectedVersion=5)
    iot.cancel_job_execution(jobId="j", thingName="t", expectedVersion=1, statusDetails={"why": "ops"})
    execution = iot.describe_job_execution(jobId="j", thingName="t")["execution"]
    assert (execution["status"], execution["versionNumber"]) == ("CANCELED", 2)
    assert execution["statusDetails"] == {"detailsMap": {"why": "ops"}}
    with pytest.raises(iot.exceptions.InvalidStateTransitionException):
        iot.cancel_job_execution(jobId="j", thingName="t")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.cancel_job_execution(jobId="j", thingName="other")
    # the only execution ended: a SNAPSHOT job completes
    job = iot.describe_job(jobId="j")["job"]
    assert job["status"] == "COMPLETED" and "completedAt" in job


def test_describe_and_delete_execution_by_number(iot) -> None:
    make_things(iot, "t")
    iot.create_job(jobId="j", targets=[thing_arn("t")], document=DOC)
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="execution number 9"):
        iot.describe_job_execution(jobId="j", thingName="t", executionNumber=9)
    assert (
        iot.describe_job_execution(jobId="j", thingName="t", executionNumber=1)["execution"]["jobId"] == "j"
    )
    with pytest.raises(iot.exceptions.InvalidStateTransitionException, match="QUEUED"):
        iot.delete_job_execution(jobId="j", thingName="t", executionNumber=1)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.delete_job_execution(jobId="j", thingName="t", executionNumber=2, force=True)
    iot.delete_job_execution(jobId="j", thingName="t", executionNumber=1, force=True)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_job_execution(jobId="j", thingName="t")


def test_deleting_a_thing_drops_its_executions(iot) -> None:
    make_things(iot, "t1", "t2")
    iot.create_job(jobId="j", targets=[thing_arn("t1"), thing_arn("t2")], document=DOC)
    iot.delete_thing(thingName="t1")
    listed = iot.list_job_executions_for_job(jobId="j")["executionSummaries"]
    assert [s["thingArn"] for s in listed] == [thing_arn("t2")]


def test_templates_from_a_document_and_from_a_job(iot) -> None:
    make_things(iot, "t")
    made = conforms(
        "CreateJobTemplate",
        iot.create_job_template(
            jobTemplateId="tpl",
            document=DOC,
            description="d",
            timeoutConfig={"inProgressTimeoutInMinutes": 3},
        ),
    )
    assert made["jobTemplateArn"] == ACCOUNT + "jobtemplate/tpl"
    with pytest.raises(iot.exceptions.ConflictException):
        iot.create_job_template(jobTemplateId="tpl", document=DOC, description="d")
    described = conforms("DescribeJobTemplate", iot.describe_job_template(jobTemplateId="tpl"))
    assert (described["document"], described["description"]) == (DOC, "d")
    iot.create_job(jobId="j", targets=[thing_arn("t")], jobTemplateArn=made["jobTemplateArn"])
    job = iot.describe_job(jobId="j")["job"]
    assert job["jobTemplateArn"] == made["jobTemplateArn"]
    assert job["timeoutConfig"] == {"inProgressTimeoutInMinutes": 3}
    assert iot.get_job_document(jobId="j")["document"] == DOC
    iot.create_job_template(jobTemplateId="from-job", jobArn=ACCOUNT + "job/j", description="copy")
    copy = iot.describe_job_template(jobTemplateId="from-job")
    assert (copy["document"], copy["description"], copy["timeoutConfig"]) == (
        DOC,
        "copy",
        {"inProgressTimeoutInMinutes": 3},
    )
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.create_job_template(jobTemplateId="x", jobArn=ACCOUNT + "job/nope", description="x")
    pages = iot.get_paginator("list_job_templates").paginate(PaginationConfig={"PageSize": 1})
    assert [t["jobTemplateId"] for p in pages for t in conforms("ListJobTemplates", p)["jobTemplates"]] == [
        "from-job",
        "tpl",
    ]
    iot.delete_job_template(jobTemplateId="tpl")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_job_template(jobTemplateId="tpl")
    assert iot.describe_job(jobId="j")["job"]["status"] == "IN_PROGRESS"


def test_snapshot_round_trips_jobs(iot, aws_cloud) -> None:
    make_things(iot, "t")
    iot.create_job(jobId="j", targets=[thing_arn("t")], document=DOC, targetSelection="CONTINUOUS")
    iot.create_job_template(jobTemplateId="tpl", document=DOC, description="d")
    saved = aws_cloud.snapshot()
    before = iot.describe_job_execution(jobId="j", thingName="t")["execution"]
    iot.delete_job(jobId="j", force=True)
    iot.delete_job_template(jobTemplateId="tpl")
    aws_cloud.restore(saved)
    assert iot.describe_job_execution(jobId="j", thingName="t")["execution"] == before
    assert iot.describe_job_template(jobTemplateId="tpl")["description"] == "d"


def test_fixtures_load_job_templates_through_create() -> None:
    from iotfake import FakeCloud

    cloud = FakeCloud(seed=3)
    cloud.seed(
        {
            "aws": {
                "accounts": [
                    {
                        "accountId": "123456789012",
                        "jobTemplates": [{"jobTemplateId": "tpl", "document": DOC, "description": "d"}],
                    }
                ]
            }
        }
    )
    copy = FakeCloud.from_snapshot(cloud.snapshot())
    for each in (cloud, copy):
        tenant = each.registry.tenant("aws", "123456789012/us-east-1")
        record = tenant.table("jobTemplates")["tpl"]
        assert (record["document"], record["config"]["description"]) == (DOC, "d")


def test_fixtures_refuse_a_template_without_a_document() -> None:
    from iotfake import FakeCloud
    from iotfake.documents import DocumentError

    cloud = FakeCloud(seed=3)
    bad = {
        "aws": {
            "accounts": [
                {"accountId": "123456789012", "jobTemplates": [{"jobTemplateId": "tpl", "description": "d"}]}
            ]
        }
    }
    with pytest.raises(DocumentError, match="document"):
        cloud.seed(bad)


def test_list_jobs_by_thing_group_id(iot) -> None:
    """Found by the AWS fuzzer: the thingGroupId filter read the group table wrongly (a 500)."""
    group = iot.create_thing_group(thingGroupName="fleet")
    assert iot.list_jobs(thingGroupId=group["thingGroupId"])["jobs"] == []
    assert iot.list_jobs(thingGroupId="no-such-id")["jobs"] == []


def test_a_rollout_s_numbers_keep_the_model_s_bounds(iot) -> None:
    """botocore sends a maximum unchecked: a 150% abort threshold and a rate factor of 6 were kept."""
    make_things(iot, "t1")
    criteria = {"failureType": "ALL", "action": "CANCEL", "thresholdPercentage": 150}
    abort = {"criteriaList": [{**criteria, "minNumberOfExecutedThings": 1}]}
    with pytest.raises(iot.exceptions.InvalidRequestException, match="less than or equal to 100"):
        iot.create_job(jobId="j", targets=[thing_arn("t1")], document="{}", abortConfig=abort)
    exponential = {"baseRatePerMinute": 1, "incrementFactor": 6}
    exponential["rateIncreaseCriteria"] = {"numberOfNotifiedThings": 1}
    rate = {"maximumPerMinute": 10, "exponentialRate": exponential}
    with pytest.raises(iot.exceptions.InvalidRequestException, match="less than or equal to 5"):
        iot.create_job(jobId="j", targets=[thing_arn("t1")], document="{}", jobExecutionsRolloutConfig=rate)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_job(jobId="j")  # neither was kept


def test_listings_filter_by_namespace(iot) -> None:
    """ListJobs and ListJobExecutionsForThing take ``namespaceId``; it was ignored, and every job
    was listed whatever namespace was asked for."""
    arn = iot.create_thing(thingName="ns-thing")["thingArn"]
    iot.create_job(jobId="in-ns", targets=[arn], document="{}", namespaceId="ns1")
    iot.create_job(jobId="plain", targets=[arn], document="{}")
    assert [j["jobId"] for j in iot.list_jobs(namespaceId="ns1")["jobs"]] == ["in-ns"]
    assert iot.list_jobs(namespaceId="other")["jobs"] == []
    assert sorted(j["jobId"] for j in iot.list_jobs()["jobs"]) == ["in-ns", "plain"]
    listed = iot.list_job_executions_for_thing(thingName="ns-thing", namespaceId="ns1")["executionSummaries"]
    assert [s["jobId"] for s in listed] == ["in-ns"]


def test_a_thing_that_leaves_a_continuous_job_s_group_is_removed_and_back_is_queued(iot) -> None:
    """numberOfRemovedThings: "no longer scheduled to execute the job because they have been
    deleted or have been removed from the group that was a target of the job". The queued
    execution stayed QUEUED and processing; back in the group, a thing is queued again."""
    group = iot.create_thing_group(thingGroupName="fleet")["thingGroupArn"]
    for name in ("a", "b"):
        iot.create_thing(thingName=name)
        iot.add_thing_to_thing_group(thingGroupName="fleet", thingName=name)
    iot.create_job(jobId="cj", targets=[group], document="{}", targetSelection="CONTINUOUS")
    first = iot.describe_job_execution(jobId="cj", thingName="a")["execution"]["executionNumber"]
    iot.remove_thing_from_thing_group(thingGroupName="fleet", thingName="a")
    details = iot.describe_job(jobId="cj")["job"]["jobProcessDetails"]
    assert (details["numberOfRemovedThings"], details["numberOfQueuedThings"]) == (1, 1)
    assert [t.rsplit("/", 1)[1] for t in details["processingTargets"]] == ["b"]
    assert iot.describe_job_execution(jobId="cj", thingName="a")["execution"]["status"] == "REMOVED"
    iot.add_thing_to_thing_group(thingGroupName="fleet", thingName="a")
    again = iot.describe_job_execution(jobId="cj", thingName="a")["execution"]
    assert again["status"] == "QUEUED" and again["executionNumber"] > first
