"""RegisterThing resources: thing, certificate and policy options, attachments, OverrideSettings."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from aws_helpers import POLICY, conforms, csr_pem, string_params, template, thing_resource
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from iotfake import FakeCloud

DOC = json.dumps(POLICY)


def certificate(**properties: Any) -> dict[str, Any]:
    overrides = properties.pop("OverrideSettings", None)
    resource: dict[str, Any] = {"Type": "AWS::IoT::Certificate", "Properties": properties}
    if overrides is not None:
        resource["OverrideSettings"] = overrides
    return resource


def policy(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::IoT::Policy", "Properties": properties}


def test_the_documented_bulk_template(aws_cloud: FakeCloud, iot) -> None:
    """The developer guide's example: thing with type and groups, CSR certificate, inline policy."""
    iot.create_thing_type(thingTypeName="lightBulb-versionA")
    iot.create_thing_group(thingGroupName="v1-lightbulbs")
    iot.create_thing_group(thingGroupName="WA")
    pem, key = csr_pem()
    body = template(
        {
            "thing": thing_resource(
                {"Ref": "ThingName"},
                AttributePayload={"version": "v1", "serialNumber": {"Ref": "SerialNumber"}},
                ThingTypeName="lightBulb-versionA",
                ThingGroups=["v1-lightbulbs", {"Ref": "Location"}],
            ),
            "certificate": certificate(CertificateSigningRequest={"Ref": "CSR"}, Status="ACTIVE"),
            "policy": policy(PolicyDocument=DOC),
        },
        string_params("ThingName", "SerialNumber", "CSR", Location="WA"),
    )
    answer = conforms(
        "RegisterThing",
        iot.register_thing(
            templateBody=body, parameters={"ThingName": "bulb-1", "SerialNumber": "123", "CSR": pem}
        ),
    )
    cert = x509.load_pem_x509_certificate(answer["certificatePem"].encode())
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    cert_id = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
    policy_name = hashlib.sha256(DOC.encode()).hexdigest()
    prefix = "arn:aws:iot:us-east-1:123456789012"
    assert answer["resourceArns"] == {
        "thing": f"{prefix}:thing/bulb-1",
        "certificate": f"{prefix}:cert/{cert_id}",
        "policy": f"{prefix}:policy/{policy_name}",
    }
    thing = iot.describe_thing(thingName="bulb-1")
    assert thing["thingTypeName"] == "lightBulb-versionA"
    assert thing["attributes"] == {"version": "v1", "serialNumber": "123"}
    assert sorted(
        g["groupName"] for g in iot.list_thing_groups_for_thing(thingName="bulb-1")["thingGroups"]
    ) == [
        "WA",
        "v1-lightbulbs",
    ]
    assert iot.describe_certificate(certificateId=cert_id)["certificateDescription"]["status"] == "ACTIVE"
    assert iot.list_thing_principals(thingName="bulb-1")["principals"] == [f"{prefix}:cert/{cert_id}"]
    attached = iot.list_attached_policies(target=f"{prefix}:cert/{cert_id}")["policies"]
    assert [p["policyName"] for p in attached] == [policy_name]
    assert iot.get_policy(policyName=policy_name)["policyDocument"] == DOC


def test_existing_certificate_by_id_is_activated_and_attached(iot) -> None:
    """Fleet provisioning: the certificate exists INACTIVE; the template's Status activates it."""
    created = iot.create_keys_and_certificate()
    iot.create_policy(policyName="fleet", policyDocument=DOC)
    body = template(
        {
            "thing": thing_resource("dev-1"),
            "certificate": certificate(CertificateId={"Ref": "AWS::IoT::Certificate::Id"}, Status="Active"),
            "policy": policy(PolicyName="fleet"),
        },
        string_params("AWS::IoT::Certificate::Id"),
    )
    answer = iot.register_thing(
        templateBody=body, parameters={"AWS::IoT::Certificate::Id": created["certificateId"]}
    )
    assert answer["certificatePem"] == created["certificatePem"]
    assert answer["resourceArns"]["policy"] == "arn:aws:iot:us-east-1:123456789012:policy/fleet"
    status = iot.describe_certificate(certificateId=created["certificateId"])["certificateDescription"][
        "status"
    ]
    assert status == "ACTIVE"
    assert iot.list_principal_things(principal=created["certificateArn"])["things"] == ["dev-1"]
    assert iot.list_targets_for_policy(policyName="fleet")["targets"] == [created["certificateArn"]]


def test_status_override_do_nothing_and_fail(iot) -> None:
    created = iot.create_keys_and_certificate()
    keep = template(
        {
            "certificate": certificate(
                CertificateId=created["certificateId"], OverrideSettings={"Status": "DO_NOTHING"}
            )
        }
    )
    iot.register_thing(templateBody=keep)
    status = iot.describe_certificate(certificateId=created["certificateId"])["certificateDescription"][
        "status"
    ]
    assert status == "INACTIVE"
    fail = template(
        {
            "certificate": certificate(
                CertificateId=created["certificateId"], OverrideSettings={"Status": "FAIL"}
            )
        }
    )
    with pytest.raises(iot.exceptions.ConflictingResourceUpdateException):
        iot.register_thing(templateBody=fail)


def test_certificate_pem_issued_by_the_account_ca_is_registered(
    aws_cloud: FakeCloud, iot, aws_clients
) -> None:
    """A PEM from elsewhere registers when the account's CA signed it (the CA stands for a registered CA)."""
    pem = iot.create_keys_and_certificate()["certificatePem"]
    cert_id = iot.list_certificates()["certificates"][0]["certificateId"]
    iot.delete_certificate(certificateId=cert_id)
    body = template({"certificate": certificate(CertificatePem=pem, Status="INACTIVE")})
    answer = iot.register_thing(templateBody=body)
    assert answer["resourceArns"]["certificate"].endswith(cert_id)
    assert iot.describe_certificate(certificateId=cert_id)["certificateDescription"]["status"] == "INACTIVE"
    foreign = aws_clients(region="eu-west-1").create_keys_and_certificate()["certificatePem"]
    with pytest.raises(iot.exceptions.ResourceRegistrationFailureException):
        iot.register_thing(templateBody=template({"certificate": certificate(CertificatePem=foreign)}))


def test_policy_document_as_an_object_and_reuse_of_the_same_document(iot) -> None:
    body = template({"p": policy(PolicyDocument=POLICY)})
    first = iot.register_thing(templateBody=body)["resourceArns"]["p"]
    again = iot.register_thing(templateBody=body)["resourceArns"]["p"]
    assert first == again
    assert len(iot.list_policies()["policies"]) == 1


def test_billing_group_is_recorded(iot) -> None:
    iot.create_billing_group(billingGroupName="bg-1")
    iot.register_thing(templateBody=template({"thing": thing_resource("t1", BillingGroup="bg-1")}))
    assert iot.describe_thing(thingName="t1")["billingGroupName"] == "bg-1"
    assert iot.list_things_in_billing_group(billingGroupName="bg-1")["things"] == ["t1"]


def test_a_billing_group_that_does_not_exist_fails_the_registration(iot) -> None:
    with pytest.raises(iot.exceptions.ResourceRegistrationFailureException, match="Billing group bg-9"):
        iot.register_thing(templateBody=template({"thing": thing_resource("t1", BillingGroup="bg-9")}))
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_thing(thingName="t1")


@pytest.fixture
def existing(iot):
    iot.create_thing_type(thingTypeName="old")
    iot.create_thing_type(thingTypeName="new")
    for group in ("g-old", "g-new"):
        iot.create_thing_group(thingGroupName=group)
    iot.create_thing(
        thingName="t1", thingTypeName="old", attributePayload={"attributes": {"a": "1", "b": "2"}}
    )
    iot.add_thing_to_thing_group(thingGroupName="g-old", thingName="t1")
    return iot


def register_existing(iot, **overrides: str) -> None:
    resource = thing_resource(
        "t1", AttributePayload={"b": "20", "c": "3"}, ThingTypeName="new", ThingGroups=["g-new"]
    )
    if overrides:
        resource["OverrideSettings"] = overrides
    iot.register_thing(templateBody=template({"thing": resource}))


def groups_of(iot, name: str) -> list[str]:
    return sorted(g["groupName"] for g in iot.list_thing_groups_for_thing(thingName=name)["thingGroups"])


def test_existing_thing_is_left_alone_by_default(existing) -> None:
    register_existing(existing)
    thing = existing.describe_thing(thingName="t1")
    assert (thing["attributes"], thing["thingTypeName"], thing["version"]) == ({"a": "1", "b": "2"}, "old", 1)
    assert groups_of(existing, "t1") == ["g-old"]


def test_existing_thing_replace(existing) -> None:
    register_existing(existing, AttributePayload="REPLACE", ThingTypeName="REPLACE", ThingGroups="REPLACE")
    thing = existing.describe_thing(thingName="t1")
    assert (thing["attributes"], thing["thingTypeName"], thing["version"]) == (
        {"b": "20", "c": "3"},
        "new",
        2,
    )
    assert groups_of(existing, "t1") == ["g-new"]


def test_existing_thing_merge(existing) -> None:
    register_existing(existing, AttributePayload="MERGE", ThingGroups="MERGE")
    thing = existing.describe_thing(thingName="t1")
    assert (thing["attributes"], thing["thingTypeName"]) == ({"a": "1", "b": "20", "c": "3"}, "old")
    assert groups_of(existing, "t1") == ["g-new", "g-old"]


@pytest.mark.parametrize("prop", ["AttributePayload", "ThingTypeName", "ThingGroups"])
def test_existing_thing_fail_conflicts(existing, prop: str) -> None:
    with pytest.raises(existing.exceptions.ConflictingResourceUpdateException) as caught:
        register_existing(existing, **{prop: "FAIL"})
    assert prop in caught.value.response["Error"]["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert existing.describe_thing(thingName="t1")["version"] == 1


def test_fail_passes_when_nothing_differs(existing) -> None:
    """FAIL refuses a difference only: the same attributes, type and groups register the thing
    again, answer its ARN (and no certificate: the template has none) and change nothing."""
    before = existing.describe_thing(thingName="t1")
    resource = thing_resource(
        "t1",
        AttributePayload={"a": "1", "b": "2"},
        ThingTypeName="old",
        ThingGroups=["g-old"],
        OverrideSettings={"AttributePayload": "FAIL", "ThingTypeName": "FAIL", "ThingGroups": "FAIL"},
    )
    answer = existing.register_thing(templateBody=template({"thing": resource}))
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {
        "resourceArns": {"thing": before["thingArn"]}
    }
    after = existing.describe_thing(thingName="t1")
    for key in ("thingId", "attributes", "thingTypeName", "version"):
        assert after[key] == before[key], key
    assert after["version"] == 1
    assert groups_of(existing, "t1") == ["g-old"]


def test_override_keys_may_use_the_upper_case_names(existing) -> None:
    register_existing(existing, ATTRIBUTE_PAYLOAD="REPLACE")
    assert existing.describe_thing(thingName="t1")["attributes"] == {"b": "20", "c": "3"}
