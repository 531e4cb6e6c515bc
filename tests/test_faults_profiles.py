"""Throttle profiles: data files of rules; aws-defaults carries AWS IoT's documented TPS quotas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_helpers import in_process
from botocore.exceptions import ClientError
from enos_calls import create, make_product
from freezegun import freeze_time
from werkzeug.test import Client

from iotfake import DocumentError, FakeCloud
from iotfake.faults import profile_loader as profiles

#: aws_iot.md, "Throttling and retries"; RegisterThing 10 is also in the developer guide's table below
AWS_TPS = {
    "DescribeThing": 350,
    "CreateThing": 100,
    "UpdateThing": 100,
    "DeleteThing": 100,
    "AttachThingPrincipal": 100,
    "DescribeThingType": 100,
    "CreateThingType": 15,
    "ListThings": 10,
    "ListThingTypes": 10,
    "ListThingPrincipals": 10,
    "RegisterThing": 10,
    # rules, role aliases, tagging (values as remembered from the quotas page, see the profile's source)
    "CreateTopicRule": 5,
    "ReplaceTopicRule": 5,
    "EnableTopicRule": 5,
    "DisableTopicRule": 5,
    "DeleteTopicRule": 20,
    "GetTopicRule": 200,
    "ListTopicRules": 1,
    "CreateRoleAlias": 10,
    "DescribeRoleAlias": 100,
    "ListRoleAliases": 10,
    "UpdateRoleAlias": 10,
    "DeleteRoleAlias": 10,
    "TagResource": 10,
    "UntagResource": 10,
    "ListTagsForResource": 10,
    # thing groups, dynamic thing groups, billing groups, thing types, principals (Service Quotas,
    # service code iotcore: "<Operation> API TPS")
    "CreateThingGroup": 25,
    "DescribeThingGroup": 100,
    "UpdateThingGroup": 15,
    "DeleteThingGroup": 15,
    "ListThingGroups": 10,
    "ListThingGroupsForThing": 100,
    "ListThingsInThingGroup": 25,
    "AddThingToThingGroup": 100,
    "RemoveThingFromThingGroup": 100,
    "CreateDynamicThingGroup": 5,
    "UpdateDynamicThingGroup": 5,
    "DeleteDynamicThingGroup": 5,
    "CreateBillingGroup": 25,
    "DescribeBillingGroup": 100,
    "UpdateBillingGroup": 15,
    "DeleteBillingGroup": 15,
    "ListBillingGroups": 10,
    "ListThingsInBillingGroup": 25,
    "AddThingToBillingGroup": 60,
    "RemoveThingFromBillingGroup": 15,
    "DeprecateThingType": 15,
    "DeleteThingType": 15,
    "DetachThingPrincipal": 100,
    "ListPrincipalThings": 10,
}
#: the developer guide's "AWS IoT Limits" page (2019-2020): certificates, policies, authorizers,
#: jobs (control plane), fleet indexing
GUIDE_TPS = {
    **dict.fromkeys(
        [
            "AcceptCertificateTransfer",
            "AssociateTargetsWithJob",
            "CancelCertificateTransfer",
            "CancelJob",
            "CancelJobExecution",
            "ClearDefaultAuthorizer",
            "CreateAuthorizer",
            "CreateJob",
            "CreatePolicy",
            "CreatePolicyVersion",
            "DeleteAuthorizer",
            "DeleteCertificate",
            "DeleteCACertificate",
            "DeleteJob",
            "DeleteJobExecution",
            "DeletePolicy",
            "DeletePolicyVersion",
            "DeleteRegistrationCode",
            "DescribeAuthorizer",
            "DescribeCertificate",
            "DescribeCACertificate",
            "DescribeDefaultAuthorizer",
            "DescribeJob",
            "GetJobDocument",
            "GetPolicy",
            "GetRegistrationCode",
            "ListAuthorizers",
            "ListCACertificates",
            "ListCertificates",
            "ListCertificatesByCA",
            "ListJobExecutionsForJob",
            "ListJobExecutionsForThing",
            "ListJobs",
            "ListOutgoingCertificates",
            "ListPolicies",
            "ListPolicyPrincipals",
            "ListPolicyVersions",
            "ListTargetsForPolicy",
            "RegisterCertificate",
            "RegisterCACertificate",
            "RejectCertificateTransfer",
            "SetDefaultAuthorizer",
            "SetDefaultPolicyVersion",
            "TestAuthorization",
            "TestInvokeAuthorizer",
            "TransferCertificate",
            "UpdateAuthorizer",
            "UpdateCertificate",
            "UpdateCACertificate",
            "UpdateJob",
            "DescribeIndex",
        ],
        10,
    ),
    **dict.fromkeys(
        [
            "AttachPrincipalPolicy",
            "AttachPolicy",
            "CreateCertificateFromCsr",
            "DetachPrincipalPolicy",
            "DetachPolicy",
            "GetPolicyVersion",
            "ListAttachedPolicies",
            "ListPrincipalPolicies",
            "SearchIndex",
            "GetStatistics",
            "GetCardinality",
            "GetPercentiles",
        ],
        15,
    ),
    "GetEffectivePolicies": 50,
    "UpdateIndexingConfiguration": 1,
    "GetIndexingConfiguration": 20,
    "ListIndices": 5,
}
#: rules over several operations: id -> (operation pattern, rate, per, match)
SHARED = {
    "jobs-data-reads": ("[DG]e*JobExecution*", 200, "tenant", {"service": "iot-jobs-data"}),
    "jobs-data-writes": ("[SU]*JobExecution", 200, "tenant", {"service": "iot-jobs-data"}),
    "shadow-per-thing": ("*Shadow*", 20, "thingName", {}),
    "mqtt-publish-per-connection": ("Publish", 100, "clientId", {}),
    "mqtt-connect-per-client-id": ("Connect", 1, "clientId", {}),
}
OTHER_KEY = {"accessKeyId": "AKIAOTHERACCOUNT0001", "secretAccessKey": "other-secret"}


def test_builtin_profiles_are_data_files() -> None:
    assert "aws-defaults" in profiles.available()
    rules = profiles.read("aws-defaults")
    single = [r for r in rules if r["id"].removeprefix("aws-defaults:") not in SHARED]
    assert {r["operation"]: r["action"]["throttle"]["rate"] for r in single} == AWS_TPS | GUIDE_TPS
    assert all(r["id"] == f"aws-defaults:{r['operation']}" for r in single)
    shared = {
        r["id"].removeprefix("aws-defaults:"): (
            r["operation"],
            r["action"]["throttle"]["rate"],
            r["action"]["throttle"]["per"],
            r.get("match", {}),
        )
        for r in rules
        if r not in single
    }
    assert shared == SHARED
    assert {r["provider"] for r in rules} == {"aws", "aws-mqtt"}
    assert all(r["provider"] == "aws-mqtt" for r in rules if r["id"].startswith("aws-defaults:mqtt-"))


def test_apply_aws_defaults() -> None:
    cloud = FakeCloud(seed=1)
    added = cloud.faults.apply_profile("aws-defaults")
    expected = [f"aws-defaults:{op}" for op in [*AWS_TPS, *GUIDE_TPS]] + [f"aws-defaults:{i}" for i in SHARED]
    assert sorted(r.id for r in added) == sorted(expected)
    assert {r.id: (r.action.rate, r.action.burst) for r in cloud.faults} == {
        **{f"aws-defaults:{op}": (float(tps), float(tps)) for op, tps in (AWS_TPS | GUIDE_TPS).items()},
        **{f"aws-defaults:{i}": (float(tps), float(tps)) for i, (_, tps, _, _) in SHARED.items()},
    }


def create_things(iot, count: int, prefix: str) -> list[str]:
    """CreateThing ``count`` times; "ok" or the error code of each."""
    outcomes = []
    for i in range(count):
        try:
            iot.create_thing(thingName=f"{prefix}-{i}")
            outcomes.append("ok")
        except ClientError as exc:
            outcomes.append(exc.response["Error"]["Code"])
    return outcomes


def test_aws_defaults_throttles_each_operation_at_its_quota_per_account(
    aws_cloud: FakeCloud, iot, aws_clients
) -> None:
    aws_cloud.seed({"aws": {"accounts": [{"accountId": "210987654321", "accessKeys": [OTHER_KEY]}]}})
    other_account = aws_clients(key=(OTHER_KEY["accessKeyId"], OTHER_KEY["secretAccessKey"]))
    other_region = aws_clients(region="eu-west-1")
    with freeze_time("2030-01-01 00:00:00"):
        aws_cloud.faults.apply_profile("aws-defaults")
        # CreateThing: 100 TPS with a one-second burst; the clock does not move, so the 101st fails
        assert create_things(iot, 101, "a") == ["ok"] * 100 + ["ThrottlingException"]
        with pytest.raises(iot.exceptions.ThrottlingException) as caught:
            iot.create_thing(thingName="b-0")
        response = caught.value.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert response["Error"]["Message"] == "Rate exceeded"
        headers = response["ResponseMetadata"]["HTTPHeaders"]
        assert headers["x-amzn-errortype"] == "ThrottlingException:"
        assert headers["x-amz-retry-after"] == "10"  # 1/100 s
        assert headers["x-iotfake-fault"] == "aws-defaults:CreateThing"
        # another account, another region and another operation have buckets of their own
        assert create_things(other_account, 1, "a") == ["ok"]
        assert create_things(other_region, 1, "a") == ["ok"]
        assert iot.describe_thing(thingName="a-0")["thingName"] == "a-0"
        aws_cloud.clock.advance(0.01)  # one token
        assert create_things(iot, 2, "c") == ["ok", "ThrottlingException"]
        aws_cloud.clock.advance(1)  # a full second refills the burst, and no more
        assert create_things(iot, 101, "d") == ["ok"] * 100 + ["ThrottlingException"]
    assert len(aws_cloud.registry.tenant("aws", "123456789012/us-east-1").devices) == 201
    aws_cloud.journal.assert_fault_fired("aws-defaults:CreateThing", times=4)
    aws_cloud.journal.assert_not_called(rule="aws-defaults:DescribeThing")


def test_applying_a_profile_twice_is_refused() -> None:
    cloud = FakeCloud(seed=1)
    cloud.faults.apply_profile("aws-defaults")
    with pytest.raises(DocumentError, match="'aws-defaults:DescribeThing' exists already"):
        cloud.faults.apply_profile("aws-defaults")
    assert len(cloud.faults) == len(AWS_TPS) + len(GUIDE_TPS) + len(SHARED)


def test_a_profile_file_of_ones_own(tmp_path: Path) -> None:
    path = tmp_path / "enos-gateway.json"
    rule = {"id": "gw", "provider": "enos", "operation": "*", "action": {"throttle": {"rate": 1, "burst": 2}}}
    path.write_text(json.dumps({"description": "a slow gateway", "rules": [rule]}))
    cloud = FakeCloud(seed=1)
    client = Client(cloud.wsgi_app)
    with freeze_time("2030-01-01 00:00:00"):
        cloud.faults.apply_profile(path)
        pk = make_product(client)  # CreateProduct has a bucket of its own
        assert [create(client, pk).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("{", "is not valid JSON"),
        ("[]", 'must be an object with a "rules" list'),
        ('{"rules": [{"action": {"throttle": {"rate": -1}}}]}', "rules[0].action.throttle.rate"),
    ],
)
def test_bad_profile_files_are_refused(tmp_path: Path, content: str, error: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    cloud = FakeCloud()
    with pytest.raises(DocumentError, match=error.replace("[", r"\[").replace("]", r"\]")):
        cloud.faults.apply_profile(path)
    assert len(cloud.faults) == 0


def test_unknown_profile_names_list_the_builtin_ones() -> None:
    with pytest.raises(
        DocumentError, match=r"unknown throttle profile 'aws-default' \(built in: aws-defaults\)"
    ):
        FakeCloud().faults.apply_profile("aws-default")


def test_aws_defaults_covers_topic_rules_and_role_aliases(aws_cloud: FakeCloud, iot) -> None:
    with freeze_time("2030-01-01 00:00:00"):
        aws_cloud.faults.apply_profile("aws-defaults")
        iot.list_topic_rules()  # ListTopicRules: 1 TPS
        with pytest.raises(iot.exceptions.ThrottlingException) as caught:
            iot.list_topic_rules()
        assert caught.value.response["ResponseMetadata"]["HTTPHeaders"]["x-iotfake-fault"] == (
            "aws-defaults:ListTopicRules"
        )
        role = "arn:aws:iam::123456789012:role/r"
        for i in range(10):  # CreateRoleAlias: 10 TPS
            iot.create_role_alias(roleAlias=f"a{i}", roleArn=role)
        with pytest.raises(iot.exceptions.ThrottlingException):
            iot.create_role_alias(roleAlias="a10", roleArn=role)
    aws_cloud.journal.assert_fault_fired("aws-defaults:CreateRoleAlias", times=1)


def _client(cloud: FakeCloud, service: str):
    return in_process(cloud, service, attempts=1)


def test_aws_defaults_limits_shadow_requests_per_thing_across_the_shadow_apis() -> None:
    cloud = FakeCloud(seed=1)
    iot, data = _client(cloud, "iot"), _client(cloud, "iot-data")
    iot.create_thing(thingName="hot")
    iot.create_thing(thingName="calm")
    with freeze_time("2030-01-01 00:00:00"):
        cloud.faults.apply_profile("aws-defaults")
        for i in range(19):
            data.update_thing_shadow(thingName="hot", payload=json.dumps({"state": {"reported": {"n": i}}}))
        data.get_thing_shadow(thingName="hot")  # the 20th request on this thing, whatever the API
        with pytest.raises(data.exceptions.ThrottlingException) as caught:
            data.list_named_shadows_for_thing(thingName="hot")
        headers = caught.value.response["ResponseMetadata"]["HTTPHeaders"]
        assert headers["x-iotfake-fault"] == "aws-defaults:shadow-per-thing"
        assert headers["x-amz-retry-after"] == "50"  # a token every 1/20 s
        with pytest.raises(data.exceptions.ResourceNotFoundException):  # past the throttle: its own bucket
            data.get_thing_shadow(thingName="calm")
        cloud.clock.advance(0.05)
        assert json.loads(data.get_thing_shadow(thingName="hot")["payload"].read())["version"] == 19


def test_aws_defaults_shares_the_jobs_data_plane_read_quota_per_account() -> None:
    cloud = FakeCloud(seed=1)
    iot, jobs = _client(cloud, "iot"), _client(cloud, "iot-jobs-data")
    iot.create_thing(thingName="dev")
    iot.create_job(jobId="j1", targets=["arn:aws:iot:us-east-1:123456789012:thing/dev"], document="{}")
    with freeze_time("2030-01-01 00:00:00"):
        cloud.faults.apply_profile("aws-defaults")
        for _ in range(100):
            jobs.get_pending_job_executions(thingName="dev")
            jobs.describe_job_execution(thingName="dev", jobId="j1")
        with pytest.raises(jobs.exceptions.ThrottlingException) as caught:
            jobs.get_pending_job_executions(thingName="dev")
        assert caught.value.response["ResponseMetadata"]["HTTPHeaders"]["x-iotfake-fault"] == (
            "aws-defaults:jobs-data-reads"
        )
        # writes have their own 200; the control plane's job calls are not in either bucket
        jobs.start_next_pending_job_execution(thingName="dev")
        assert iot.describe_job(jobId="j1")["job"]["jobId"] == "j1"
    cloud.journal.assert_fault_fired("aws-defaults:jobs-data-reads", times=1)
