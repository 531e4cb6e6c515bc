"""IoT policy evaluation (what the MQTT side asks before it lets a packet through): the policies of
the certificate and of the thing's groups, Deny over Allow, wildcards, policy variables,
conditions."""

from __future__ import annotations

import json

import pytest

from iotfake import FakeCloud
from iotfake.providers.aws_iot.policy_eval import Connection, authorize

ARN = "arn:aws:iot:us-east-1:123456789012"


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource, **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.fixture
def device(iot, aws_cloud: FakeCloud):
    """A thing 'lamp-1' (type 'lamp', attribute floor=3) with an ACTIVE certificate attached."""
    iot.create_thing_type(thingTypeName="lamp")
    iot.create_thing(
        thingName="lamp-1", thingTypeName="lamp", attributePayload={"attributes": {"floor": "3"}}
    )
    cert = iot.create_keys_and_certificate(setAsActive=True)
    iot.attach_thing_principal(thingName="lamp-1", principal=cert["certificateArn"])

    def connection(client_id: str = "lamp-1") -> Connection:
        tenant = aws_cloud.aws.account("123456789012", "us-east-1")
        return Connection.of(tenant, cert["certificateId"], client_id)

    def attach(name: str, document: str, target: str | None = None) -> None:
        iot.create_policy(policyName=name, policyDocument=document)
        iot.attach_policy(policyName=name, target=target or cert["certificateArn"])

    connection.attach = attach  # type: ignore[attr-defined]
    return connection


def test_nothing_attached_denies_everything(device) -> None:
    verdict = authorize(device(), "iot:Connect", "lamp-1")
    assert not verdict.allowed and "no policy allows iot:Connect" in verdict.reason


def test_thing_policy_variables_and_wildcards(device) -> None:
    device.attach(
        "things",
        policy(
            allow("iot:Connect", f"{ARN}:client/${{iot:Connection.Thing.ThingName}}"),
            allow(["iot:Publish", "iot:Receive"], f"{ARN}:topic/things/${{iot:ClientId}}/*"),
            allow("iot:Subscribe", f"{ARN}:topicfilter/things/${{iot:ClientId}}/#"),
        ),
    )
    connection = device()
    assert authorize(connection, "iot:Connect", "lamp-1").allowed
    assert authorize(connection, "iot:Publish", "things/lamp-1/telemetry").allowed
    assert not authorize(connection, "iot:Publish", "things/lamp-2/telemetry").allowed
    assert authorize(connection, "iot:Subscribe", "things/lamp-1/#").allowed
    assert not authorize(connection, "iot:Subscribe", "things/lamp-1/+").allowed  # '#' is literal in a policy
    stranger = device("someone-else")  # not the thing's name: thing variables do not resolve
    assert not authorize(stranger, "iot:Connect", "someone-else").allowed


def test_deny_wins_and_action_names_ignore_case(device) -> None:
    device.attach(
        "all",
        policy(
            allow("IOT:*", "*"),
            {"Effect": "Deny", "Action": "iot:Publish", "Resource": f"{ARN}:topic/admin/*"},
        ),
    )
    connection = device()
    assert authorize(connection, "iot:Publish", "lamp/data").allowed
    verdict = authorize(connection, "iot:Publish", "admin/reboot")
    assert not verdict.allowed and verdict.policy == "all" and verdict.statement == 1


def test_conditions_on_thing_attributes_and_attachment(device) -> None:
    device.attach(
        "attached",
        policy(
            allow(
                "iot:Publish",
                f"{ARN}:topic/floors/${{iot:Connection.Thing.Attributes[floor]}}",
                Condition={
                    "Bool": {"iot:Connection.Thing.IsAttached": "true"},
                    "StringEquals": {"iot:Connection.Thing.ThingTypeName": "lamp"},
                },
            )
        ),
    )
    assert authorize(device(), "iot:Publish", "floors/3").allowed
    assert not authorize(device(), "iot:Publish", "floors/4").allowed
    assert not authorize(device("other"), "iot:Publish", "floors/3").allowed


def test_unknown_condition_operators_grant_nothing_and_say_so(device) -> None:
    device.attach(
        "odd",
        policy(allow("iot:Connect", "*", Condition={"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}})),
    )
    verdict = authorize(device(), "iot:Connect", "lamp-1")
    assert not verdict.allowed and "DateGreaterThan" in verdict.reason


def test_thing_group_policies_count(iot, device) -> None:
    iot.create_thing_group(thingGroupName="building")
    iot.create_thing_group(thingGroupName="floor-3", parentGroupName="building")
    iot.add_thing_to_thing_group(thingGroupName="floor-3", thingName="lamp-1")
    building = iot.describe_thing_group(thingGroupName="building")["thingGroupArn"]
    device.attach("from-group", policy(allow("iot:Connect", "*")), target=building)
    assert authorize(device(), "iot:Connect", "lamp-1").policy == "from-group"


def test_certificate_variables(device) -> None:
    device.attach(
        "subject", policy(allow("iot:Connect", f"{ARN}:client/${{iot:Certificate.Subject.CommonName}}"))
    )
    assert authorize(device("AWS IoT Certificate"), "iot:Connect", "AWS IoT Certificate").allowed


@pytest.mark.parametrize("star", ["${*}", "$(*)"])
def test_special_characters_stand_for_themselves(device, star: str) -> None:
    # AWS IoT's policy-variables page: "$(*), $(?), and $($)" represent the characters; IAM writes ${*}
    question, dollar = star.replace("*", "?"), star.replace("*", "$")
    device.attach(
        "literal",
        policy(
            allow("iot:Connect", "*"),
            allow("iot:Publish", f"{ARN}:topic/a/{star}"),
            allow("iot:Subscribe", f"{ARN}:topicfilter/b/{question}/{dollar}x"),
            allow("iot:Receive", "*", Condition={"StringEquals": {"iot:ClientId": f"lamp{star}"}}),
        ),
    )
    connection = device()
    assert authorize(connection, "iot:Publish", "a/*").allowed
    assert not authorize(connection, "iot:Publish", "a/anything").allowed  # not a wildcard
    assert authorize(connection, "iot:Subscribe", "b/?/$x").allowed
    assert not authorize(connection, "iot:Subscribe", "b/c/$x").allowed
    assert authorize(device("lamp*"), "iot:Receive", "t").allowed
    assert not authorize(device("lamp-1"), "iot:Receive", "t").allowed


def test_many_wildcards_against_a_long_topic_are_matched_without_backtracking(device) -> None:
    """A regular expression of ``*a*a*a*a*a*a*a*a*b`` took minutes against 200 ``a`` (holding
    the GIL: one policy stopped the whole fake); the walk answers at once, matched or not."""
    stars = "*a" * 8
    device.attach(
        "starry",
        policy(
            allow("iot:Connect", "*"),
            allow("iot:Publish", f"{ARN}:topic/{stars}*b"),
            allow("iot:Receive", "*", Condition={"StringLike": {"iot:ClientId": f"{stars}?b"}}),
        ),
    )
    connection = device()
    assert not authorize(connection, "iot:Publish", "a" * 400).allowed
    assert authorize(connection, "iot:Publish", "a" * 400 + "b").allowed
    assert not authorize(device("a" * 400), "iot:Receive", "t").allowed
    assert authorize(device("a" * 400 + "xb"), "iot:Receive", "t").allowed


def test_brackets_in_an_action_are_literal(device) -> None:
    device.attach("bracket", policy(allow("iot:[CP]onnect", "*"), allow("iot:Publis?", "*")))
    connection = device()
    assert not authorize(connection, "iot:Connect", "lamp-1").allowed  # IAM has no character classes
    assert authorize(connection, "iot:Publish", "t").allowed


@pytest.mark.parametrize(
    ("expected", "client_id", "allowed"),
    [(5, "5", True), (5, "6", False), (1.5, "1.5", True), (True, "true", True), ([7, "x"], "7", True)],
)
def test_condition_values_that_are_numbers_compare_as_their_text(
    device, expected, client_id, allowed
) -> None:
    """A stored policy whose condition value is a number raised TypeError on every check (an
    MQTT session ended with a traceback); IAM compares a number as its text."""
    device.attach(
        "numbers",
        policy(allow("iot:Connect", "*", Condition={"StringEquals": {"iot:ClientId": expected}})),
    )
    assert authorize(device(client_id), "iot:Connect", client_id).allowed is allowed
