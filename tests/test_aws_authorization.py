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


def _connect(resource: str = "arn:aws:iot:us-east-1:123456789012:client/t1") -> dict:
    return {"actionType": "CONNECT", "resources": [resource]}


def _summary(name: str) -> dict:
    return {"policyName": name, "policyArn": f"arn:aws:iot:us-east-1:123456789012:policy/{name}"}


def test_authorization_as_the_api_reference_shows_it(iot) -> None:
    cert = iot.create_keys_and_certificate(setAsActive=True)["certificateArn"]
    _policy(iot, "allowed", _allow("iot:Connect", "arn:aws:iot:us-east-1:123456789012:client/t1"))
    _policy(iot, "publisher", _allow("iot:Publish", "*"))
    for name in ("allowed", "publisher"):
        iot.attach_policy(policyName=name, target=cert)
    answer = conforms("TestAuthorization", iot.test_authorization(principal=cert, authInfos=[_connect()]))
    assert answer["authResults"] == [
        {
            "authInfo": _connect(),
            "allowed": {"policies": [_summary("allowed")]},
            "denied": {
                "implicitDeny": {"policies": [_summary("publisher")]},
                "explicitDeny": {"policies": []},
            },
            "authDecision": "ALLOWED",
            "missingContextValues": [],
        }
    ]
    other = _connect("arn:aws:iot:us-east-1:123456789012:client/t2")
    result = iot.test_authorization(principal=cert, authInfos=[other])["authResults"][0]
    assert result["authDecision"] == "IMPLICIT_DENY"
    assert result["allowed"] == {"policies": []}
    assert result["denied"]["implicitDeny"]["policies"] == [_summary("allowed"), _summary("publisher")]


def test_an_explicit_deny_wins_and_one_decision_covers_every_resource(iot) -> None:
    cert = iot.create_keys_and_certificate(setAsActive=True)["certificateArn"]
    topic = "arn:aws:iot:us-east-1:123456789012:topic/"
    _policy(iot, "open", _allow("iot:*", "*"))
    _policy(iot, "guard", {"Effect": "Deny", "Action": "iot:Publish", "Resource": topic + "secret/*"})
    for name in ("open", "guard"):
        iot.attach_policy(policyName=name, target=cert)
    infos = [
        {"actionType": "PUBLISH", "resources": [topic + "open/1"]},
        {"actionType": "PUBLISH", "resources": [topic + "open/1", topic + "secret/1"]},
        {"actionType": "SUBSCRIBE", "resources": ["arn:aws:iot:us-east-1:123456789012:topicfilter/secret/#"]},
    ]
    results = iot.test_authorization(principal=cert, authInfos=infos)["authResults"]
    assert [r["authDecision"] for r in results] == ["ALLOWED", "EXPLICIT_DENY", "ALLOWED"]
    assert results[1]["denied"]["explicitDeny"]["policies"] == [_summary("guard")]
    assert results[1]["allowed"]["policies"] == [_summary("open")]
    # policyNamesToSkip treats an attached policy as detached, policyNamesToAdd a policy as attached
    skipped = iot.test_authorization(principal=cert, authInfos=infos[1:2], policyNamesToSkip=["guard"])
    assert skipped["authResults"][0]["authDecision"] == "ALLOWED"
    _policy(iot, "lockdown", {"Effect": "Deny", "Action": "iot:*", "Resource": "*"})
    added = iot.test_authorization(principal=cert, authInfos=infos[:1], policyNamesToAdd=["lockdown"])
    assert added["authResults"][0]["authDecision"] == "EXPLICIT_DENY"
    bare = iot.test_authorization(authInfos=infos[:1], policyNamesToAdd=["open"])  # custom authorizer style
    assert bare["authResults"][0]["authDecision"] == "ALLOWED"


def test_thing_groups_policy_variables_and_missing_context_values(iot) -> None:
    fleet = _fleet(iot)
    _policy(
        iot,
        "own-topic",
        _allow(
            "iot:Publish",
            "arn:aws:iot:us-east-1:123456789012:topic/things/${iot:Connection.Thing.ThingName}/*",
        ),
    )
    root = iot.describe_thing_group(thingGroupName="root")["thingGroupArn"]
    iot.detach_policy(policyName="root", target=root)
    iot.attach_policy(policyName="own-topic", target=root)  # inherited by child, where t1 is
    publish = {
        "actionType": "PUBLISH",
        "resources": ["arn:aws:iot:us-east-1:123456789012:topic/things/t1/state"],
    }
    result = iot.test_authorization(principal=fleet["cert"], clientId="t1", authInfos=[publish])[
        "authResults"
    ][0]
    assert result["authDecision"] == "ALLOWED" and result["allowed"]["policies"] == [_summary("own-topic")]
    assert result["missingContextValues"] == []
    # an unknown client id names no thing, and the certificate is not exclusively attached
    result = iot.test_authorization(principal=fleet["cert"], clientId="x", authInfos=[publish])[
        "authResults"
    ][0]
    assert result["authDecision"] == "IMPLICIT_DENY"
    # through policyNamesToAdd alone, the thing is unknown: its name is a missing context value
    result = iot.test_authorization(
        principal=fleet["cert"], clientId="x", authInfos=[publish], policyNamesToAdd=["own-topic"]
    )["authResults"][0]
    assert result["authDecision"] == "IMPLICIT_DENY"
    assert result["missingContextValues"] == ["iot:Connection.Thing.ThingName"]
    _policy(
        iot, "by-client", _allow("iot:Connect", "arn:aws:iot:us-east-1:123456789012:client/${iot:ClientId}")
    )
    result = iot.test_authorization(authInfos=[_connect()], policyNamesToAdd=["by-client"])["authResults"][0]
    assert result["missingContextValues"] == ["iot:ClientId"]
    result = iot.test_authorization(authInfos=[_connect()], clientId="t1", policyNamesToAdd=["by-client"])
    assert result["authResults"][0]["authDecision"] == "ALLOWED"


def test_authorization_refusals(aws_cloud: FakeCloud, iot) -> None:
    cert = iot.create_keys_and_certificate()["certificateArn"]
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.test_authorization(principal=cert[:-4] + "0000", authInfos=[_connect()])
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as caught:
        iot.test_authorization(principal=cert, authInfos=[_connect()], policyNamesToAdd=["ghost"])
    assert caught.value.response["Error"]["Message"] == "Policy ghost cannot be found."
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.test_authorization(
            principal=cert, authInfos=[{"resources": ["arn:aws:iot:us-east-1:123456789012:client/a"]}]
        )
    assert caught.value.response["Error"]["Message"] == (
        "An authInfo needs an actionType (at 'authInfos.1.member.actionType')"
    )
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.test_authorization(principal=cert, authInfos=[_connect()] * 11)
    assert (
        "at 'authInfos' failed to satisfy constraint: Member must have length less than or equal to 10"
        in (caught.value.response["Error"]["Message"])
    )
    with pytest.raises(iot.exceptions.InvalidRequestException) as caught:
        iot.test_authorization(principal=cert, authInfos=[{"actionType": "DELETE", "resources": ["x"]}])
    assert (
        "Member must satisfy enum value set: [PUBLISH, SUBSCRIBE, RECEIVE, CONNECT]"
        in (caught.value.response["Error"]["Message"])
    )
    aws_cloud.faults.add(
        provider="aws", operation="TestAuthorization", match={"clientId": "c1"}, error="Internal"
    )
    with pytest.raises(iot.exceptions.InternalFailureException):
        iot.test_authorization(principal=cert, clientId="c1", authInfos=[_connect()])
    call = aws_cloud.journal.calls(operation="TestAuthorization")[-1]
    assert call.outcome == "fault" and call.params["clientId"] == "c1" and call.params["principal"] == cert
