"""IoT policies: documents, lifecycle, attachments and their limits."""

from __future__ import annotations

import json

import pytest
from aws_helpers import POLICY, conforms

DOC = json.dumps(POLICY)


def test_create_get_list_delete(aws_cloud, iot) -> None:
    created = conforms("CreatePolicy", iot.create_policy(policyName="p1", policyDocument=DOC))
    assert created["policyArn"] == "arn:aws:iot:us-east-1:123456789012:policy/p1"
    assert (created["policyDocument"], created["policyVersionId"]) == (DOC, "1")
    got = conforms("GetPolicy", iot.get_policy(policyName="p1"))
    assert (got["policyDocument"], got["defaultVersionId"]) == (DOC, "1")
    aws_cloud.clock.advance(1)
    iot.create_policy(policyName="p2", policyDocument=DOC)
    listed = conforms("ListPolicies", iot.list_policies())
    assert [p["policyName"] for p in listed["policies"]] == ["p2", "p1"]
    assert [p["policyName"] for p in iot.list_policies(ascendingOrder=True)["policies"]] == ["p1", "p2"]
    pages = list(iot.get_paginator("list_policies").paginate(PaginationConfig={"PageSize": 1}))
    assert len(pages) == 2
    iot.delete_policy(policyName="p1")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.get_policy(policyName="p1")


def test_a_name_is_taken_once(iot) -> None:
    iot.create_policy(policyName="p1", policyDocument=DOC)
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException) as caught:
        iot.create_policy(policyName="p1", policyDocument=DOC)
    response = caught.value.response
    assert response["Error"]["Message"] == "Policy cannot be created - name already exists (name=p1)"
    assert (response["resourceId"], response["resourceArn"]) == (
        "p1",
        "arn:aws:iot:us-east-1:123456789012:policy/p1",
    )


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"Version": "2012-10-17"}', "Statement is required"),
        ('{"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}', "Statement[0].Effect"),
        ('{"Statement": [{"Effect": "Allow", "Resource": "*"}]}', "exactly one of Action or NotAction"),
        ('{"Version": "2020-01-01", "Statement": []}', "Version must be one of"),
    ],
)
def test_malformed_documents(iot, document: str, problem: str) -> None:
    with pytest.raises(iot.exceptions.MalformedPolicyException) as caught:
        iot.create_policy(policyName="p1", policyDocument=document)
    assert problem in caught.value.response["Error"]["Message"]
    assert iot.list_policies()["policies"] == []


def test_policy_names_follow_the_model(iot) -> None:
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.create_policy(policyName="no spaces", policyDocument=DOC)


def test_attach_list_detach_on_certificates_and_groups(iot) -> None:
    iot.create_policy(policyName="p1", policyDocument=DOC)
    iot.create_policy(policyName="p2", policyDocument=DOC)
    arn = iot.create_keys_and_certificate()["certificateArn"]
    iot.create_thing_group(thingGroupName="root")
    leaf = iot.create_thing_group(thingGroupName="leaf", parentGroupName="root")
    root_arn = iot.describe_thing_group(thingGroupName="root")["thingGroupArn"]
    iot.attach_policy(policyName="p1", target=arn)
    iot.attach_policy(policyName="p1", target=arn)
    iot.attach_policy(policyName="p2", target=root_arn)
    attached = conforms("ListAttachedPolicies", iot.list_attached_policies(target=arn))
    assert [p["policyName"] for p in attached["policies"]] == ["p1"]
    assert iot.list_attached_policies(target=leaf["thingGroupArn"])["policies"] == []
    recursive = iot.list_attached_policies(target=leaf["thingGroupArn"], recursive=True)
    assert [p["policyName"] for p in recursive["policies"]] == ["p2"]
    assert conforms("ListTargetsForPolicy", iot.list_targets_for_policy(policyName="p1"))["targets"] == [arn]
    iot.detach_policy(policyName="p1", target=arn)
    assert iot.list_attached_policies(target=arn)["policies"] == []


def test_attach_needs_existing_policy_and_target(iot) -> None:
    iot.create_policy(policyName="p1", policyDocument=DOC)
    arn = iot.create_keys_and_certificate()["certificateArn"]
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.attach_policy(policyName="ghost", target=arn)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.attach_policy(policyName="p1", target=arn[:-4] + "0000")
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.attach_policy(policyName="p1", target="not-a-target")
    assert iot.list_targets_for_policy(policyName="p1")["targets"] == []  # the refused ones left nothing
    identity = "us-east-1:0b1e4c2a-1d3f-4a5b-9c6d-7e8f9a0b1c2d"  # a Cognito identity is a target too
    iot.attach_policy(policyName="p1", target=identity)
    assert iot.list_targets_for_policy(policyName="p1")["targets"] == [identity]
    assert [p["policyName"] for p in iot.list_attached_policies(target=identity)["policies"]] == ["p1"]
    assert iot.list_attached_policies(target=arn)["policies"] == []


def test_a_target_holds_at_most_ten_policies(iot) -> None:
    arn = iot.create_keys_and_certificate()["certificateArn"]
    for i in range(10):
        iot.create_policy(policyName=f"p{i}", policyDocument=DOC)
        iot.attach_policy(policyName=f"p{i}", target=arn)
    iot.create_policy(policyName="p10", policyDocument=DOC)
    with pytest.raises(iot.exceptions.LimitExceededException) as caught:
        iot.attach_policy(policyName="p10", target=arn)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410


def test_an_attached_policy_cannot_be_deleted(iot) -> None:
    iot.create_policy(policyName="p1", policyDocument=DOC)
    arn = iot.create_keys_and_certificate()["certificateArn"]
    iot.attach_policy(policyName="p1", target=arn)
    with pytest.raises(iot.exceptions.DeleteConflictException) as caught:
        iot.delete_policy(policyName="p1")
    assert caught.value.response["Error"]["Message"] == (
        "The policy cannot be deleted as the policy is attached to one or more principals (name=p1)"
    )
    iot.detach_policy(policyName="p1", target=arn)
    iot.delete_policy(policyName="p1")


def _statement_of(length: int) -> str:
    """A policy document of exactly ``length`` characters without its whitespace."""
    statement = {"Effect": "Allow", "Action": "iot:Connect", "Resource": ""}
    base = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":"))
    padding = ("arn:aws:iot:us-east-1:123456789012:client/" + "x" * length)[: length - len(base)]
    return base.replace('"Resource":""', f'"Resource":"{padding}"')


def test_a_document_is_at_most_2048_characters_without_its_whitespace(iot) -> None:
    """The API reference: "policyDocument must have a minimum length of 1, with a maximum length
    of 2048, excluding whitespace". A document ten times that size was accepted."""
    at_limit = _statement_of(2048)
    assert len(at_limit) == 2048
    iot.create_policy(
        policyName="fits", policyDocument=at_limit.replace(",", ",\n    ")
    )  # whitespace is free
    with pytest.raises(iot.exceptions.MalformedPolicyException, match="2048") as raised:
        iot.create_policy(policyName="big", policyDocument=_statement_of(2049))
    assert "2049" in raised.value.response["Error"]["Message"]
    with pytest.raises(iot.exceptions.MalformedPolicyException, match="2048"):
        iot.create_policy_version(policyName="fits", policyDocument=_statement_of(2049))
    assert [p["policyName"] for p in iot.list_policies()["policies"]] == ["fits"]
    assert len(iot.list_policy_versions(policyName="fits")["policyVersions"]) == 1
