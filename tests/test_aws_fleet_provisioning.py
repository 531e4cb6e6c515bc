"""Fleet provisioning's device-side RegisterThing through its Python API (cloud.aws.fleet_provision),
with the control plane driven through boto3: templates by name and default version, claims and
their expiry, pre-provisioning hooks (Python callables), fault rules, all-or-nothing commits."""

from __future__ import annotations

import json

import pytest
from aws_helpers import POLICY, string_params, template, thing_resource
from freezegun import freeze_time

from iotfake import FakeCloud
from iotfake.providers.aws_iot.fleet_provisioning import AnswerLost, ProvisioningRejected

ROLE = "arn:aws:iam::123456789012:role/Provisioning"
HOOK = "arn:aws:lambda:us-east-1:123456789012:function:check-serial"
TEMPLATE_ARN = "arn:aws:iot:us-east-1:123456789012:provisioningtemplate/widgets"
CERTIFICATE = {
    "Type": "AWS::IoT::Certificate",
    "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "Active"},
}


def fleet_body(prefix: str = "dev-", **thing: object) -> str:
    return template(
        {
            "thing": thing_resource(
                {"Fn::Join": ["", [prefix, {"Ref": "SerialNumber"}]]},
                AttributePayload={"serial": {"Ref": "SerialNumber"}},
                **thing,
            ),
            "cert": CERTIFICATE,
            "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyName": "device-policy"}},
        },
        string_params("SerialNumber"),
        DeviceConfiguration={"Fallback": "https://example.com/fw", "Serial": {"Ref": "SerialNumber"}},
    )


@pytest.fixture
def fleet(iot, aws_cloud: FakeCloud):
    """An enabled fleet template with a hook, a policy, a claim and a device's new certificate."""
    iot.create_policy(policyName="device-policy", policyDocument=json.dumps(POLICY))
    iot.create_provisioning_template(
        templateName="widgets",
        templateBody=fleet_body(),
        provisioningRoleArn=ROLE,
        enabled=True,
        preProvisioningHook={"targetArn": HOOK},
    )
    claim = iot.create_provisioning_claim(templateName="widgets")["certificateId"]
    device = iot.create_keys_and_certificate(setAsActive=False)
    return claim, device


def provision(cloud: FakeCloud, fleet, parameters=None, name: str = "widgets", **extra) -> dict:
    claim, device = fleet
    args = {"certificate_id": device["certificateId"], "claim_certificate_id": claim, "client_id": "c-1"}
    return cloud.aws.fleet_provision(name, {"SerialNumber": "42"} if parameters is None else parameters,
                                     **{**args, **extra})  # fmt: skip


def rejected(cloud: FakeCloud, fleet, *args, **kwargs) -> dict:
    with pytest.raises(ProvisioningRejected) as raised:
        provision(cloud, fleet, *args, **kwargs)
    return raised.value.payload()


def nothing_provisioned(iot, fleet) -> None:
    _, device = fleet
    assert iot.list_things()["things"] == []
    status = iot.describe_certificate(certificateId=device["certificateId"])["certificateDescription"][
        "status"
    ]
    assert status == "INACTIVE"
    assert iot.list_attached_policies(target=device["certificateArn"])["policies"] == []


def test_provisioning_by_claim_registers_the_thing(iot, aws_cloud: FakeCloud, fleet) -> None:
    _, device = fleet
    accepted = provision(aws_cloud, fleet)
    assert accepted == {
        "thingName": "dev-42",
        "deviceConfiguration": {"Fallback": "https://example.com/fw", "Serial": "42"},
    }
    assert iot.describe_thing(thingName="dev-42")["attributes"] == {"serial": "42"}
    assert iot.list_thing_principals(thingName="dev-42")["principals"] == [device["certificateArn"]]
    described = iot.describe_certificate(certificateId=device["certificateId"])["certificateDescription"]
    assert described["status"] == "ACTIVE"
    policies = iot.list_attached_policies(target=device["certificateArn"])["policies"]
    assert [p["policyName"] for p in policies] == ["device-policy"]
    entry = aws_cloud.journal.last(operation="RegisterThing")
    assert (entry.method, entry.path, entry.status, entry.outcome) == (
        "MQTT",
        "$aws/provisioning-templates/widgets/provision/json",
        200,
        "ok",
    )
    assert entry.params["templateName"] == "widgets"


def test_the_default_version_is_the_one_used(iot, aws_cloud: FakeCloud, fleet) -> None:
    iot.create_provisioning_template_version(templateName="widgets", templateBody=fleet_body("v2-"))
    assert provision(aws_cloud, fleet, {"SerialNumber": "1"})["thingName"] == "dev-1"
    iot.create_provisioning_template_version(
        templateName="widgets", templateBody=fleet_body("v3-"), setAsDefault=True
    )
    assert provision(aws_cloud, fleet, {"SerialNumber": "2"})["thingName"] == "v3-2"


def test_a_claim_expires_after_five_minutes(iot, aws_cloud: FakeCloud, fleet) -> None:
    with freeze_time("2030-01-01 00:00:00") as frozen:  # to the second: the claim's five minutes
        claim = iot.create_provisioning_claim(templateName="widgets")["certificateId"]
        frozen.tick(299)
        aws_cloud.aws.fleet_provision(
            "widgets",
            {"SerialNumber": "1"},
            certificate_id=fleet[1]["certificateId"],
            claim_certificate_id=claim,
        )
        frozen.tick(2)
        answer = rejected(aws_cloud, (claim, fleet[1]), {"SerialNumber": "2"})
    assert (answer["statusCode"], answer["errorCode"]) == (403, "AccessDenied")
    assert "expired" in answer["errorMessage"]
    assert [t["thingName"] for t in iot.list_things()["things"]] == ["dev-1"]


def test_a_claim_serves_only_its_own_template(iot, aws_cloud: FakeCloud, fleet) -> None:
    iot.create_provisioning_template(
        templateName="gadgets", templateBody=fleet_body(), provisioningRoleArn=ROLE, enabled=True
    )
    answer = rejected(aws_cloud, fleet, name="gadgets")
    assert answer == {
        "statusCode": 403,
        "errorCode": "AccessDenied",
        "errorMessage": f"The provisioning claim {fleet[0]} is for template widgets, not gadgets",
    }
    iot.update_certificate(certificateId=fleet[0], newStatus="INACTIVE")
    assert rejected(aws_cloud, fleet)["errorCode"] == "AccessDenied"
    nothing_provisioned(iot, fleet)


def test_an_ordinary_certificate_can_claim(iot, aws_cloud: FakeCloud, fleet) -> None:
    """Provisioning by claim with a manufacturer's certificate: any ACTIVE certificate."""
    ordinary = iot.create_keys_and_certificate(setAsActive=True)["certificateId"]
    assert provision(aws_cloud, fleet, claim_certificate_id=ordinary)["thingName"] == "dev-42"


def test_the_template_must_exist_be_enabled_and_be_for_fleets(iot, aws_cloud: FakeCloud, fleet) -> None:
    assert rejected(aws_cloud, fleet, name="ghost") == {
        "statusCode": 404,
        "errorCode": "ResourceNotFound",
        "errorMessage": "Provisioning template ghost cannot be found.",
    }
    iot.update_provisioning_template(templateName="widgets", enabled=False)
    answer = rejected(aws_cloud, fleet)
    assert (answer["statusCode"], answer["errorCode"]) == (400, "InvalidRequest")
    assert answer["errorMessage"] == "Provisioning template widgets is not enabled"
    iot.create_provisioning_template(
        templateName="jitp", templateBody=fleet_body(), provisioningRoleArn=ROLE, enabled=True, type="JITP"
    )
    assert (
        "not FLEET_PROVISIONING"
        in rejected(aws_cloud, fleet, name="jitp", claim_certificate_id=None)["errorMessage"]
    )
    nothing_provisioned(iot, fleet)


def test_the_device_certificate_must_exist(iot, aws_cloud: FakeCloud, fleet) -> None:
    answer = rejected(aws_cloud, fleet, certificate_id="ab" * 32)
    assert (answer["statusCode"], answer["errorCode"]) == (400, "InvalidCertificateOwnershipToken")


def test_the_hook_gets_awss_input_and_can_override_parameters(iot, aws_cloud: FakeCloud, fleet) -> None:
    seen: list[dict] = []

    @aws_cloud.aws.pre_provisioning_hook("widgets")
    def hook(payload: dict) -> dict:
        seen.append(payload)
        return {"allowProvisioning": True, "parameterOverrides": {"SerialNumber": "override-7"}}

    claim, device = fleet
    accepted = provision(aws_cloud, fleet, {"SerialNumber": "42", "Extra": "x"})
    assert seen == [
        {
            "claimCertificateId": claim,
            "certificateId": device["certificateId"],
            "certificatePem": device["certificatePem"],
            "templateArn": TEMPLATE_ARN,
            "clientId": "c-1",
            "parameters": {"SerialNumber": "42", "Extra": "x"},
        }
    ]
    assert accepted["thingName"] == "dev-override-7"


def test_a_hook_that_denies_provisions_nothing(iot, aws_cloud: FakeCloud, fleet) -> None:
    aws_cloud.aws.pre_provisioning_hook(HOOK, lambda payload: {"allowProvisioning": False})
    assert rejected(aws_cloud, fleet) == {
        "statusCode": 403,
        "errorCode": "AccessDenied",
        "errorMessage": f"The pre-provisioning hook {HOOK} did not allow provisioning",
    }
    nothing_provisioned(iot, fleet)
    entry = aws_cloud.journal.last(operation="RegisterThing")
    assert (entry.status, entry.code, entry.outcome) == (403, "AccessDenied", "error")


@pytest.mark.parametrize(
    "answer", [RuntimeError("boom"), {"parameterOverrides": {}}, {"allowProvisioning": "yes"}, None]
)
def test_a_hook_that_fails_fails_the_request(iot, aws_cloud: FakeCloud, fleet, answer) -> None:
    def hook(payload: dict):
        if isinstance(answer, Exception):
            raise answer
        return answer

    aws_cloud.aws.pre_provisioning_hook("widgets", hook)
    failed = rejected(aws_cloud, fleet)
    assert (failed["statusCode"], failed["errorCode"]) == (500, "InternalFailure")
    nothing_provisioned(iot, fleet)


def test_the_hook_runs_only_while_the_template_has_one(iot, aws_cloud: FakeCloud, fleet) -> None:
    aws_cloud.aws.pre_provisioning_hook("widgets", lambda payload: {"allowProvisioning": False})
    iot.update_provisioning_template(templateName="widgets", removePreProvisioningHook=True)
    assert provision(aws_cloud, fleet)["thingName"] == "dev-42"


def test_no_callable_means_the_hook_allows(aws_cloud: FakeCloud, fleet) -> None:
    assert provision(aws_cloud, fleet)["thingName"] == "dev-42"


def test_reset_forgets_the_hooks(iot, aws_cloud: FakeCloud) -> None:
    aws_cloud.aws.pre_provisioning_hook("widgets", lambda payload: {"allowProvisioning": False})
    aws_cloud.reset()
    assert aws_cloud.aws.provisioning_hooks.find({"name": "widgets", "hook": {"targetArn": HOOK}}) is None


def test_a_fault_rule_can_deny_as_the_hook_does(iot, aws_cloud: FakeCloud, fleet) -> None:
    aws_cloud.faults.add(
        id="deny",
        provider="aws",
        operation="RegisterThing",
        match={"templateName": "widgets"},
        error="Forbidden",
    )
    assert rejected(aws_cloud, fleet) == {
        "statusCode": 403,
        "errorCode": "AccessDenied",
        "errorMessage": "The request was denied by iotfake fault rule 'deny'",
    }
    nothing_provisioned(iot, fleet)
    aws_cloud.journal.assert_fault_fired("deny", times=1)


def test_other_fault_rules_answer_in_the_apis_terms(iot, aws_cloud: FakeCloud, fleet) -> None:
    aws_cloud.faults.add(provider="aws", operation="RegisterThing", error="ThrottlingException", times=1)
    answer = rejected(aws_cloud, fleet)
    assert (answer["statusCode"], answer["errorCode"]) == (400, "Throttling")
    aws_cloud.faults.add(provider="aws", operation="RegisterThing", lost_response=True, times=1)
    with pytest.raises(AnswerLost) as lost:
        provision(aws_cloud, fleet)
    assert lost.value.accepted["thingName"] == "dev-42"
    assert iot.describe_thing(thingName="dev-42")  # committed, only the answer was lost


def test_a_failing_registration_changes_nothing(iot, aws_cloud: FakeCloud, fleet) -> None:
    iot.create_provisioning_template_version(
        templateName="widgets", templateBody=fleet_body(ThingGroups=["missing-group"]), setAsDefault=True
    )
    answer = rejected(aws_cloud, fleet)
    assert (answer["statusCode"], answer["errorCode"]) == (400, "ResourceRegistrationFailure")
    assert "missing-group" in answer["errorMessage"]
    nothing_provisioned(iot, fleet)
    answer = rejected(aws_cloud, fleet, {})
    assert (answer["statusCode"], answer["errorCode"]) == (400, "InvalidRequest")
    assert "SerialNumber has no value" in answer["errorMessage"]
    answer = rejected(aws_cloud, fleet, {"SerialNumber": 7})
    assert answer["errorCode"] == "InvalidRequest"


def test_the_device_cannot_name_its_certificate_id(iot, aws_cloud: FakeCloud, fleet) -> None:
    """AWS::IoT::Certificate::Id is the service's, whatever the device sends."""
    _, device = fleet
    other = iot.create_keys_and_certificate(setAsActive=False)
    provision(aws_cloud, fleet, {"SerialNumber": "42", "AWS::IoT::Certificate::Id": other["certificateId"]})
    assert iot.list_thing_principals(thingName="dev-42")["principals"] == [device["certificateArn"]]


def test_the_readme_block_runs_as_written() -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", readme, flags=re.S) if "fleet_provision(" in b]
    namespace: dict = {}
    exec(compile(block, "README.md fleet provisioning block", "exec"), namespace)
    cloud = namespace["cloud"]
    with pytest.raises(ProvisioningRejected):  # the block's hook refuses other serials
        cloud.aws.fleet_provision(
            "widgets",
            {"Serial": "X-1"},
            certificate_id=namespace["device"]["certificateId"],
            claim_certificate_id=namespace["claim"]["certificateId"],
        )


NESTED = "the DeviceConfiguration section doesn't support nested JSON objects"


@pytest.mark.parametrize(
    ("configuration", "message"),
    [
        (
            {"Fallback": "https://example.com/fw", "Update": {"url": "https://example.com"}},
            f"Invalid registration template. DeviceConfiguration.Update: {NESTED}; "
            "a value is a string or an intrinsic function (Ref, Fn::Join, ...)",
        ),
        (
            {"Update": {"Ref": "SerialNumber", "url": "x"}},
            f"Invalid registration template. DeviceConfiguration.Update: {NESTED}; "
            "a value is a string or an intrinsic function (Ref, Fn::Join, ...)",
        ),
        (
            ["https://example.com/fw"],
            "Invalid registration template. DeviceConfiguration must be a JSON object of names and values",
        ),
    ],
)
def test_a_nested_device_configuration_is_refused_when_stored(iot, configuration, message) -> None:
    """The guide ("Provisioning templates", fleet provisioning): "The DeviceConfiguration section
    doesn't support nested JSON objects". Refused by CreateProvisioningTemplate and
    CreateProvisioningTemplateVersion ([I]: the guide does not say where), changing nothing."""
    from botocore.exceptions import ClientError

    body = template(
        {"cert": CERTIFICATE},
        string_params("SerialNumber"),
        DeviceConfiguration=configuration,
    )
    with pytest.raises(ClientError) as raised:
        iot.create_provisioning_template(
            templateName="nested", templateBody=body, provisioningRoleArn=ROLE, enabled=True
        )
    error = raised.value.response
    assert (error["Error"]["Code"], error["Error"]["Message"]) == ("InvalidRequestException", message)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert iot.list_provisioning_templates()["templates"] == []
    iot.create_provisioning_template(
        templateName="flat", templateBody=fleet_body(), provisioningRoleArn=ROLE, enabled=True
    )
    with pytest.raises(ClientError) as raised:
        iot.create_provisioning_template_version(templateName="flat", templateBody=body, setAsDefault=True)
    error = raised.value.response
    assert (error["Error"]["Code"], error["Error"]["Message"]) == ("InvalidRequestException", message)
    versions = iot.list_provisioning_template_versions(templateName="flat")["versions"]
    assert [(v["versionId"], v["isDefaultVersion"]) for v in versions] == [(1, True)]


def test_device_configuration_values_may_be_intrinsics(iot, aws_cloud: FakeCloud, fleet) -> None:
    """The guide's own example: a value that is an intrinsic function is no nested object."""
    body = template(
        {"cert": CERTIFICATE, "thing": thing_resource({"Ref": "SerialNumber"})},
        string_params("SerialNumber"),
        DeviceConfiguration={
            "Fallback": "https://example.com/fw",
            "Location": {"Fn::Join": ["", ["https://example.com/", {"Ref": "SerialNumber"}]]},
        },
    )
    iot.create_provisioning_template_version(templateName="widgets", templateBody=body, setAsDefault=True)
    answer = provision(aws_cloud, fleet)
    assert answer == {
        "deviceConfiguration": {"Fallback": "https://example.com/fw", "Location": "https://example.com/42"},
        "thingName": "42",
    }
