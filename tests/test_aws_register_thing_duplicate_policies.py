"""RegisterThing with two Policy resources that are the same policy (one inline document twice, or
one PolicyName twice): one policy, attached once, and an ARN for each logical id.

RegisterThing's model has no ResourceAlreadyExistsException, so a template that names the same
policy twice must not make the fake trip over its own first creation.
"""

from __future__ import annotations

import hashlib
import json

from aws_helpers import POLICY, conforms, csr_pem, string_params, template, thing_resource

from iotfake import FakeCloud

DOC = json.dumps(POLICY)
PREFIX = "arn:aws:iot:us-east-1:123456789012"


def policy(**properties: str) -> dict:
    return {"Type": "AWS::IoT::Policy", "Properties": properties}


def certificate(csr: dict) -> dict:
    return {
        "Type": "AWS::IoT::Certificate",
        "Properties": {"CertificateSigningRequest": csr, "Status": "ACTIVE"},
    }


def test_one_inline_document_twice_creates_one_policy_attached_once(aws_cloud: FakeCloud, iot) -> None:
    pem, _ = csr_pem()
    body = template(
        {
            "thing": thing_resource({"Ref": "ThingName"}),
            "certificate": certificate({"Ref": "CSR"}),
            "first": policy(PolicyDocument=DOC),
            "second": policy(PolicyDocument=DOC),
        },
        string_params("ThingName", "CSR"),
    )
    answer = conforms(
        "RegisterThing", iot.register_thing(templateBody=body, parameters={"ThingName": "t1", "CSR": pem})
    )
    name = hashlib.sha256(DOC.encode()).hexdigest()
    assert answer["resourceArns"]["first"] == answer["resourceArns"]["second"] == f"{PREFIX}:policy/{name}"
    assert [p["policyName"] for p in iot.list_policies()["policies"]] == [name]
    target = answer["resourceArns"]["certificate"]
    assert [p["policyName"] for p in iot.list_attached_policies(target=target)["policies"]] == [name]


def test_one_inline_document_twice_without_a_certificate(aws_cloud: FakeCloud, iot) -> None:
    body = template({"a": policy(PolicyDocument=DOC), "b": policy(PolicyDocument=DOC)}, {})
    answer = iot.register_thing(templateBody=body)
    name = hashlib.sha256(DOC.encode()).hexdigest()
    assert answer["resourceArns"] == {"a": f"{PREFIX}:policy/{name}", "b": f"{PREFIX}:policy/{name}"}
    assert [p["policyName"] for p in iot.list_policies()["policies"]] == [name]


def test_one_named_policy_twice_is_attached_once(aws_cloud: FakeCloud, iot) -> None:
    iot.create_policy(policyName="device", policyDocument=DOC)
    pem, _ = csr_pem()
    body = template(
        {
            "certificate": certificate({"Ref": "CSR"}),
            "a": policy(PolicyName="device"),
            "b": policy(PolicyName="device"),
        },
        string_params("CSR"),
    )
    answer = iot.register_thing(templateBody=body, parameters={"CSR": pem})
    target = answer["resourceArns"]["certificate"]
    assert [p["policyName"] for p in iot.list_attached_policies(target=target)["policies"]] == ["device"]
