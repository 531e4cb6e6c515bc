"""RegisterThing refusals: AWS's error type and message, and nothing changes (all or nothing)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_helpers import POLICY, csr_pem, string_params, template, thing_resource

from iotfake import FakeCloud
from iotfake.registry.groups import Groups


def state(cloud: FakeCloud) -> str:
    return json.dumps(cloud.registry.snapshot(), sort_keys=True)


@pytest.fixture
def before(aws_cloud: FakeCloud, iot) -> str:
    """The registry with a thing type, a group, a policy and the account CA, as JSON."""
    aws_cloud.providers["aws"].ca_certificate_pem()  # type: ignore[attr-defined]
    iot.create_thing_type(thingTypeName="meter")
    iot.create_thing_group(thingGroupName="g1")
    iot.create_policy(policyName="p1", policyDocument=json.dumps(POLICY))
    return state(aws_cloud)


def refused(
    iot, body: str, parameters: dict[str, str] | None = None, code: str = "InvalidRequestException"
) -> str:
    with pytest.raises(getattr(iot.exceptions, code)) as caught:
        iot.register_thing(templateBody=body, parameters=parameters or {})
    return caught.value.response["Error"]["Message"]


def test_malformed_json(aws_cloud: FakeCloud, before: str, iot) -> None:
    message = refused(iot, '{"Resources": {')
    assert message.startswith(
        "Invalid registration template. Template format error: JSON not well-formed with location of "
        '[Source: (String)"{"Resources": {"; line: 1, column: 16]'
    )
    assert state(aws_cloud) == before


def test_long_malformed_json_is_truncated_in_the_message(iot) -> None:
    body = '{"Resources": ' + " " * 600 + "}"
    assert "[truncated 115 chars]; line: 1, column: 615]" in refused(iot, body)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("[]", "the template must be a JSON object"),
        ("{}", "the Resources section is required"),
        (
            '{"Resources": {"x": {"Type": "AWS::S3::Bucket"}}}',
            "Resources.x.Type 'AWS::S3::Bucket' is not supported",
        ),
        ('{"Resources": {"x": "nope"}}', "Resources.x must be an object"),
        (
            '{"Parameters": {"P": {"Type": "Number"}}, "Resources": {"x": {"Type": "AWS::IoT::Policy"}}}',
            "Parameters.P.Type must be String",
        ),
    ],
)
def test_template_format_errors(aws_cloud: FakeCloud, before: str, iot, body: str, problem: str) -> None:
    message = refused(iot, body)
    assert message.startswith("Invalid registration template. ") and problem in message, message
    assert state(aws_cloud) == before


def test_missing_parameter(aws_cloud: FakeCloud, before: str, iot) -> None:
    body = template({"thing": thing_resource({"Ref": "ThingName"})}, string_params("ThingName"))
    assert refused(iot, body) == (
        "Invalid registration template. "
        "Parameter ThingName has no value: pass it in parameters or give it a Default"
    )
    assert state(aws_cloud) == before


def test_policy_needs_exactly_one_of_name_and_document(iot, before: str) -> None:
    neither = template({"policy": {"Type": "AWS::IoT::Policy", "Properties": {}}})
    assert refused(iot, neither) == (
        "Invalid registration template. Neither policyName nor policyDocument is present in the Template."
    )
    both = template(
        {"policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyName": "p1", "PolicyDocument": "{}"}}}
    )
    assert "Both policyName and policyDocument are present" in refused(iot, both)


def test_certificate_needs_exactly_one_source(aws_cloud: FakeCloud, before: str, iot) -> None:
    pem, _ = csr_pem()
    two = template(
        {
            "certificate": {
                "Type": "AWS::IoT::Certificate",
                "Properties": {"CertificateSigningRequest": pem, "CertificateId": "a" * 64},
            }
        }
    )
    assert "CertificateSigningRequest and CertificateId are both present" in refused(iot, two)
    none = template({"certificate": {"Type": "AWS::IoT::Certificate", "Properties": {"Status": "ACTIVE"}}})
    assert "a certificate needs one of CertificateSigningRequest, CertificateId, CertificatePem" in refused(
        iot, none
    )
    assert state(aws_cloud) == before


@pytest.mark.parametrize(
    ("resources", "problem"),
    [
        (
            {"thing": thing_resource("bad name!")},
            "at 'Resources.thing.Properties.ThingName' failed to satisfy",
        ),
        (
            {"thing": thing_resource("t1", AttributePayload={"a": 1})},
            "AttributePayload must map attribute names to strings",
        ),
        (
            {"thing": thing_resource("t1", AttributePayload={f"a{i}": "v" for i in range(4)})},
            "at most 3 attributes",
        ),
        ({"thing": thing_resource("t1", Color="red")}, "unknown properties Color"),
        ({"a": thing_resource("t1"), "b": thing_resource("t2")}, "only one AWS::IoT::Thing resource"),
        (
            {"thing": thing_resource("t1", OverrideSettings={"ThingTypeName": "MERGE"})},
            "MERGE is valid only for",
        ),
        (
            {"thing": thing_resource("t1", OverrideSettings={"ThingGroups": "SOMETIMES"})},
            "must be one of DO_NOTHING",
        ),
        ({"thing": {"Type": "AWS::IoT::Thing", "Properties": {}}}, "ThingName is required"),
        (
            {
                "c": {
                    "Type": "AWS::IoT::Certificate",
                    "Properties": {"CertificateId": "a" * 64, "Status": "REVOKED"},
                }
            },
            "Status must be ACTIVE or INACTIVE",
        ),
        (
            {"c": {"Type": "AWS::IoT::Certificate", "Properties": {"CertificateSigningRequest": "garbage"}}},
            "not a valid PEM-encoded CSR",
        ),
        (
            {"p": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyDocument": '{"Statement": []}'}}},
            "Policy document is malformed",
        ),
        (
            {
                "p": {
                    "Type": "AWS::IoT::Policy",
                    "Properties": {"PolicyName": "p1"},
                    "OverrideSettings": {"x": "y"},
                }
            },
            "not available for policy resources",
        ),
    ],
)
def test_invalid_resources(
    aws_cloud: FakeCloud, before: str, iot, resources: dict[str, Any], problem: str
) -> None:
    message = refused(iot, template(resources))
    assert message.startswith("Invalid registration template. ") and problem in message, message
    assert state(aws_cloud) == before


@pytest.mark.parametrize(
    ("resources", "problem"),
    [
        ({"thing": thing_resource("t1", ThingTypeName="ghost")}, "Thing type ghost does not exist"),
        ({"thing": thing_resource("t1", ThingGroups=["g1", "ghost"])}, "Thing group ghost does not exist"),
        (
            {"p": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyName": "ghost"}}},
            "Policy ghost does not exist",
        ),
        (
            {"c": {"Type": "AWS::IoT::Certificate", "Properties": {"CertificateId": "a" * 64}}},
            "does not exist",
        ),
    ],
)
def test_missing_references_are_registration_failures(
    aws_cloud: FakeCloud, before: str, iot, resources: dict[str, Any], problem: str
) -> None:
    message = refused(iot, template(resources), code="ResourceRegistrationFailureException")
    assert problem in message
    assert state(aws_cloud) == before


def test_deprecated_thing_type_is_a_registration_failure(iot, before: str) -> None:
    iot.deprecate_thing_type(thingTypeName="meter")
    body = template({"thing": thing_resource("t1", ThingTypeName="meter")})
    assert "deprecated" in refused(iot, body, code="ResourceRegistrationFailureException")


def test_a_late_failure_undoes_the_earlier_steps(aws_cloud: FakeCloud, before: str, iot, monkeypatch) -> None:
    """Everything was planned fine, then the last commit step fails: the first ones are undone."""
    pem, _ = csr_pem()
    body = template(
        {
            "certificate": {
                "Type": "AWS::IoT::Certificate",
                "Properties": {"CertificateSigningRequest": pem},
            },
            "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyDocument": {**POLICY, "Id": "new"}}},
            "thing": thing_resource("t1", ThingGroups=["g1"]),
        }
    )

    def broken(self, name: str, key: str) -> bool:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Groups, "add_member", broken)
    with pytest.raises(iot.exceptions.InternalFailureException):
        iot.register_thing(templateBody=body)
    assert state(aws_cloud) == before
    monkeypatch.undo()
    iot.register_thing(templateBody=body)
    assert iot.list_things_in_thing_group(thingGroupName="g1")["things"] == ["t1"]
