"""Policy versions and the principal-policy calls through boto3."""

from __future__ import annotations

import json

import pytest
from aws_helpers import POLICY, conforms

from iotfake import FakeCloud


def doc(action: str) -> str:
    return json.dumps({**POLICY, "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})


def test_versions_count_up_and_the_default_moves_only_when_asked(iot) -> None:
    iot.create_policy(policyName="p", policyDocument=doc("iot:Connect"))
    made = conforms(
        "CreatePolicyVersion", iot.create_policy_version(policyName="p", policyDocument=doc("iot:Publish"))
    )
    assert (made["policyVersionId"], made["isDefaultVersion"]) == ("2", False)
    assert iot.get_policy(policyName="p")["defaultVersionId"] == "1"
    third = iot.create_policy_version(policyName="p", policyDocument=doc("iot:Receive"), setAsDefault=True)
    assert (third["policyVersionId"], third["isDefaultVersion"]) == ("3", True)
    policy = iot.get_policy(policyName="p")
    assert policy["defaultVersionId"] == "3" and "iot:Receive" in policy["policyDocument"]
    listed = conforms("ListPolicyVersions", iot.list_policy_versions(policyName="p"))["policyVersions"]
    assert [(v["versionId"], v["isDefaultVersion"]) for v in listed] == [
        ("3", True),
        ("2", False),
        ("1", False),
    ]
    v1 = conforms("GetPolicyVersion", iot.get_policy_version(policyName="p", policyVersionId="1"))
    assert "iot:Connect" in v1["policyDocument"] and v1["isDefaultVersion"] is False
    iot.set_default_policy_version(policyName="p", policyVersionId="1")
    assert iot.get_policy(policyName="p")["defaultVersionId"] == "1"


def test_five_versions_at_most_and_ids_are_never_reused(iot) -> None:
    iot.create_policy(policyName="p", policyDocument=doc("iot:Connect"))
    for _ in range(4):
        iot.create_policy_version(policyName="p", policyDocument=doc("iot:Publish"))
    with pytest.raises(iot.exceptions.VersionsLimitExceededException):
        iot.create_policy_version(policyName="p", policyDocument=doc("iot:Publish"))
    iot.delete_policy_version(policyName="p", policyVersionId="5")
    again = iot.create_policy_version(policyName="p", policyDocument=doc("iot:Publish"))
    assert again["policyVersionId"] == "6"


def test_the_default_version_and_a_versioned_policy_cannot_be_deleted(iot) -> None:
    iot.create_policy(policyName="p", policyDocument=doc("iot:Connect"))
    iot.create_policy_version(policyName="p", policyDocument=doc("iot:Publish"))
    with pytest.raises(iot.exceptions.DeleteConflictException, match="default version"):
        iot.delete_policy_version(policyName="p", policyVersionId="1")
    with pytest.raises(iot.exceptions.DeleteConflictException, match="non-default versions"):
        iot.delete_policy(policyName="p")
    iot.delete_policy_version(policyName="p", policyVersionId="2")
    iot.delete_policy(policyName="p")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.get_policy(policyName="p")
    iot.create_policy(policyName="p", policyDocument=doc("iot:Connect"))  # a fresh start: v1 again
    assert [v["versionId"] for v in iot.list_policy_versions(policyName="p")["policyVersions"]] == ["1"]


def test_missing_policies_versions_and_bad_documents(aws_cloud: FakeCloud, iot) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.create_policy_version(policyName="nope", policyDocument=doc("iot:Connect"))
    iot.create_policy(policyName="p", policyDocument=doc("iot:Connect"))
    before = aws_cloud.snapshot()["registry"]
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Policy version 9"):
        iot.get_policy_version(policyName="p", policyVersionId="9")
    assert [v["versionId"] for v in iot.list_policy_versions(policyName="p")["policyVersions"]] == ["1"]
    assert aws_cloud.snapshot()["registry"] == before  # a read or a refusal writes nothing
    with pytest.raises(iot.exceptions.MalformedPolicyException):
        iot.create_policy_version(policyName="p", policyDocument="{not json")


def test_principal_policies_are_the_same_links_as_attach_policy(iot) -> None:
    cert = iot.create_keys_and_certificate(setAsActive=True)
    iot.create_policy(policyName="p1", policyDocument=doc("iot:Connect"))
    iot.create_policy(policyName="p2", policyDocument=doc("iot:Publish"))
    iot.attach_principal_policy(policyName="p1", principal=cert["certificateArn"])
    iot.attach_policy(policyName="p2", target=cert["certificateArn"])
    listed = conforms("ListPrincipalPolicies", iot.list_principal_policies(principal=cert["certificateArn"]))
    assert sorted(p["policyName"] for p in listed["policies"]) == ["p1", "p2"]
    assert iot.list_policy_principals(policyName="p1")["principals"] == [cert["certificateArn"]]
    iot.detach_principal_policy(policyName="p1", principal=cert["certificateArn"])
    assert iot.list_policy_principals(policyName="p1")["principals"] == []


def test_versions_survive_a_snapshot(aws_cloud: FakeCloud, iot) -> None:
    iot.create_policy(policyName="p", policyDocument=doc("iot:Connect"))
    iot.create_policy_version(policyName="p", policyDocument=doc("iot:Publish"), setAsDefault=True)
    copy = FakeCloud.from_snapshot(aws_cloud.snapshot())
    table = copy.registry.tenant("aws", "123456789012/us-east-1").table("policyVersions")
    assert sorted(table) == ["p:1", "p:2"]
