"""GetEffectivePolicies and TestAuthorization: the policies that count for a device (its
certificate's, its thing groups' and their ancestors') and what they decide."""

from __future__ import annotations

import json

import pytest
from aws_helpers import conforms

from iotfake import FakeCloud

IDENTITY = "us-east-1:0b1e4c2a-1d3f-4a5b-9c6d-7e8f9a0b1c2d"


def _policy(iot, name: str, *statements: dict) -> str:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    iot.create_policy(policyName=name, policyDocument=document)
    return document


def _allow(action: str, resource: str) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def _fleet(iot) -> dict:
    """A certificate attached to thing t1, which is in child (under parent, under root) and in
    other; a policy on each of the certificate, child, root and other, and one unattached."""
    docs = {
        name: _policy(iot, name, _allow("iot:Connect", "*")) for name in ("cert", "child", "root", "other")
    }
    docs["loose"] = _policy(iot, "loose", _allow("iot:Publish", "*"))
    cert = iot.create_keys_and_certificate(setAsActive=True)["certificateArn"]
    iot.create_thing(thingName="t1")
    iot.attach_thing_principal(thingName="t1", principal=cert)
    iot.create_thing_group(thingGroupName="root")
    iot.create_thing_group(thingGroupName="parent", parentGroupName="root")
    iot.create_thing_group(thingGroupName="child", parentGroupName="parent")
    iot.create_thing_group(thingGroupName="other")
    for group in ("child", "other"):
        iot.add_thing_to_thing_group(thingGroupName=group, thingName="t1")
    iot.attach_policy(policyName="cert", target=cert)
    for group in ("child", "root", "other"):
        iot.attach_policy(
            policyName=group, target=iot.describe_thing_group(thingGroupName=group)["thingGroupArn"]
        )
    return {"cert": cert, "docs": docs}


def _names(answer: dict) -> list[str]:
    return [p["policyName"] for p in answer["effectivePolicies"]]


def test_effective_policies_of_a_certificate_and_a_thing(iot) -> None:
    fleet = _fleet(iot)
    answer = conforms(
        "GetEffectivePolicies", iot.get_effective_policies(principal=fleet["cert"], thingName="t1")
    )
    assert _names(answer) == ["cert", "child", "root", "other"]
    assert answer["effectivePolicies"][0] == {
        "policyName": "cert",
        "policyArn": "arn:aws:iot:us-east-1:123456789012:policy/cert",
        "policyDocument": fleet["docs"]["cert"],
    }
    assert _names(iot.get_effective_policies(principal=fleet["cert"])) == ["cert"]
    assert _names(iot.get_effective_policies(thingName="t1")) == ["child", "root", "other"]
    # a thing group principal has its own and its ancestors' (inherited) policies
    parent = iot.describe_thing_group(thingGroupName="parent")["thingGroupArn"]
    assert _names(iot.get_effective_policies(principal=parent)) == ["root"]
    iot.attach_policy(policyName="loose", target=IDENTITY)
    assert _names(iot.get_effective_policies(principal=IDENTITY, cognitoIdentityPoolId="us-east-1:pool")) == [
        "loose"
    ]


def test_effective_policies_follow_detachment_and_membership(iot) -> None:
    fleet = _fleet(iot)
    iot.remove_thing_from_thing_group(thingGroupName="child", thingName="t1")
    iot.detach_policy(policyName="cert", target=fleet["cert"])
    assert _names(iot.get_effective_policies(principal=fleet["cert"], thingName="t1")) == ["other"]
    iot.create_thing(thingName="lonely")
    assert iot.get_effective_policies(thingName="lonely")["effectivePolicies"] == []


def test_effective_policies_refuse_unknown_principals_and_things(iot) -> None:
    cert = iot.create_keys_and_certificate()["certificateArn"]
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.get_effective_policies(thingName="ghost")
    assert caught.value.response["Error"]["Message"] == "Thing ghost cannot be found."
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.get_effective_policies(principal=cert[:-4] + "0000")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.get_effective_policies(principal="arn:aws:iot:us-east-1:123456789012:thinggroup/ghost")
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.get_effective_policies(principal="arn:aws:iot:eu-west-1:123456789012:cert/" + "a" * 64)
    assert (
        "is not a certificate ARN or thing group ARN of this account"
        in caught.value.response["Error"]["Message"]
    )
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.get_effective_policies()
    assert (
        caught.value.response["Error"]["Message"] == "GetEffectivePolicies needs a principal or a thingName"
    )
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.get_effective_policies(thingName="bad name!")
    assert "at 'thingName'" in caught.value.response["Error"]["Message"]


def test_effective_policies_are_journaled_and_faultable(aws_cloud: FakeCloud, iot) -> None:
    iot.create_thing(thingName="t1")
    aws_cloud.faults.add(
        provider="aws",
        operation="GetEffectivePolicies",
        match={"thingName": "t1"},
        error="Throttled",
        times=1,
    )
    with pytest.raises(iot.exceptions.ThrottlingException):
        iot.get_effective_policies(thingName="t1")
    assert iot.get_effective_policies(thingName="t1")["effectivePolicies"] == []
    calls = aws_cloud.journal.calls(operation="GetEffectivePolicies")
    assert [(c.outcome, c.params.get("thingName")) for c in calls] == [("fault", "t1"), ("ok", "t1")]
